"""Writing the audit log, and checking it.

`audit_record` is called by the services that change cases, staff, residents, scores and
settings, inside their own transaction: the entry commits or rolls back with the change.
`audit_record_many` writes a set-based change (a sweep's batch) with one lock, one read of
the chain's head and one bulk INSERT. Entries are chained: each row's hash is SHA-256 over
a canonical JSON of its content and the previous row's hash, and appending is serialised
(a PostgreSQL advisory lock held to the end of the transaction; SQLite's IMMEDIATE
transactions serialise writers already), so the chain has one order and no fork.

Values are masked before they are written: ID numbers and phones as the pages show them,
health details and secrets not at all, and ID or phone numbers inside free text masked too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import ForeignKey, Model
from django.utils import timezone

from audit.models import AuditEntry
from governance.platform.bulk import insert_rows
from governance.platform.validators import mask_id_number, mask_phone

if TYPE_CHECKING:
    from personnel.models import User


# Values a JSON column gives back unchanged (a float could come back otherwise).
JSON_SCALARS = (str, int, bool, type(None))
GENESIS = "0" * 64  # the previous hash of the first entry
# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_KEY = 72_300_009

# Fields shown masked, as the pages show them, and fields never written at all: free text
# that may hold a diagnosis (a resident's situation, a case's notes, which the case's own
# timeline keeps) and secrets. A changed hidden field is still recorded as changed.
MASKED_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}
HIDDEN_FIELDS = frozenset({"situation", "note", "description", "review", "password", "token"})
HIDDEN = "***"
# An ID number or a mainland mobile inside free text (a note, a reason).
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
SHORTEST_NUMBER = 11  # a mobile; an ID number is 18


def masked(values: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in values.items():
        if key in HIDDEN_FIELDS or "password" in key:
            result[key] = HIDDEN if value else ""
        elif key in MASKED_FIELDS and isinstance(value, str):
            result[key] = MASKED_FIELDS[key](value)
        else:
            result[key] = scrubbed(value)
    return result


def scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) < SHORTEST_NUMBER:  # a status, a level: nothing to mask
            return value
        return PHONE_IN_TEXT.sub(r"\1****\2", ID_IN_TEXT.sub(r"\1********\2", value))
    if isinstance(value, Mapping):
        return masked(value)
    if isinstance(value, list | tuple):
        return [scrubbed(item) for item in value]
    return value


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    """As the JSON column gives it back (dates, decimals and UUIDs as text), so that the
    hash computed now is the hash recomputed from the row later."""
    result = masked(values)
    if all(type(key) is str and isinstance(value, JSON_SCALARS) for key, value in result.items()):
        return result  # the JSON column gives these back as they are
    return json.loads(json.dumps(result, cls=DjangoJSONEncoder))


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance, a foreign key as its id."""
    values = {}
    for name in fields:
        model_field = obj._meta.get_field(name)
        values[name] = getattr(
            obj, model_field.attname if isinstance(model_field, ForeignKey) else name
        )
    return values


def changes(
    before: Mapping[str, Any], after: Mapping[str, Any], *, hide: Iterable[str] = ()
) -> tuple[dict, dict]:
    """(old, new) of the keys whose value differs; of the keys in `hide` only that they
    changed (personal data the log must not keep past its retention: a name, an address)."""
    keys = [key for key in after if before.get(key) != after[key]]
    hidden = set(hide)
    old = {key: HIDDEN if key in hidden else before.get(key) for key in keys}
    new = {key: HIDDEN if key in hidden else after[key] for key in keys}
    return old, new


@dataclass(frozen=True)
class AuditInput:
    action: str  # "case.escalate", "staff.update", "settings.change"…
    object_type: str = ""
    object_id: str = ""
    actor: Any = None  # a user, or None for the system
    area_id: int | None = None  # defaults to the actor's area
    old: Mapping[str, Any] = field(default_factory=dict)
    new: Mapping[str, Any] = field(default_factory=dict)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    area_id: int | None = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the change it records."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    entry = AuditInput(
        action=action,
        object_type=object_type,
        object_id="" if object_id in (None, "") else str(object_id),
        actor=actor,
        area_id=area_id,
        old=old or {},
        new=new or {},
    )
    return AuditEntry(**_append([entry])[0])


def audit_record_many(entries: Sequence[AuditInput]) -> int:
    """Append many entries at once: the chain computed in one pass under the chain lock and
    written with one INSERT. Returns how many were written."""
    return len(_append(entries))


def _append(entries: Sequence[AuditInput]) -> list[dict[str, Any]]:
    """The entries as rows ({column: value}, with their ids), chained and inserted. Plain
    rows, not model instances: a sweep's batch is 10,000 of them."""
    if not entries:
        return []
    now = timezone.now()
    # No savepoint of its own: a failed entry fails the change it records.
    with transaction.atomic(savepoint=False):
        previous = _chain_head()
        rows = []
        for entry in entries:
            actor = entry.actor if getattr(entry.actor, "is_authenticated", False) else None
            row = {
                "created_at": now,
                "actor_id": actor.pk if actor else None,
                "actor_name": scrubbed(actor.get_username()) if actor else "",
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "area_id": entry.area_id if entry.area_id is not None else _area_of(actor),
                "old_values": _stored(entry.old),
                "new_values": _stored(entry.new),
                "prev_hash": previous,
            }
            row["hash"] = previous = entry_hash(row)
            rows.append(row)
        ids = insert_rows(AuditEntry, rows, returning_ids=True)
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
    return rows


def _area_of(actor: User) -> int | None:
    return getattr(actor, "area_id", None) if actor is not None else None


def _chain_head() -> str:
    """Take the chain lock (to the end of the transaction) and read the last hash."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def entry_hash(row: Mapping[str, Any]) -> str:
    """The hash of a row given as {column: value}."""
    content = {
        "time": row["created_at"].astimezone(UTC).isoformat(),
        "actor": row["actor_id"],
        "actor_name": row["actor_name"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "area": row["area_id"],
        "old": row["old_values"],
        "new": row["new_values"],
        "prev": row["prev_hash"],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None  # the first entry whose link or content does not hold
    reason: str = ""
    head: str = GENESIS  # the last hash that holds

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def audit_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order and name the first entry that does not hold: its previous
    hash is not the hash of the entry before it (one was removed or reordered), or its
    content does not give its own hash (it was altered)."""
    previous = GENESIS
    checked = 0
    columns = [field.attname for field in AuditEntry._meta.concrete_fields]
    rows = AuditEntry.objects.order_by("id").values(*columns)
    for row in rows.iterator(chunk_size=chunk_size):
        if row["prev_hash"] != previous:
            return ChainReport(
                checked, row["id"], "it does not follow the entry before it", previous
            )
        if entry_hash(row) != row["hash"]:
            return ChainReport(checked, row["id"], "its content does not match its hash", previous)
        previous = row["hash"]
        checked += 1
    return ChainReport(checked, head=previous)
