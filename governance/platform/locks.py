"""Writers of the same value one at a time, where no unique constraint can keep them apart:
the check that nobody of the writer's jurisdiction has an ID number already and the insert
that follows it must not interleave with another writer's of the same number."""

from __future__ import annotations

import hashlib

from django.db import connection

# Any fixed numbers: the namespaces of the two-key PostgreSQL advisory locks (a key space of
# their own, apart from the one-key locks of the audit chain and the area tree).
RESIDENT_ID_NUMBER = 72_300_010
STAFF_ID_NUMBER = 72_300_011


def lock_value(namespace: int, value: str) -> None:
    """Hold a lock on `value` to the end of the surrounding transaction (call it inside
    one). On SQLite the IMMEDIATE transaction mode already serialises writers."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])
