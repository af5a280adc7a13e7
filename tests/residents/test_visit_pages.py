"""Visit pages: the phone form at the door (idempotent, optionally raising a case), My
visits, the centres' overdue report, and the visit photo; each checked for outsiders, for
bad input and for leaks of the full ID number or phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes.models import Case, CaseKind
from grids import tree
from personnel.services.staff import StaffInput, staff_create
from residents.models import Resident, ResidentCategory, RiskLevel, Visit
from residents.services.cycles import visit_cycles
from tests.factories import register
from tests.samples import ID_A, ID_B, JPEG, id_number, today, visit_form

PHONE = "13800138000"  # the phone test_residents.register gives everyone


def with_case(**overrides) -> dict:
    body = {
        "raise_case": "on",
        "kind": CaseKind.KEY_PERSON,
        "category": "key_person",
        "title": "刑满释放人员无业，情绪低落",
        "description": "走访发现其长期无业，与家人争吵，需要帮扶。",
        "severity": "attention",
    }
    body.update(overrides)
    return body


def make_responsible(demo, username="grid1"):
    """A roster entry whose login is `username`: the staff member responsible for people."""
    staff = staff_create(
        data=StaffInput(
            name="网格员甲",
            phone="13912345678",
            id_number=id_number(88),
            gender="female",
            area=demo.village1,
        ),
        actor=demo.user("township1"),
    )
    staff.user = demo.user(username)
    staff.save(update_fields=["user"])
    return staff


def overdue(resident: Resident, days: int = 10) -> Resident:
    Resident.objects.filter(pk=resident.pk).update(next_visit_due=today() - timedelta(days=days))
    resident.refresh_from_db()
    return resident


def other_grid_of_village1(demo):
    return tree.in_order(demo.village1.children.exclude(pk=demo.grid1.pk)).first()


@pytest.fixture
def grid_client(client, demo):
    client.force_login(demo.user("grid1"))
    return client


# --- The visit form ------------------------------------------------------------------------


def test_the_form_shows_the_person_masked_and_starts_today(grid_client, demo):
    resident = register(demo)
    page = grid_client.get(reverse("visit_record", args=[resident.pk]))
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1
    html = page.content.decode()
    assert resident.name in html and "430521********1239" in html
    assert f'value="{today().isoformat()}"' in html
    form = page.context["form"]
    assert form["client_uuid"].value()  # a fresh UUID, so a resend is recognised


def test_a_resent_visit_records_one_visit_raises_one_case_and_moves_the_next_visit(
    grid_client, demo
):
    resident = overdue(register(demo))
    body = visit_form(**with_case())
    first = grid_client.post(reverse("visit_record", args=[resident.pk]), body)
    again = grid_client.post(reverse("visit_record", args=[resident.pk]), body)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("my_visits")

    visit = Visit.objects.get()
    case = Case.objects.get()
    assert visit.case == case and case.reporter == demo.user("grid1")
    assert case.kind == CaseKind.KEY_PERSON and case.grid == demo.grid1
    assert ID_A not in str(case.parties)  # the case names the person, never the ID number
    cycle = visit_cycles(county=demo.county)[(resident.category, resident.risk)]
    resident.refresh_from_db()
    assert resident.last_visited_on == visit.visited_on == today()
    assert resident.next_visit_due == today() + timedelta(days=cycle)
    # the case page it links to opens for the worker who raised it
    my_visits = grid_client.get(reverse("my_visits")).content.decode()
    assert reverse("case_detail", args=[case.pk]) in my_visits
    assert grid_client.get(reverse("case_detail", args=[case.pk])).status_code == 200


def test_a_visit_without_a_case_raises_none_even_with_case_fields_filled(grid_client, demo):
    resident = register(demo)
    body = visit_form(**with_case(raise_case="", title=""), risk_after=RiskLevel.MEDIUM)
    response = grid_client.post(reverse("visit_record", args=[resident.pk]), body)
    assert response.status_code == 302
    assert Visit.objects.get().case is None and not Case.objects.exists()
    resident.refresh_from_db()
    assert resident.risk == RiskLevel.MEDIUM


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"visited_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "visited_on"),
        ({"met": "no", "situation": " "}, "situation"),
        (with_case(title=""), "title"),
        (with_case(category="neighbour"), "category"),  # a dispute's category, not a key person's
        ({"risk_after": "extreme"}, "risk_after"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(
    grid_client, demo, overrides, field
):
    resident = overdue(register(demo))
    due = resident.next_visit_due
    response = grid_client.post(
        reverse("visit_record", args=[resident.pk]), visit_form(**overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Visit.objects.exists() and not Case.objects.exists()
    resident.refresh_from_db()
    assert resident.next_visit_due == due and resident.last_visited_on is None


def test_a_visit_to_another_townships_resident_is_404_and_nothing_is_saved(client, demo):
    theirs = register(demo, grid=demo.grid2, actor="township2")
    client.force_login(demo.user("township1"))
    url = reverse("visit_record", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, visit_form()).status_code == 404
    assert not Visit.objects.exists()


def test_a_person_out_of_management_cannot_be_visited(grid_client, demo):
    resident = register(demo)
    Resident.objects.filter(pk=resident.pk).update(status="moved")
    url = reverse("visit_record", args=[resident.pk])
    assert grid_client.get(url).status_code == 403
    assert grid_client.post(url, visit_form()).status_code == 403
    assert not Visit.objects.exists()


def test_the_inspector_who_may_not_report_cannot_open_the_form(client, demo):
    resident = register(demo)
    client.force_login(demo.user("inspector"))
    assert client.get(reverse("visit_record", args=[resident.pk])).status_code == 404


# --- The photo -----------------------------------------------------------------------------


def test_the_photo_is_served_to_those_who_see_the_person_only(grid_client, client, demo):
    resident = register(demo)
    photo = SimpleUploadedFile("李某在家.jpg", JPEG, content_type="image/jpeg")
    response = grid_client.post(
        reverse("visit_record", args=[resident.pk]), visit_form(photo=photo)
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.photo and "李某" not in visit.photo.name  # stored under a neutral name

    served = grid_client.get(reverse("visit_photo", args=[visit.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == JPEG

    client.force_login(demo.user("township2"))
    assert client.get(reverse("visit_photo", args=[visit.pk])).status_code == 404


def test_something_that_is_not_a_photo_is_refused(grid_client, demo):
    resident = register(demo)
    page = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    response = grid_client.post(reverse("visit_record", args=[resident.pk]), visit_form(photo=page))
    assert response.status_code == 400 and "photo" in response.context["form"].errors
    assert not Visit.objects.exists()


# --- My visits and the overdue report ------------------------------------------------------


@pytest.fixture
def people(demo):
    """grid1 is responsible for `mine` (overdue); `neighbour` is in another grid of the same
    village (overdue), `theirs` in township 2 (overdue), `later` due in two months."""
    staff = make_responsible(demo)
    mine = overdue(register(demo, responsible=staff, name="王某"), days=10)
    neighbour = overdue(
        register(demo, grid=other_grid_of_village1(demo), id_number=ID_B, name="赵某"), days=3
    )
    theirs = overdue(
        register(demo, grid=demo.grid2, id_number=id_number(71), actor="township2", name="钱某")
    )
    later = register(demo, id_number=id_number(72), name="孙某")
    Resident.objects.filter(pk=later.pk).update(next_visit_due=today() + timedelta(days=60))
    return {"mine": mine, "neighbour": neighbour, "theirs": theirs, "later": later}


def test_my_visits_lists_my_overdue_people_first_with_the_days(grid_client, demo, people):
    page = grid_client.get(reverse("my_visits"))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    sections = {key: residents for key, _heading, residents in page.context["sections"]}
    assert [r.pk for r in sections["overdue"]] == [people["mine"].pk]
    assert sections["overdue"][0].days_overdue == 10
    html = page.content.decode()
    assert reverse("visit_record", args=[people["mine"].pk]) in html
    for other in ("neighbour", "theirs", "later"):
        assert people[other].name not in html


def test_my_visits_of_a_grid_worker_includes_their_grid_with_nobody_responsible(grid_client, demo):
    resident = overdue(register(demo), days=2)
    page = grid_client.get(reverse("my_visits"))
    sections = {key: residents for key, _heading, residents in page.context["sections"]}
    assert [r.pk for r in sections["overdue"]] == [resident.pk]


def test_a_visit_takes_the_person_off_the_overdue_list(grid_client, demo, people):
    grid_client.post(reverse("visit_record", args=[people["mine"].pk]), visit_form())
    page = grid_client.get(reverse("my_visits"))
    sections = {key: residents for key, _heading, residents in page.context["sections"]}
    assert not sections["overdue"]
    # high risk: visited weekly, so the next visit is due within the week, not overdue
    assert [(r.pk, r.days_overdue) for r in sections["due-soon"]] == [(people["mine"].pk, -7)]
    assert page.context["recent"][0].resident == people["mine"]


def test_nothing_due_shows_the_empty_state(grid_client, demo):
    page = grid_client.get(reverse("my_visits"))
    assert page.status_code == 200 and 'id="nothing-due"' in page.content.decode()
    assert 'id="overdue-report-link"' not in page.content.decode()  # a grid worker's 403


def test_the_township_report_counts_overdue_visits_per_village_and_drills_down(
    client, demo, people
):
    client.force_login(demo.user("township1"))
    report = client.get(reverse("visits_overdue"))
    assert report.status_code == 200 and "no-store" in report["Cache-Control"]
    assert report.context["area"] == demo.township1
    rows = {row["area"]: row for row in report.context["rows"]}
    assert set(rows) == set(demo.township1.get_children())
    assert (rows[demo.village1]["active"], rows[demo.village1]["overdue"]) == (3, 2)
    assert rows[demo.village1]["percent"] == 67
    listed = [r.pk for r in report.context["page"].object_list]
    assert listed == [people["mine"].pk, people["neighbour"].pk]  # the most overdue first
    html = report.content.decode()
    assert people["theirs"].name not in html
    assert f"?area={demo.village1.pk}" in html

    village = client.get(reverse("visits_overdue"), {"area": demo.village1.pk})
    grids = {row["area"]: row["overdue"] for row in village.context["rows"]}
    assert grids[demo.grid1] == 1 and grids[other_grid_of_village1(demo)] == 1
    grid = client.get(reverse("visits_overdue"), {"area": demo.grid1.pk})
    assert [r.pk for r in grid.context["page"].object_list] == [people["mine"].pk]


def test_township1_never_sees_township2_in_the_report(client, demo, people):
    client.force_login(demo.user("township1"))
    for area in (demo.township2, demo.village2, demo.grid2):
        assert client.get(reverse("visits_overdue"), {"area": area.pk}).status_code == 404
    assert client.get(reverse("visits_overdue"), {"area": "x"}).status_code == 404
    client.force_login(demo.user("county"))
    county = client.get(reverse("visits_overdue"))
    assert {r.pk for r in county.context["page"].object_list} == {
        people["mine"].pk, people["neighbour"].pk, people["theirs"].pk
    }  # fmt: skip


@pytest.mark.parametrize("username", ["grid1", "member1", "inspector"])
def test_grid_workers_and_members_get_403_on_the_overdue_report(client, demo, username):
    client.force_login(demo.user(username))
    assert client.get(reverse("visits_overdue")).status_code == 403


def test_village_staff_see_their_villages_grids(client, demo, people):
    client.force_login(demo.user("village1"))
    assert 'id="overdue-report-link"' in client.get(reverse("my_visits")).content.decode()
    report = client.get(reverse("visits_overdue"))
    assert report.status_code == 200 and report.context["area"] == demo.village1
    assert {r.pk for r in report.context["page"].object_list} == {
        people["mine"].pk, people["neighbour"].pk
    }  # fmt: skip


def test_no_page_shows_a_full_id_number_or_phone(client, demo, people):
    everyone = [people[key] for key in ("mine", "neighbour", "theirs", "later")]
    secrets = [p.id_number.encode() for p in everyone] + [PHONE.encode()]
    pages = {
        "grid1": [
            reverse("my_visits"),
            reverse("visit_record", args=[people["mine"].pk]),
        ],
        "township1": [
            reverse("visits_overdue"),
            reverse("visits_overdue") + f"?area={demo.village1.pk}",
            reverse("visit_record", args=[people["neighbour"].pk]),
        ],
        "county": [reverse("visits_overdue")],
    }
    for username, urls in pages.items():
        client.force_login(demo.user(username))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert not any(secret in response.content for secret in secrets), url
    # a refused form keeps the masking too
    client.force_login(demo.user("grid1"))
    refused = client.post(
        reverse("visit_record", args=[people["mine"].pk]), visit_form(met="no", situation="")
    )
    assert refused.status_code == 400
    assert not any(secret in refused.content for secret in secrets)


def test_the_lists_take_as_many_queries_for_many_people_as_for_one(client, demo):
    staff = make_responsible(demo, username="grid1")

    def count(url, username):
        client.force_login(demo.user(username))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    overdue(register(demo, responsible=staff, category=ResidentCategory.ELDERLY_ALONE))
    one = (count(reverse("my_visits"), "grid1"), count(reverse("visits_overdue"), "township1"))
    for serial in range(3):
        overdue(register(demo, id_number=id_number(60 + serial), responsible=staff))
    many = (count(reverse("my_visits"), "grid1"), count(reverse("visits_overdue"), "township1"))
    assert many == one
