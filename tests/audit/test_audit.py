"""The audit log is append-only at the database and hash-chained: an UPDATE or DELETE is
refused whoever sends it, an edit made behind the triggers' back is found by audit_verify,
and two writers appending at once leave one unbroken chain."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.db import install_triggers, remove_triggers
from audit.models import AuditEntry
from audit.services import (
    GENESIS,
    AuditInput,
    audit_record,
    audit_record_many,
    audit_verify,
    changes,
    masked,
)
from tests.support import chain_statements, is_postgres

ID_NUMBER = "430521199001011239"
PHONE = "13912345678"


def three_entries(demo) -> list[AuditEntry]:
    county = demo.user("county")
    return [
        audit_record(action="staff.update", actor=county, object_type="staff", object_id=n,
                     old={"name": "甲"}, new={"name": f"乙{n}"})
        for n in range(3)
    ]  # fmt: skip


def refused(sql: str, params=()) -> bool:
    """Whether the database refuses the statement (inside a savepoint, so the test's
    transaction goes on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


def test_each_entry_carries_the_hash_of_the_one_before(demo):
    first, second, third = three_entries(demo)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    report = audit_verify()
    assert report.intact and report.checked == 3


def test_an_entry_keeps_who_when_what_and_where(demo):
    entry = audit_record(
        action="staff.update",
        actor=demo.user("township1"),
        object_type="staff",
        object_id=42,
        old={"name": "张三"},
        new={"name": "张四"},
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name) == (demo.user("township1"), "township1")
    assert (entry.object_type, entry.object_id, entry.area_id) == ("staff", "42", demo.township1.pk)
    assert (entry.old_values, entry.new_values) == ({"name": "张三"}, {"name": "张四"})


def test_the_orm_cannot_update_or_delete_an_entry(demo):
    entry = three_entries(demo)[1]
    entry.new_values = {"name": "篡改"}
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="case.close")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.get(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 3 and audit_verify().intact


def test_raw_sql_cannot_update_or_delete_an_entry(demo):
    entry = three_entries(demo)[0]
    table = AuditEntry._meta.db_table
    assert refused(f"UPDATE {table} SET action = 'x' WHERE id = %s", [entry.pk])
    assert refused(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert refused(f"DELETE FROM {table}")
    assert AuditEntry.objects.count() == 3 and audit_verify().intact


def behind_the_triggers_back(sql: str, params) -> None:
    """What an intruder with the superuser's powers might do: switch the triggers off."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = origin")
    else:
        remove_triggers(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        finally:
            install_triggers(connection)


def test_audit_verify_names_an_entry_altered_behind_the_triggers_back(demo):
    entries = three_entries(demo)
    table = AuditEntry._meta.db_table
    behind_the_triggers_back(
        f"UPDATE {table} SET actor_name = 'someone' WHERE id = %s", [entries[1].pk]
    )
    report = audit_verify()
    assert (report.broken_id, report.checked) == (entries[1].pk, 1)
    assert "content" in report.reason
    with pytest.raises(CommandError, match=f"broken at entry {entries[1].pk}"):
        call_command("audit_verify")


def test_audit_verify_names_the_entry_after_one_removed_behind_the_triggers_back(demo):
    entries = three_entries(demo)
    behind_the_triggers_back(
        f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[1].pk]
    )
    report = audit_verify()
    assert report.broken_id == entries[2].pk and "follow" in report.reason


def test_audit_verify_passes_an_intact_chain_and_prints_its_last_hash(demo, capsys):
    last = three_entries(demo)[-1]
    call_command("audit_verify")
    assert f"3 entries checked, last hash {last.hash}" in capsys.readouterr().out


def test_a_batch_is_chained_in_one_pass_and_written_with_one_insert(demo):
    audit_record(action="settings.change", actor=demo.user("county"))
    batch = [AuditInput(action="case.escalate_overdue", object_type="case", object_id=str(n))
             for n in range(500)]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        written = audit_record_many(batch)
    # The lock (PostgreSQL), the chain's head, and one INSERT for the 500 entries.
    assert len(queries) == chain_statements()
    assert [q["sql"][:6] for q in queries][-1] == "INSERT"
    first, second, *_rest, last = AuditEntry.objects.order_by("id")
    assert written == 500 and second.prev_hash == first.hash
    assert last.object_id == "499"  # in the batch's order
    assert audit_verify().checked == 501


def test_an_older_sqlite_without_returning_still_gives_each_entry_its_id(demo, monkeypatch):
    if is_postgres():
        pytest.skip("SQLite before 3.35 only: PostgreSQL always has RETURNING")
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    first = audit_record(action="settings.change")
    audit_record_many([AuditInput(action="case.flag_overdue", object_id=str(n)) for n in range(3)])
    last = audit_record(action="settings.change", object_id="last")
    assert AuditEntry.objects.get(pk=first.pk).hash == first.hash
    assert AuditEntry.objects.get(pk=last.pk).object_id == "last"
    assert audit_verify().checked == 5


def test_personal_data_is_masked_in_the_values(demo):
    values = {
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "situation": "严重精神障碍，服药中",
        "reason": f"当事人电话{PHONE}，身份证{ID_NUMBER}",
        "note": "病情稳定",
        "parties": [{"phone": PHONE, "name": "王某"}],
    }
    entry = audit_record(action="resident.update", actor=demo.user("county"), new=values)
    stored = repr(AuditEntry.objects.get(pk=entry.pk).new_values)
    assert ID_NUMBER not in stored and PHONE not in stored and "精神" not in stored
    assert entry.new_values["id_number"] == "430521********1239"
    assert entry.new_values["phone"] == "139****5678"
    assert entry.new_values["situation"] == "***"
    assert entry.new_values["reason"] == "当事人电话139****5678，身份证430521********1239"
    assert entry.new_values["note"] == "***"
    assert masked({"situation": ""}) == {"situation": ""}


def test_changes_keep_only_what_differs():
    assert changes({"a": 1, "b": 2}, {"a": 1, "b": 3}) == ({"b": 2}, {"b": 3})


def test_the_triggers_are_in_place_after_migrating(db):
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [AuditEntry._meta.db_table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEntry._meta.db_table],
            )
        names = {row[0] for row in cursor.fetchall()}
    expected = (
        {"audit_entry_append_only"}
        if is_postgres()
        else {"audit_entry_no_update", "audit_entry_no_delete"}
    )
    assert names == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_appending_at_once_leave_one_unbroken_chain():
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(40):
                with transaction.atomic():
                    audit_record(action="case.record", object_type="case", object_id=worker)
                    if n % 10 == 0:  # a batch in between, as a sweep writes
                        audit_record_many(
                            [AuditInput(action="case.flag_overdue", object_id=str(i))
                             for i in range(5)]
                        )  # fmt: skip
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = audit_verify()
    assert report.intact and report.checked == 2 * (40 + 4 * 5)
    hashes = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert len({prev for prev, _hash in hashes}) == len(hashes)  # no fork: no hash followed twice


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_leaves_it_append_only():
    # Tests in real transactions end with a flush; on SQLite it DELETEs, which the
    # triggers refuse, so the audit app's flush lifts them for its own statements.
    audit_record(action="settings.change")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    entry = audit_record(action="settings.change")
    assert entry.prev_hash == GENESIS  # a new chain
    with pytest.raises(DatabaseError, match="append-only"):
        AuditEntry.objects.all().delete()
