"""The triggers that make the audit table append-only at the database: any UPDATE or
DELETE of a row is refused, whoever sends it (the application's role, raw SQL, the ORM).
A superuser can still switch triggers off (PostgreSQL's session_replication_role), which
is why production also REVOKEs UPDATE, DELETE and TRUNCATE from the application's role
(README, "The audit log") and why rows are hash-chained."""

from __future__ import annotations

TABLE = "audit_auditentry"
MESSAGE = "audit entries are append-only"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()
    """,
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_entry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_entry_refuse_change()",
]
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_entry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    raise NotImplementedError(f"append-only triggers for {vendor} are not written yet")


def install_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def remove_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)
