"""The register of residents of concern: encrypted at rest, found by exact ID number only,
and seen only within the jurisdiction (health categories only by the roles that need them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from grids import tree
from personnel.services.staff import StaffInput, staff_create
from residents.models import Resident, ResidentCategory, RiskLevel
from residents.services.residents import (
    ResidentInput,
    resident_find,
    resident_register,
    residents_visible_to,
)
from tests.factories import register
from tests.samples import ID_A, ID_B, id_number


def test_id_number_phone_and_situation_are_ciphertext_in_the_database(demo):
    resident = register(demo)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, situation, id_number_hash FROM grids_resident WHERE id = %s",
            [resident.pk],
        )
        raw = cursor.fetchone()
    assert all(ID_A not in column and "13800138000" not in column for column in raw)
    assert "刑满释放" not in raw[2]
    stored = Resident.objects.get(pk=resident.pk)
    assert (stored.id_number, stored.phone) == (ID_A, "13800138000")
    assert stored.situation == "2024年刑满释放，就业困难。"


def test_a_person_is_found_by_the_exact_id_number_only(demo):
    resident = register(demo)
    township = demo.user("township1")
    assert resident_find(user=township, id_number=ID_A.lower()) == resident
    assert resident_find(user=township, id_number=ID_A[:-1]) is None
    assert resident_find(user=demo.user("township2"), id_number=ID_A) is None  # not theirs


def test_the_same_person_cannot_be_registered_twice(demo):
    register(demo)
    with pytest.raises(ValidationError) as refused:
        register(demo, actor="county", grid=demo.grid2)
    assert "id_number" in refused.value.message_dict
    assert Resident.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_registrations_of_the_same_person_at_once_leave_one():
    # The ID number is unique within each register, not by a constraint: a lock keeps the
    # check and the save of one number to one writer at a time.
    import threading

    from tests.factories import build_demo

    demo = build_demo()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def send():
        try:
            barrier.wait()
            register(demo)
            outcomes.append("registered")
        except ValidationError as error:
            outcomes.append(" ".join(error.message_dict))
        except Exception as error:  # anything else is a bug: a 500 for the user
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(outcomes) == ["id_number"] * 3 + ["registered"]
    assert Resident.objects.count() == 1


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(demo):
    with pytest.raises(ValidationError) as refused:
        resident_register(
            data=ResidentInput(
                name=" ",
                id_number=ID_A[:-1] + "0",
                grid=demo.village1,
                category="nobody",
                risk="extreme",
                phone="12345",
            ),
            actor=demo.user("township1"),
        )
    assert set(refused.value.message_dict) == {
        "name", "id_number", "grid", "category", "risk", "phone"
    }  # fmt: skip
    with pytest.raises(ValidationError) as elsewhere:
        register(demo, grid=demo.grid2)  # township 2's grid
    assert set(elsewhere.value.message_dict) == {"grid"}
    assert not Resident.objects.exists()


@pytest.mark.parametrize("username", ["grid1", "member1", "inspector"])
def test_roles_without_the_need_do_not_register(demo, username):
    with pytest.raises(PermissionDenied):
        register(demo, actor=username)


def test_each_role_sees_its_own_subtree_and_a_grid_worker_only_their_grid(demo):
    ours = register(demo)
    other_grid = tree.in_order(demo.village1.children.exclude(pk=demo.grid1.pk)).first()
    neighbour = register(demo, grid=other_grid, id_number=ID_B)
    theirs = register(demo, grid=demo.grid2, id_number=id_number(77), actor="township2")
    seen = {name: set(residents_visible_to(demo.user(name))) for name in demo.users}
    assert seen["county"] == {ours, neighbour, theirs}
    assert seen["township1"] == seen["village1"] == {ours, neighbour}
    assert seen["grid1"] == {ours}
    assert theirs not in seen["police1"] | seen["member1"] | seen["grid1"]


def test_health_categories_are_hidden_from_grid_workers_unless_responsible(demo):
    sensitive = register(demo, category=ResidentCategory.MENTAL_DISORDER)
    plain = register(demo, id_number=ID_B, category=ResidentCategory.ELDERLY_ALONE)
    grid_worker = demo.user("grid1")
    assert set(residents_visible_to(grid_worker)) == {plain}
    assert resident_find(user=grid_worker, id_number=ID_A) is None
    assert sensitive in residents_visible_to(demo.user("village1"))

    staff = staff_create(
        data=StaffInput(
            name=grid_worker.get_full_name() or "网格员",
            phone="13912345678",
            id_number=id_number(77),
            gender="female",
            area=demo.village1,
        ),
        actor=demo.user("township1"),
    )
    staff.user = grid_worker
    staff.save(update_fields=["user"])
    Resident.objects.filter(pk=sensitive.pk).update(responsible=staff)
    assert set(residents_visible_to(grid_worker)) == {plain, sensitive}


def test_another_key_reads_nothing_and_says_so(demo, settings):
    from cryptography.fernet import Fernet
    from django.core.exceptions import ImproperlyConfigured

    resident = register(demo)
    settings.PERSONAL_DATA_KEY = Fernet.generate_key().decode()
    with pytest.raises(ImproperlyConfigured):
        Resident.objects.get(pk=resident.pk)


def test_production_refuses_to_start_without_the_personal_data_key():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "PERSONAL_DATA_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DEBUG": "false", "SECRET_KEY": "s" * 50, "PERSONAL_DATA_KEY": ""},
    )
    assert result.returncode != 0 and "PERSONAL_DATA_KEY" in result.stderr


# The API


def api(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_the_api_registers_and_answers_masked_and_uncached(client, demo):
    from django.urls import reverse

    api(client, demo, "township1")
    body = {
        "name": "王某",
        "id_number": ID_A,
        "grid": demo.grid1.pk,
        "category": ResidentCategory.COMMUNITY_CORRECTION,
        "risk": RiskLevel.MEDIUM,
        "phone": "13800138000",
    }
    made = client.post(reverse("api_resident_list"), body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["id_number"], made.json()["phone"]) == ("430521********1239", "138****8000")
    assert ID_A not in made.content.decode() and "13800138000" not in made.content.decode()
    again = client.post(reverse("api_resident_list"), body, content_type="application/json")
    assert again.status_code == 400 and "id_number" in again.json()
    listed = client.get(reverse("api_resident_list"))
    assert listed.status_code == 200 and listed["Cache-Control"] == "no-store"
    assert [row["name"] for row in listed.json()["results"]] == ["王某"]
    assert ID_A not in listed.content.decode()


def test_details_reveals_and_lookups_are_logged_and_reveals_need_a_reason(client, demo):
    from django.urls import reverse

    from residents.models import AccessAction, ResidentAccess

    resident = register(demo)
    api(client, demo, "village1")
    detail = client.get(reverse("api_resident_detail", args=[resident.pk]))
    assert detail.status_code == 200 and ID_A not in detail.content.decode()
    reveal = reverse("api_resident_reveal", args=[resident.pk])
    refused = client.post(reveal, {"reason": " "}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()
    assert client.post(reveal, [], content_type="application/json").status_code == 400
    shown = client.post(reveal, {"reason": "上门走访核对身份"}, content_type="application/json")
    assert shown.status_code == 200 and shown.json() == {"id_number": ID_A, "phone": "13800138000"}
    assert shown["Cache-Control"] == "no-store"
    found = client.post(
        reverse("api_resident_lookup"), {"id_number": ID_A}, content_type="application/json"
    )
    assert found.status_code == 200 and found.json()["id"] == resident.pk
    log = list(
        ResidentAccess.objects.order_by("id").values_list("action", "reason", "denied", "actor")
    )
    village1 = demo.user("village1").pk
    assert log == [
        (AccessAction.VIEW, "", False, village1),
        (AccessAction.REVEAL, "", True, village1),  # refused: they showed nothing
        (AccessAction.REVEAL, "", True, village1),
        (AccessAction.REVEAL, "上门走访核对身份", False, village1),
        (AccessAction.LOOKUP, "", False, village1),
    ]


def test_outsiders_get_nothing_and_their_attempts_are_logged_as_refused(client, demo):
    from django.urls import reverse

    from residents.models import ResidentAccess

    resident = register(demo)
    api(client, demo, "township2")
    for url in (
        reverse("api_resident_detail", args=[resident.pk]),
        reverse("api_resident_reveal", args=[resident.pk]),
    ):
        response = client.post(url, {"reason": "核实情况"}, content_type="application/json")
        if url.endswith("/reveal/"):
            assert response.status_code == 404
        assert client.get(url).status_code in (404, 405)
    assert client.get(reverse("api_resident_list")).json()["results"] == []
    lookup = client.post(
        reverse("api_resident_lookup"), {"id_number": ID_A}, content_type="application/json"
    )
    assert lookup.status_code == 404 and "李某" not in lookup.content.decode()
    attempts = ResidentAccess.objects.values_list("action", "denied", "actor", "resident")
    township2 = demo.user("township2").pk
    assert sorted(attempts) == sorted(
        [("view", True, township2, resident.pk), ("reveal", True, township2, resident.pk)]
    )


@pytest.mark.parametrize("params", [{"area": "abc"}, {"area": "999999"}, {"risk": "extreme"}])
def test_the_list_answers_bad_filters_with_400(client, demo, params):
    from django.urls import reverse

    api(client, demo, "county")
    response = client.get(reverse("api_resident_list"), params)
    assert response.status_code == 400 and set(params) <= set(response.json())


def test_every_role_sees_exactly_its_own_residents(demo):
    village_grids = list(tree.in_order(demo.village1.children.all()))
    other_village = tree.in_order(demo.township1.children.exclude(pk=demo.village1.pk)).first()
    other_village_grid = tree.in_order(other_village.children.all()).first()
    people = {
        "grid1": register(demo, id_number=id_number(40), name="网格一"),
        "grid1_health": register(
            demo, id_number=id_number(41), category=ResidentCategory.DRUG_USER, name="网格一戒毒"
        ),
        "same_village": register(demo, grid=village_grids[1], id_number=id_number(42)),
        "other_village": register(demo, grid=other_village_grid, id_number=id_number(43)),
        "township2": register(demo, grid=demo.grid2, id_number=id_number(44), actor="township2"),
    }
    member = staff_create(
        data=StaffInput(
            name="信息员", phone="13912345679", id_number=id_number(45), gender="male",
            area=demo.village1,
        ),
        actor=demo.user("township1"),
    )  # fmt: skip
    member.user = demo.user("member1")
    member.save(update_fields=["user"])
    Resident.objects.filter(pk=people["grid1"].pk).update(responsible=member)
    township1 = {"grid1", "grid1_health", "same_village", "other_village"}
    expected = {
        "county": set(people),
        "centre": set(people),
        "township1": township1,
        "township2": {"township2"},
        "police1": {"grid1", "grid1_health", "same_village"},  # posted to village 1
        "village1": {"grid1", "grid1_health", "same_village"},
        "grid1": {"grid1"},  # their grid, and no health category
        "member1": {"grid1"},  # only the person they look after, in their grid
        "inspector": set(),  # read-only inspectors have no need of the register
    }
    assert set(expected) == set(demo.users)
    for username, wanted in expected.items():
        seen = set(residents_visible_to(demo.user(username)))
        assert seen == {people[key] for key in wanted}, username


def test_the_access_log_shows_an_admin_only_their_countys_rows(demo, other_county):
    from governance.platform.roles import Role
    from personnel.models import User
    from residents.models import ResidentAccess
    from residents.selectors import access_log, resident_detail, residents_export

    resident = register(demo)
    resident_detail(user=demo.user("village1"), pk=resident.pk)
    with pytest.raises(PermissionDenied):  # a refused export names no resident
        residents_export(user=demo.user("grid1"), residents=Resident.objects.all(), reason="导出")
    assert ResidentAccess.objects.count() == 2
    assert set(access_log(user=demo.user("county"))) == set(ResidentAccess.objects.all())
    neighbour = User.objects.create(username="neighbour", role=Role.COUNTY_ADMIN, area=other_county)
    assert list(access_log(user=neighbour)) == []
    assert list(access_log(user=demo.user("township1"))) == []  # not the committee
