"""Many rows in one INSERT, sent as one JSON document that the database unpacks.

`bulk_create` binds one placeholder per value and prepares each value through its field:
for a sweep's 10,000 audit entries that is 110,000 parameters, a statement of megabytes to
parse, and most of the Python time. Here the rows are plain {column: value} mappings, only
the values Python cannot put in JSON as they are (dates, decimals, UUIDs) go through their
field, and PostgreSQL (`jsonb_populate_recordset`) or SQLite (`json_each`) turns the document
back into rows, in the order given, whatever their number."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import JSONField, Model

from governance.platform.personal_data import (
    EncryptedPartiesField,
    EncryptedTextField,
    parties_encrypted,
)

PLAIN = (str, int, float, bool, type(None))


def _encoded(value: Any) -> Any:
    # Full precision: DjangoJSONEncoder would cut a time to milliseconds.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot go into the document")


def insert_rows(
    model: type[Model], rows: Sequence[Mapping[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """INSERT `rows` ({column: value}, every row with the same columns; a JSON column's value
    as the dict or list it holds). Returns the new ids, in the rows' order, if asked."""
    if not rows:
        return []
    fields = {field.column: field for field in model._meta.concrete_fields}
    columns = list(rows[0])
    json_columns = {column for column in columns if isinstance(fields[column], JSONField)}
    sqlite = connection.vendor == "sqlite"
    document = []
    for row in rows:
        item = {}
        for column in columns:
            value = row[column]
            if isinstance(fields[column], EncryptedPartiesField):
                value = parties_encrypted(value)  # personal data at rest, as the field does
            elif isinstance(fields[column], EncryptedTextField):
                value = fields[column].get_prep_value(value)
            if column in json_columns:
                # SQLite's json_extract gives a nested document back as text, but a string
                # unquoted: the column's JSON text goes in as a string.
                item[column] = (
                    json.dumps(value, default=_encoded, ensure_ascii=False) if sqlite else value
                )
            elif isinstance(value, PLAIN):
                item[column] = value
            else:
                item[column] = fields[column].get_db_prep_value(value, connection)
        document.append(item)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    if sqlite:
        picked = ", ".join(f"json_extract(value, '$.{column}')" for column in columns)
        source = f"SELECT {picked} FROM json_each(%s) ORDER BY key"
    else:
        source = (
            f"SELECT {names} FROM jsonb_populate_recordset(NULL::{table}, CAST(%s AS jsonb))"
            " WITH ORDINALITY AS document ORDER BY document.ordinality"
        )
    # SQLite before 3.35 has no RETURNING: one statement's rows then take consecutive ids
    # (AUTOINCREMENT, one writer at a time), the last of which the cursor knows.
    returning = returning_ids and connection.features.can_return_rows_from_bulk_insert
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) {source}"
            + (f" RETURNING {quote(model._meta.pk.column)}" if returning else ""),
            [json.dumps(document, default=_encoded, ensure_ascii=False)],
        )
        if returning:
            # Ids are drawn in the order the rows go in; RETURNING may list them in any order.
            return sorted(row[0] for row in cursor.fetchall())
        if returning_ids:
            return list(range(cursor.lastrowid - len(rows) + 1, cursor.lastrowid + 1))
        return []
