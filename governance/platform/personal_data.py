"""Personal data of residents of concern at rest: encrypted with the PERSONAL_DATA_KEY
(Fernet: AES in CBC mode with an HMAC), so that a raw SELECT or a database dump shows
ciphertext only; and a keyed hash beside what must be found by exact value (an ID number),
since the ciphertext of the same value differs every time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction


@lru_cache(maxsize=4)
def _keys(configured: str, secret: str) -> tuple[Fernet, bytes]:
    if configured:
        key = configured.encode()
    else:  # development only (settings refuse this without DEBUG): derived, stable per .env
        key = base64.urlsafe_b64encode(hashlib.sha256(b"personal-data:" + secret.encode()).digest())
    try:
        fernet = Fernet(key)
    except ValueError as error:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEY must be a Fernet key: 32 url-safe base64-encoded bytes."
        ) from error
    lookup = hashlib.sha256(b"lookup:" + base64.urlsafe_b64decode(key)).digest()
    return fernet, lookup


def _current() -> tuple[Fernet, bytes]:
    return _keys(settings.PERSONAL_DATA_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _current()[0].encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current()[0].decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        # Loud: a wrong key must never pass for empty data.
        raise ImproperlyConfigured(
            "Personal data cannot be decrypted with this PERSONAL_DATA_KEY."
        ) from error


# The kinds of keyed hash: the same ID number hashes alike wherever it is stored.
ID_NUMBER = "id_number"
PHONE = "phone"


def lookup_hash(kind: str, value: str) -> str:
    """The keyed hash an exact lookup compares: the same value gives the same hash, and
    without the key nobody can test guesses against the column."""
    message = f"{kind}:{value.strip().upper()}".encode()
    return hmac.new(_current()[1], message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted and read back in clear. Only exact lookups through a separate
    hash column are possible; filtering on this column itself finds nothing."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)


# Every Fernet token starts with its version byte 0x80 and an 8-byte timestamp, which
# base64 writes as "gAAAAA"; no ID number, phone or note a person types does.
_TOKEN_PREFIX = "gAAAAA"


def is_encrypted(value: str) -> bool:
    """Whether a stored value is already a token of this key: what lets the migrations that
    encrypt plain text run again after an interruption without encrypting twice."""
    if not value.startswith(_TOKEN_PREFIX):
        return False
    try:
        _current()[0].decrypt(value.encode("ascii"))
    except (InvalidToken, ValueError):
        return False
    return True


def encrypt_once(value: str) -> str:
    return value if value in (None, "") or is_encrypted(value) else encrypt(value)


# The keys of a case party (disputes.Case.parties) that are personal data; name and role
# are what a case is read by and stay plain.
PARTY_SENSITIVE_KEYS = ("id_number", "phone")


def parties_encrypted(parties):
    """Case parties as stored: the sensitive keys of each party encrypted in place."""
    if not isinstance(parties, list):
        return parties
    stored = []
    for party in parties:
        if isinstance(party, dict):
            party = {
                key: encrypt_once(value)
                if key in PARTY_SENSITIVE_KEYS and isinstance(value, str)
                else value
                for key, value in party.items()
            }
        stored.append(party)
    return stored


def parties_decrypted(parties):
    if not isinstance(parties, list):
        return parties
    clear = []
    for party in parties:
        if isinstance(party, dict):
            party = {
                key: decrypt(value)
                if key in PARTY_SENSITIVE_KEYS and isinstance(value, str) and is_encrypted(value)
                else value
                for key, value in party.items()
            }
        clear.append(party)
    return clear


class EncryptedPartiesField(models.JSONField):
    """A JSON list of parties {name, role, phone, id_number} whose phone and ID number are
    stored encrypted inside the JSON, and read back in clear: the case services, forms and
    API keep working on plain dicts, and a raw SELECT shows tokens only."""

    def from_db_value(self, value, expression, connection):
        return parties_decrypted(super().from_db_value(value, expression, connection))

    def get_prep_value(self, value):
        return super().get_prep_value(parties_encrypted(value))


def encrypt_table_in_batches(
    connection,
    *,
    table: str,
    columns: tuple[str, ...],
    hashes: dict[str, tuple[str, str]] | None = None,
    json_parties: str = "",
    batch: int = 1000,
) -> int:
    """Encrypt the plain values of `columns` (and the sensitive keys of the JSON parties
    column `json_parties`) of a table, a batch of rows per transaction, in primary-key order.
    Values already encrypted are left as they are, so running it again after an
    interruption continues where it stopped and never encrypts twice. `hashes` maps a hash
    column to (its source column, lookup kind): filled from the clear value.
    Returns the number of rows changed. Raw SQL: the historical models' fields would try
    to decrypt the plain values."""
    hashes = hashes or {}
    read = list(columns) + ([json_parties] if json_parties else [])
    quote = connection.ops.quote_name
    changed, last = 0, 0
    json_cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('id')}, {', '.join(quote(c) for c in read)} "
                f"FROM {quote(table)} WHERE {quote('id')} > %s ORDER BY {quote('id')} LIMIT %s",
                [last, batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            for row in rows:
                last, values = row[0], dict(zip(read, row[1:], strict=True))
                update = {}
                for column in columns:
                    value = values[column]
                    if value and not is_encrypted(value):
                        update[column] = encrypt(value)
                        for hash_column, (source, kind) in hashes.items():
                            if source == column:
                                update[hash_column] = lookup_hash(kind, value)
                if json_parties and values[json_parties] is not None:
                    parties = values[json_parties]
                    if isinstance(parties, str):
                        parties = json.loads(parties)
                    stored = parties_encrypted(parties)
                    if stored != parties:
                        update[json_parties] = json.dumps(stored, ensure_ascii=False)
                if update:
                    assignments = ", ".join(
                        f"{quote(c)} = {json_cast if c == json_parties else '%s'}" for c in update
                    )
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote('id')} = %s",
                        [*update.values(), last],
                    )
                    changed += 1
