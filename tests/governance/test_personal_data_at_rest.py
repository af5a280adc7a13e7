"""No ID number or mobile number in plain text anywhere in the database: every table and
every text or JSON column read with raw SQL, on a seeded database and on one migrated
forward from plain values; and the migrations that encrypt are resumable."""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry
from disputes.models import Case, Category
from disputes.services import case_report
from governance.platform.personal_data import (
    decrypt,
    encrypt,
    encrypt_table_in_batches,
    is_encrypted,
)
from governance.platform.validators import id_number_is_valid
from notifications.models import Delivery
from personnel.models import Staff, User

# Bounded by anything but a letter or digit: a hash or token holds digit runs of any length.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
TEXT_TYPES = ("char", "text", "json", "clob", "varchar")


def plaintext_found() -> list[tuple[str, str, str]]:
    """(table, column, the match) for every plain ID number or mobile in every table."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [
                column.name
                for column in description
                if any(kind in str(column.type_code).lower() for kind in TEXT_TYPES)
                or connection.introspection.get_field_type(column.type_code, column)
                in ("CharField", "TextField", "JSONField")
            ]
            if not columns:
                continue
            cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value)
                    # An area code has 18 digits too, but no birth date nor check digit.
                    found += [
                        (table, column, number)
                        for number in ID_NUMBER.findall(text)
                        if id_number_is_valid(number)
                    ]
                    found += [(table, column, number) for number in MOBILE.findall(text)]
    return found


@pytest.mark.django_db
def test_a_seeded_database_holds_no_plain_id_number_or_mobile_in_any_table():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo", "--scale", "tiny", "--if-empty", "--force", stdout=io.StringIO())
    # The seed did write personal data, readable in clear through the models.
    assert any(p.get("id_number") for case in Case.objects.all() for p in case.parties)
    assert Staff.objects.exclude(id_number="").exists()
    found = plaintext_found()
    assert found == [], found[:5]


@pytest.mark.django_db
def test_case_parties_are_stored_encrypted_and_read_back_in_clear(demo):
    case = case_report(
        reporter=demo.user("grid1"), client_uuid=uuid.uuid4(), kind="dispute",
        category=Category.objects.get(code="homestead", county=demo.county),
        title="宅基地边界争议", description="两户因宅基地边界发生争执。", grid=demo.grid1,
        parties=[{"name": "李某", "phone": "13912345678", "id_number": "430521199001011239"}],
    ).case  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT parties FROM {Case._meta.db_table} WHERE id = %s", [case.pk])
        stored = cursor.fetchone()[0]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert stored[0]["name"] == "李某" and is_encrypted(stored[0]["phone"])
    assert is_encrypted(stored[0]["id_number"])
    assert Case.objects.get(pk=case.pk).parties[0]["id_number"] == "430521199001011239"


# Each app's last migration before its personal data was encrypted.
BEFORE_ENCRYPTION = [
    ("personnel", "0006_evaluations_moved_to_assessment"),
    ("disputes", "0015_case_supervision_told"),
    ("notifications", "0006_handover_kinds_and_link"),
]
PARTY_ID, PARTY_PHONE = "430521199001011239", "13912345678"
STAFF_ID, STAFF_PHONE = "430521198502020021", "13812345670"


def raw_update(table: str, pk: int, **values) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in values)} "
            f"WHERE id = %s",
            [*values.values(), pk],
        )


@pytest.mark.django_db(transaction=True)
def test_plain_values_at_the_previous_migration_are_encrypted_going_forward(demo):
    case = case_report(
        reporter=demo.user("grid1"), client_uuid=uuid.uuid4(), kind="dispute",
        category=Category.objects.get(code="homestead", county=demo.county),
        title="宅基地边界争议", description="两户因宅基地边界发生争执。", grid=demo.grid1,
    ).case  # fmt: skip
    user = demo.user("grid1")
    # Encrypted values would not fit the old columns: start from a roster without them.
    Delivery.objects.all().delete()
    User.objects.update(phone="")
    Staff.objects.update(phone="", id_number="")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE_ENCRYPTION)
        old = executor.loader.project_state(BEFORE_ENCRYPTION).apps
        parties = [
            {"name": "李某", "role": "申请人", "phone": PARTY_PHONE, "id_number": PARTY_ID},
            {"name": "王某", "role": "被申请人"},
        ]
        raw_update(Case._meta.db_table, case.pk, parties=json.dumps(parties, ensure_ascii=False))
        raw_update(User._meta.db_table, user.pk, phone=STAFF_PHONE)
        OldStaff = old.get_model("personnel", "Staff")
        plain = OldStaff.objects.create(
            name="张三",
            phone=STAFF_PHONE,
            id_number=STAFF_ID,
            gender="male",
            area_id=demo.village1.pk,
        )
        assert plaintext_found()  # the plain values are there to find
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert plaintext_found() == []
    assert Case.objects.get(pk=case.pk).parties == parties
    assert User.objects.get(pk=user.pk).phone == STAFF_PHONE
    staff = Staff.objects.get(pk=plain.pk)
    assert (staff.phone, staff.id_number) == (STAFF_PHONE, STAFF_ID)
    assert staff.id_number_hash and staff.phone_hash
    # Run again (as after an interruption): nothing left to change, nothing encrypted twice.
    changed = encrypt_table_in_batches(
        connection, table=Staff._meta.db_table, columns=("id_number", "phone"), batch=1
    )
    assert changed == 0
    assert Staff.objects.get(pk=plain.pk).id_number == STAFF_ID
    assert (
        encrypt_table_in_batches(
            connection, table=Case._meta.db_table, columns=(), json_parties="parties"
        )
        == 0
    )
    assert Case.objects.get(pk=case.pk).parties == parties


@pytest.mark.django_db
def test_an_interrupted_encryption_continues_without_encrypting_twice(demo):
    values = ["13912345601", "13912345602", "13912345603"]
    rows = [
        Staff.objects.create(
            name=f"员{n}", phone="", id_number="", gender="male", area=demo.village1
        )
        for n in range(3)
    ]
    # The first row was encrypted before the interruption; the others are still plain.
    raw_update(Staff._meta.db_table, rows[0].pk, phone=encrypt(values[0]))
    for row, value in zip(rows[1:], values[1:], strict=True):
        raw_update(Staff._meta.db_table, row.pk, phone=value)
    assert (
        encrypt_table_in_batches(
            connection, table=Staff._meta.db_table, columns=("phone",), batch=2
        )
        == 2
    )
    for row, value in zip(rows, values, strict=True):
        assert Staff.objects.get(pk=row.pk).phone == value
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT phone FROM {Staff._meta.db_table} WHERE id = %s", [row.pk])
            stored = cursor.fetchone()[0]
        assert is_encrypted(stored) and decrypt(stored) == value


def test_a_party_or_staff_reveal_answers_the_full_values_only_to_a_logged_purpose(client, demo):
    case = case_report(
        reporter=demo.user("grid1"), client_uuid=uuid.uuid4(), kind="dispute",
        category=Category.objects.get(code="homestead", county=demo.county),
        title="宅基地边界争议", description="两户因宅基地边界发生争执。", grid=demo.grid1,
        parties=[{"name": "李某", "phone": PARTY_PHONE, "id_number": PARTY_ID}],
    ).case  # fmt: skip
    staff = Staff.objects.create(
        name="张三", phone=STAFF_PHONE, id_number=STAFF_ID, gender="male", area=demo.village1
    )
    for login, url, action, secret in (
        ("grid1", reverse("case-party-reveal", args=[case.pk, 0]), "case.party_reveal", PARTY_ID),
        ("township1", reverse("api_staff_reveal", args=[staff.pk]), "staff.reveal", STAFF_ID),
    ):
        client.force_login(demo.user(login))
        refused = client.post(url, {"reason": ""}, content_type="application/json")
        assert refused.status_code == 400 and "reason" in refused.json()
        assert secret not in refused.content.decode()
        assert not AuditEntry.objects.filter(action=action).exists()
        shown = client.post(url, {"reason": "上门核实身份"}, content_type="application/json")
        assert shown.status_code == 200 and shown.json()["id_number"] == secret, url
        assert shown["Cache-Control"] == "no-store"
        entry = AuditEntry.objects.get(action=action)
        assert entry.new_values["purpose"] == "上门核实身份"
    # Outside the jurisdiction, the same as no such case or person.
    client.force_login(demo.user("township2"))
    assert client.post(
        reverse("api_staff_reveal", args=[staff.pk]), {"reason": "上门核实身份"},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
    assert client.post(
        reverse("case-party-reveal", args=[case.pk, 0]), {"reason": "上门核实身份"},
        content_type="application/json",
    ).status_code == 404  # fmt: skip
