"""Writes are scoped like reads. Every create of the API (SCOPED_CREATES, which the route
walk's schema check counts on) is sent twice by township 1's centre: naming its own grid,
area, case or staff member it succeeds, naming township 2's it is refused (400 or 404) and
nothing is stored. Fields a role may not set (status, level, township, reporter, creator) are
ignored when sent; object ids in the URLs are checked (the route walk sends township 2's ids
to every route as township 1); and moving a person to another area takes the old access away
on their very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from disputes.models import Case, CaseStatus
from grids import tree
from personnel.models import Post, Staff
from personnel.services import staff as staff_services
from residents.models import Resident, ResidentStatus
from supervision.models import Meeting
from tests.governance.routes import SCOPED_CREATES, TODAY, case_body, valid_id

# Who creates: township 1's centre, except what only the county's committee records; the
# county's "other jurisdiction" is the neighbouring county.
COUNTY_ONLY = {"api_incident_list", "api_inspection_list"}


def worker(demo, *, name: str, phone: str, id_base: str, village, grid) -> Staff:
    county = demo.user("county")
    staff = staff_services.staff_create(
        data=staff_services.StaffInput(
            name=name, phone=phone, id_number=valid_id(id_base), gender="male", area=village
        ),
        actor=county,
    )
    staff_services.post_add(
        staff=staff, kind="grid_worker", area=grid, start=TODAY - timedelta(days=90), actor=county
    )
    return staff


@pytest.fixture
def sides(demo):
    from tests.factories import report

    def side(township, village, grid, name, phone, reporter):
        return {
            "township": township,
            "village": village,
            "grid": grid,
            "meeting_area": township,
            "case": report(demo, grid=grid, reporter=demo.user(reporter)).case,
            "staff": worker(
                demo,
                name=name,
                phone=phone,
                id_base=phone[-6:] + "19800101001"[:11],
                village=village,
                grid=grid,
            ),
        }

    return {
        "ours": side(demo.township1, demo.village1, demo.grid1, "吴某", "13912345672", "grid1"),
        "theirs": side(
            demo.township2, demo.village2, demo.grid2, "郑某", "13912345673", "township2"
        ),
    }


@pytest.mark.parametrize("route", sorted(SCOPED_CREATES))
def test_a_create_naming_another_jurisdictions_object_is_refused(
    client, demo, sides, other_county, route
):
    body_of, model = SCOPED_CREATES[route]
    ours, theirs = sides["ours"], sides["theirs"]
    if route in COUNTY_ONLY:
        client.force_login(demo.user("county"))
        village = other_county.get_descendants().get(level="village")
        theirs = {"township": village.parent, "village": village, "grid": village}
    else:
        client.force_login(demo.user("township1"))
    before = model.objects.count()
    refused = client.post(reverse(route), body_of(theirs), content_type="application/json")
    assert refused.status_code in (400, 404), (route, refused.status_code, refused.content)
    assert model.objects.count() == before
    body = refused.content.decode()
    assert theirs["township"].name not in body and "郑某" not in body
    # The same request naming one's own objects is accepted: the refusal was the
    # jurisdiction's, not some other fault of the body.
    accepted = client.post(reverse(route), body_of(ours), content_type="application/json")
    assert accepted.status_code in (200, 201), (route, accepted.status_code, accepted.content)
    assert model.objects.count() == before + 1


# --- Writes to objects: the other side's ids in the body --------------------------------------


def test_a_post_of_ones_own_staff_cannot_be_added_in_another_township(client, demo, sides):
    staff = sides["ours"]["staff"]
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("api_staff_posts", args=[staff.pk]),
        {"kind": "grid_worker", "area": demo.grid2.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "area" in response.json()
    assert not Post.objects.filter(staff=staff, area=demo.grid2).exists()


def test_ones_own_staff_cannot_be_moved_to_another_township_nor_given_a_login(client, demo, sides):
    staff = sides["ours"]["staff"]
    client.force_login(demo.user("township1"))
    response = client.patch(
        reverse("api_staff_detail", args=[staff.pk]),
        {"area": demo.village2.pk, "user": demo.user("township2").pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "area" in response.json()
    staff.refresh_from_db()
    assert staff.area == demo.village1 and staff.user_id is None


def test_a_meeting_cannot_discuss_another_townships_case_under_ones_own_area(client, demo, sides):
    body_of, _model = SCOPED_CREATES["api_meeting_list"]
    client.force_login(demo.user("township1"))
    body = body_of({**sides["ours"], "case": sides["theirs"]["case"]})
    response = client.post(reverse("api_meeting_list"), body, content_type="application/json")
    assert response.status_code == 400 and not Meeting.objects.exists()


def test_a_resident_cannot_be_given_a_responsible_worker_of_another_township(client, demo, sides):
    body_of, _model = SCOPED_CREATES["api_resident_list"]
    client.force_login(demo.user("township1"))
    body = body_of({**sides["ours"], "staff": sides["theirs"]["staff"]})
    response = client.post(reverse("api_resident_list"), body, content_type="application/json")
    assert response.status_code == 400 and "responsible" in response.json()
    assert not Resident.objects.exists()


# --- Mass assignment: fields a role may not set are ignored ----------------------------------


def test_a_report_cannot_set_its_own_status_level_place_or_reporter(client, demo, sides):
    client.force_login(demo.user("grid1"))
    body = {
        **case_body(sides["ours"]),
        "status": CaseStatus.CLOSED,
        "level": "county",
        "township": demo.township2.pk,
        "county": demo.county.pk,
        "reporter": demo.user("township2").pk,
        "id": 999_999,
        "created_at": "2020-01-01T00:00:00+08:00",
    }
    response = client.post(reverse("case-list"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.pk != 999_999 and case.status == CaseStatus.REPORTED
    assert case.reporter == demo.user("grid1") and case.township == demo.township1
    assert case.level != "county" and case.created_at.year == TODAY.year


def test_a_resident_registered_cannot_set_their_own_status_or_creator(client, demo, sides):
    body_of, _model = SCOPED_CREATES["api_resident_list"]
    client.force_login(demo.user("township1"))
    body = {
        **body_of(sides["ours"]),
        "status": "moved",
        "created_by": demo.user("county").pk,
        "township": demo.township2.pk,
    }
    response = client.post(reverse("api_resident_list"), body, content_type="application/json")
    assert response.status_code == 201, response.content
    resident = Resident.objects.get()
    assert resident.status == ResidentStatus.ACTIVE and resident.grid == demo.grid1
    assert resident.created_by == demo.user("township1")


def test_a_staff_members_login_and_role_cannot_be_set_through_the_roster(client, demo, sides):
    staff = sides["ours"]["staff"]
    client.force_login(demo.user("township1"))
    response = client.patch(
        reverse("api_staff_detail", args=[staff.pk]),
        {"phone": "13912345674", "user": demo.user("county").pk, "role": "county_admin"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert staff.phone == "13912345674" and staff.user_id is None
    assert demo.user("county").role == "county_admin"  # the county's login is untouched


# --- Moving a person takes the old access away at once -----------------------------------------


def test_a_worker_moved_to_another_township_loses_the_old_grid_on_the_next_request(
    client, demo, sides
):
    county = demo.user("county")
    staff = sides["ours"]["staff"]
    user = staff_services.staff_grant_login(
        staff=staff, username="wumou", password="Tea terraces at dawn, 7 km", actor=county
    )
    client.force_login(user)  # the session stays open through the move
    old_case = reverse("case-detail", args=[sides["ours"]["case"].pk])
    new_grid = tree.in_order(demo.village2.children.all())[1]
    new_area = reverse("area-detail", args=[new_grid.pk])
    assert client.get(old_case).status_code == 200
    assert client.get(new_area).status_code == 404

    post = Post.objects.get(staff=staff, end__isnull=True)
    staff_services.post_end(post=post, actor=county, end=TODAY - timedelta(days=1))
    staff_services.staff_update(
        staff=staff,
        data=staff_services.StaffInput(
            name=staff.name, phone=staff.phone, id_number=staff.id_number,
            gender=staff.gender, area=demo.village2,
        ),
        actor=county,
    )  # fmt: skip
    staff_services.post_add(
        staff=staff, kind="grid_worker", area=new_grid, start=TODAY, actor=county
    )

    assert client.get(old_case).status_code == 404
    assert client.get(reverse("case_detail", args=[sides["ours"]["case"].pk])).status_code == 404
    assert client.get(new_area).status_code == 200
