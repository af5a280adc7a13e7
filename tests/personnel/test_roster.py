"""The roster 一警三专N员: its rules, the login kept to the posts, coverage against the
standard, routing of assignment lines by the roster, and the staffing API's scope."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from demo.people import People
from disputes import services as case_services
from disputes.models import Category
from governance.platform.roles import Role
from grids import tree
from grids.models import AreaKind, AreaLevel
from personnel.models import CoverageRecord, EndReason, Post, PostKind, Staff
from personnel.services import staff as services
from personnel.services.coverage import coverage_record, coverage_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked by their English wording; pages are checked in either language.
    with translation.override("en"):
        yield


_people = People(__import__("random").Random(11))


def person(demo, area, *, name: str = "", actor: str = "county") -> Staff:
    return services.staff_create(
        data=services.StaffInput(
            name=name or _people.name(),
            phone=_people.mobile(),
            id_number=_people.id_number("430521"),
            gender="female",
            area=area,
        ),
        actor=demo.user(actor),
    )


def give(demo, staff, kind, area, *, member_type: str = "", start: date | None = None) -> Post:
    return services.post_add(
        staff=staff,
        kind=kind,
        member_type=member_type,
        area=area,
        start=start or timezone.localdate() - timedelta(days=30),
        actor=demo.user("county"),
    )


def gaps_of(report) -> set[tuple[int, str]]:
    return {(gap.area_id, gap.post) for gap in report.gaps}


def staff_village(demo, kind: str):
    """A village of township 1 of the given kind, making one rural/urban if needed."""
    village = tree.in_order(demo.township1.children.all()).filter(kind=kind).first()
    if village is None:
        village = demo.village1
        village.kind = kind
        village.save(update_fields=["kind"])
    return village


# --- Roster rules --------------------------------------------------------------------


def test_a_person_needs_a_valid_id_number_phone_and_area_in_jurisdiction(demo):
    with pytest.raises(ValidationError) as error:
        services.staff_create(
            data=services.StaffInput(
                name="",
                phone="12345",
                id_number="430521199001011234",
                gender="x",
                area=demo.village2,
            ),
            actor=demo.user("township1"),
        )
    assert set(error.value.message_dict) == {"name", "phone", "id_number", "gender", "area"}
    assert Staff.objects.count() == 0


def test_the_same_id_number_cannot_be_on_the_roster_twice(demo):
    first = person(demo, demo.village1)
    with pytest.raises(ValidationError) as error:
        services.staff_create(
            data=services.StaffInput(
                name="另一人",
                phone="13800000000",
                id_number=first.id_number.lower(),
                gender="male",
                area=demo.village1,
            ),
            actor=demo.user("county"),
        )
    assert "already on the roster" in error.value.message_dict["id_number"][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_centres_adding_the_same_person_at_once_leave_one():
    # The ID number is unique within each roster, not by a constraint: a lock keeps the
    # check and the save of one number to one writer at a time.
    import threading

    from django.db import connection

    from tests.factories import build_demo

    demo = build_demo()
    data = services.StaffInput(
        name="另一人", phone="13800000000", id_number=_people.id_number("430521"),
        gender="male", area=demo.village1,
    )  # fmt: skip
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def add(username):
        try:
            barrier.wait()
            services.staff_create(data=data, actor=demo.user(username))
            outcomes.append("added")
        except ValidationError as error:
            outcomes.append(" ".join(error.message_dict))
        except Exception as error:  # anything else is a bug: a 500 for the user
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(name,)) for name in ("county", "township1") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(outcomes) == ["added"] + ["id_number"] * 3
    assert Staff.objects.count() == 1


def test_a_post_is_held_at_its_level_and_inside_the_managing_area(demo):
    staff = person(demo, demo.village1)
    cases = [
        (PostKind.GRID_WORKER, "", demo.village1, "serves a Grid"),
        (PostKind.SECURITY_DIRECTOR, "", demo.grid1, "serves a Village"),
        (PostKind.MEMBER, "party_member", demo.grid1, "Micro-grid"),
        (PostKind.MEMBER, "", demo.grid1, "member's type"),
        (PostKind.GRID_WORKER, "", demo.grid2, "jurisdiction"),
    ]
    for kind, member_type, area, message in cases:
        with pytest.raises(ValidationError) as error:
            services.post_add(
                staff=staff,
                kind=kind,
                member_type=member_type,
                area=area,
                actor=demo.user("township1"),
            )
        assert message in str(error.value.message_dict), message
    other_village = tree.in_order(demo.township1.children.all())[1]
    with pytest.raises(ValidationError) as error:
        give(demo, staff, PostKind.SECURITY_DIRECTOR, other_village)
    assert "outside" in error.value.message_dict["area"][0]
    assert not Post.objects.exists()


def test_a_grid_has_one_grid_worker_at_a_time(demo):
    first = person(demo, demo.village1, name="王一")
    give(demo, first, PostKind.GRID_WORKER, demo.grid1)
    second = person(demo, demo.village1)
    with pytest.raises(ValidationError) as error:
        give(demo, second, PostKind.GRID_WORKER, demo.grid1)
    assert "王一" in error.value.message_dict["area"][0]


def test_ending_a_post_keeps_it_in_the_history(demo):
    staff = person(demo, demo.village1)
    post = give(demo, staff, PostKind.GRID_WORKER, demo.grid1)
    services.post_end(post=post, actor=demo.user("township1"), reason=EndReason.RESIGNED)
    post.refresh_from_db()
    assert post.end == timezone.localdate() and post.end_reason == "resigned"
    with pytest.raises(ValidationError):
        services.post_end(post=post, actor=demo.user("township1"))
    # The grid is free again; the old post stays.
    give(demo, person(demo, demo.village1), PostKind.GRID_WORKER, demo.grid1)
    assert Post.objects.filter(area=demo.grid1).count() == 2


def test_a_post_cannot_end_before_it_started_nor_outside_jurisdiction(demo):
    staff = person(demo, demo.village1)
    post = give(demo, staff, PostKind.GRID_WORKER, demo.grid1)
    with pytest.raises(ValidationError) as error:
        services.post_end(post=post, actor=demo.user("county"), end=post.start - timedelta(days=1))
    assert "before it started" in error.value.message_dict["end"][0]
    with pytest.raises(ValidationError) as error:
        services.post_end(post=post, actor=demo.user("township2"))
    assert "area" in error.value.message_dict


def test_the_login_follows_the_open_posts(demo):
    staff = person(demo, demo.village1)
    member = give(demo, staff, PostKind.MEMBER, demo.grid1, member_type="mediator")
    user = services.staff_grant_login(
        staff=staff, username="mediator7", password="Grid-2026-secure", actor=demo.user("county")
    )
    assert (user.role, user.area_id, user.is_active) == (Role.MEMBER, demo.grid1.pk, True)
    director = give(demo, staff, PostKind.SECURITY_DIRECTOR, demo.village1)
    user.refresh_from_db()
    assert (user.role, user.area_id) == (Role.VILLAGE_STAFF, demo.village1.pk)
    services.post_end(post=director, actor=demo.user("county"))
    user.refresh_from_db()
    assert (user.role, user.area_id) == (Role.MEMBER, demo.grid1.pk)
    services.post_end(post=member, actor=demo.user("county"))
    user.refresh_from_db()
    assert not user.is_active  # no post, no login


def test_an_officer_covering_two_villages_sees_their_township(demo):
    staff = person(demo, demo.township1)
    villages = list(tree.in_order(demo.township1.children.all())[:2])
    for village in villages:
        give(demo, staff, PostKind.POLICE_OFFICER, village)
    user = services.staff_grant_login(
        staff=staff, username="officer2", password="Police-2026-secure", actor=demo.user("county")
    )
    assert (user.role, user.area_id) == (Role.POLICE, demo.township1.pk)


def test_a_login_needs_a_free_username_a_strong_password_and_a_post(demo):
    staff = person(demo, demo.village1)
    with pytest.raises(ValidationError) as error:
        services.staff_grant_login(
            staff=staff, username="grid1", password="123", actor=demo.user("county")
        )
    assert set(error.value.message_dict) == {"username", "password"}


# --- Coverage ------------------------------------------------------------------------


def test_a_rural_village_needs_police_three_specialists_and_a_member(demo):
    village = staff_village(demo, AreaKind.RURAL)
    report = coverage_report(root=village)
    wanted = {"police", "security_director", "traffic_chief", "member"}
    assert {post for area, post in gaps_of(report) if area == village.pk} == wanted
    staff = person(demo, village)
    give(demo, staff, PostKind.AUXILIARY_POLICE, village)
    give(demo, person(demo, village), PostKind.SECURITY_DIRECTOR, village)
    give(demo, person(demo, village), PostKind.TRAFFIC_CHIEF, village)
    give(demo, person(demo, village), PostKind.MEMBER, village, member_type="respected_elder")
    for grid in village.children.all():
        give(demo, person(demo, village), PostKind.GRID_WORKER, grid)
    report = coverage_report(root=village)
    assert report.gaps == []
    assert report.rate == 100.0


def test_an_urban_community_needs_one_officer_and_two_auxiliary_police(demo):
    village = staff_village(demo, AreaKind.URBAN)
    give(demo, person(demo, village), PostKind.POLICE_OFFICER, village)
    give(demo, person(demo, village), PostKind.AUXILIARY_POLICE, village)
    report = coverage_report(root=village, post="auxiliary_police")
    [gap] = report.gaps
    assert (gap.area_id, gap.post, gap.missing) == (village.pk, "auxiliary_police", 1)
    # No specialists are asked of a community.
    assert not {"security_director", "traffic_chief"} & {
        g.post for g in coverage_report(root=village).gaps
    }


def test_ending_a_grid_workers_post_opens_a_gap_since_that_day(demo):
    staff = person(demo, demo.village1)
    post = give(demo, staff, PostKind.GRID_WORKER, demo.grid1)
    assert (demo.grid1.pk, "grid_worker") not in gaps_of(coverage_report(root=demo.county))
    services.post_end(post=post, actor=demo.user("township1"))
    report = coverage_report(root=demo.county)
    [gap] = [g for g in report.gaps if g.area_id == demo.grid1.pk]
    assert gap.since == timezone.localdate()
    never = [g for g in report.gaps if g.area_id != demo.grid1.pk and g.post == "grid_worker"]
    assert never and all(g.since is None for g in never)


def test_coverage_rates_per_township_count_every_required_slot(demo):
    report = coverage_report(root=demo.county)
    townships = {rate.area_id for rate in report.rates}
    assert townships == set(demo.county.children.values_list("id", flat=True))
    assert report.filled == 0 and report.required > 0
    give(demo, person(demo, demo.village1), PostKind.GRID_WORKER, demo.grid1)
    after = {rate.area_id: rate for rate in coverage_report(root=demo.county).rates}
    assert after[demo.township1.pk].filled == 1
    assert after[demo.township2.pk].filled == 0


def test_the_report_is_a_handful_of_queries_whatever_the_subtree(
    demo, django_assert_max_num_queries
):
    give(demo, person(demo, demo.village1), PostKind.GRID_WORKER, demo.grid1)
    with django_assert_max_num_queries(5):
        coverage_report(root=demo.county)


def test_the_daily_record_is_one_row_per_area_and_day_and_idempotent(demo):
    written = coverage_record()
    assert written == CoverageRecord.objects.count() > 0
    coverage_record()
    assert CoverageRecord.objects.count() == written
    township = CoverageRecord.objects.get(area=demo.township1)
    assert township.filled == 0 and township.required > 0


# --- Routing by the roster -----------------------------------------------------------


def reported_case(demo, grid):
    result = case_services.case_report(
        reporter=demo.user("county"),
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=Category.objects.get(code="neighbour"),
        title="邻里纠纷",
        description="两户因排水沟发生争执。",
        grid=grid,
    )
    return case_services.case_accept(case=result.case, actor=demo.user("township1"))


def test_a_vacant_police_post_sends_the_line_to_the_township_centre(demo):
    case = reported_case(demo, demo.grid1)
    case_services.case_assign(case=case, actor=demo.user("township1"), lines=[{"line": "police"}])
    assignment = case.assignments.get()
    assert assignment.handler is None and assignment.staff is None
    assert demo.township1.name in assignment.unit
    assert "vacant" in assignment.routing_note
    event = case.events.get(action="assign")
    assert event.data["lines"][0]["routing"] == assignment.routing_note


def test_the_roster_gives_each_line_its_post_holder(demo):
    officer = person(demo, demo.village1, name="李警官")
    give(demo, officer, PostKind.POLICE_OFFICER, demo.village1)
    user = services.staff_grant_login(
        staff=officer,
        username="li-police",
        password="Police-2026-secure",
        actor=demo.user("county"),
    )
    worker = person(demo, demo.village1, name="赵网格")
    give(demo, worker, PostKind.GRID_WORKER, demo.grid1)
    case = reported_case(demo, demo.grid1)
    case_services.case_assign(
        case=case,
        actor=demo.user("township1"),
        lines=[{"line": "police"}, {"line": "political_legal"}],
    )
    police = case.assignments.get(line="police")
    assert (police.handler, police.staff) == (user, officer)
    # No security director: the grid worker takes the line, without a login of their own.
    other = case.assignments.get(line="political_legal")
    assert other.staff == worker and other.handler is None
    assert "no login" in other.routing_note


def test_a_chosen_handler_is_linked_to_their_roster_entry(demo):
    staff = person(demo, demo.village1)
    give(demo, staff, PostKind.SECURITY_DIRECTOR, demo.village1)
    staff.user = demo.user("village1")
    staff.save()
    case = reported_case(demo, demo.grid1)
    case_services.case_assign(
        case=case,
        actor=demo.user("township1"),
        lines=[{"line": "political_legal", "unit": "村调委会", "handler": demo.user("village1")}],
    )
    assert case.assignments.get().staff == staff


def test_the_case_page_shows_the_roster_suggestion_and_the_routing_note(client, demo):
    case = reported_case(demo, demo.grid1)
    client.force_login(demo.user("township1"))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "By the roster" in page or "按花名册" in page
    response = client.post(
        reverse("case_act", args=[case.pk]), {"action": "assign", "lines": ["police"]}
    )
    assert response.status_code == 302
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert case.assignments.get().routing_note in page


# --- API -----------------------------------------------------------------------------


def api_staff(client, demo, username, **body):
    client.force_login(demo.user(username))
    return client.post(reverse("api_staff_list"), body, content_type="application/json")


def test_the_api_adds_a_person_and_a_post_and_masks_numbers(client, demo):
    id_number = _people.id_number("430521")
    response = api_staff(
        client,
        demo,
        "township1",
        name="陈晓",
        gender="female",
        phone="13912345678",
        id_number=id_number,
        area=demo.village1.pk,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert body["phone"] == "139****5678"
    response = client.post(
        reverse("api_staff_posts", args=[body["id"]]),
        {"kind": "grid_worker", "area": demo.grid1.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    listing = client.get(reverse("api_staff_list"), {"kind": "grid_worker"}).json()
    assert [row["name"] for row in listing["results"]] == ["陈晓"]
    assert id_number not in client.get(reverse("api_staff_list")).content.decode()


def test_the_api_answers_bad_input_field_by_field(client, demo):
    response = api_staff(
        client, demo, "township1", name="", gender="x", phone="1", id_number="1", area=999999
    )
    assert response.status_code == 400
    assert {"name", "gender", "area"} <= set(response.json())
    response = api_staff(
        client,
        demo,
        "township1",
        name="钱七",
        gender="male",
        phone="1",
        id_number="430521199001011234",
        area=demo.village1.pk,
    )
    assert response.status_code == 400
    assert {"phone", "id_number"} <= set(response.json())
    assert Staff.objects.count() == 0


def test_only_centres_keep_the_roster(client, demo):
    for username in ("grid1", "police1", "village1", "member1", "inspector"):
        response = api_staff(
            client,
            demo,
            username,
            name="某人",
            gender="male",
            phone="13912345678",
            id_number=_people.id_number("430521"),
            area=demo.village1.pk,
        )
        assert response.status_code == 403, username


def test_township1_sees_no_staff_of_township2_through_the_api(client, demo):
    outsider = person(demo, demo.village2, name="外镇人")
    post = give(demo, outsider, PostKind.GRID_WORKER, demo.grid2)
    client.force_login(demo.user("township1"))
    assert client.get(reverse("api_staff_list")).json()["count"] == 0
    assert client.get(reverse("api_staff_list"), {"search": "外镇人"}).json()["count"] == 0
    assert client.get(reverse("api_staff_list"), {"area": demo.village2.pk}).status_code == 400
    for name, args in (("api_staff_detail", [outsider.pk]), ("api_staff_posts", [outsider.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 404 and "外镇人" not in response.content.decode()
    response = client.post(
        reverse("api_post_end", args=[post.pk]),
        {"reason": "resigned"},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.patch(
        reverse("api_staff_detail", args=[outsider.pk]),
        {"name": "改名"},
        content_type="application/json",
    )
    assert response.status_code == 404
    # A post in another township cannot be given to one's own person either.
    mine = person(demo, demo.village1)
    response = client.post(
        reverse("api_staff_posts", args=[mine.pk]),
        {"kind": "grid_worker", "area": demo.grid2.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and "area" in response.json()
    county = client.get(reverse("api_staffing_coverage"), {"area": demo.county.pk})
    assert county.status_code == 400


def test_the_coverage_api_shows_a_gap_at_once_when_a_post_ends(client, demo):
    staff = person(demo, demo.village1)
    post = give(demo, staff, PostKind.GRID_WORKER, demo.grid1)
    client.force_login(demo.user("township1"))
    url = reverse("api_staffing_coverage")
    body = client.get(url, {"post": "grid_worker"}).json()
    assert demo.grid1.pk not in {gap["area"] for gap in body["gaps"]}
    assert {rate["area"] for rate in body["rates"]} == {demo.township1.pk}
    response = client.post(
        reverse("api_post_end", args=[post.pk]),
        {"reason": "resigned"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["active"] is False
    body = client.get(url, {"area": demo.village1.pk}).json()
    [gap] = [gap for gap in body["gaps"] if gap["area"] == demo.grid1.pk]
    assert gap["post"] == "grid_worker" and gap["since"] == str(timezone.localdate())
    assert client.get(url, {"post": "nonsense"}).status_code == 400
    assert client.get(url, {"area": "x"}).status_code == 400


def test_the_grid_worker_sees_coverage_of_their_grid_only(client, demo):
    client.force_login(demo.user("grid1"))
    body = client.get(reverse("api_staffing_coverage")).json()
    assert {gap["area"] for gap in body["gaps"]} == {demo.grid1.pk}


@pytest.mark.parametrize("level", [AreaLevel.VILLAGE])
def test_patch_keeps_what_is_not_sent(client, demo, level):
    staff = person(demo, demo.village1, name="孙八")
    client.force_login(demo.user("township1"))
    response = client.patch(
        reverse("api_staff_detail", args=[staff.pk]),
        {"employer": "柳溪村委会"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    staff.refresh_from_db()
    assert (staff.name, staff.employer, staff.area.level) == ("孙八", "柳溪村委会", level)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_centres_filling_one_grid_at_once_leave_one_grid_worker():
    import threading

    from django.db import connection

    from tests.factories import build_demo

    demo = build_demo()
    people = [person(demo, demo.village1) for _ in range(4)]
    barrier = threading.Barrier(len(people))
    added, refused, errors = [], [], []

    def fill(staff):
        try:
            barrier.wait()
            added.append(give(demo, staff, PostKind.GRID_WORKER, demo.grid1))
        except ValidationError as error:
            refused.append(error.message_dict)
        except Exception as error:  # anything else is a bug: a 500 for the user
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fill, args=(staff,)) for staff in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(added) == 1 and len(refused) == 3
    assert all("area" in problems for problems in refused)
    assert Post.objects.filter(area=demo.grid1, end__isnull=True).count() == 1


def test_a_post_from_a_later_date_changes_the_login_on_that_day(demo):
    staff = person(demo, demo.village1)
    give(demo, staff, PostKind.MEMBER, demo.grid1, member_type="volunteer")
    user = services.staff_grant_login(
        staff=staff, username="later1", password="Grid-2026-secure", actor=demo.user("county")
    )
    start = timezone.localdate() + timedelta(days=3)
    give(demo, staff, PostKind.SECURITY_DIRECTOR, demo.village1, start=start)
    user.refresh_from_db()
    assert user.role == Role.MEMBER  # not yet
    # On the day, the daily task moves the login; other days it leaves it alone.
    assert services.logins_sync_due(day=start - timedelta(days=1)) == 0
    assert services.logins_sync_due(day=start) == 1
    user.refresh_from_db()
    assert (user.role, user.area_id) == (Role.VILLAGE_STAFF, demo.village1.pk)


def test_bad_bodies_and_parameters_get_a_field_message_not_a_500(client, demo):
    staff = person(demo, demo.village1)
    client.force_login(demo.user("township1"))
    response = client.patch(
        reverse("api_staff_detail", args=[staff.pk]), ["name"], content_type="application/json"
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()
    response = client.get(reverse("api_staffing_coverage"), {"day": "yesterday"})
    assert response.status_code == 400 and "day" in response.json()


def test_a_profile_shows_only_what_the_viewers_jurisdiction_holds(client, demo):
    from personnel.services.training import training_create

    staff = person(demo, demo.village1, name="周参训")
    topic = "全县网格员集中培训"
    training_create(
        area=demo.county,
        day=timezone.localdate(),
        topic=topic,
        hours=2,
        attendees=[staff.pk],
        actor=demo.user("county"),
    )
    client.force_login(demo.user("county"))
    assert topic in client.get(reverse("staff_detail", args=[staff.pk])).content.decode()
    client.force_login(demo.user("township1"))
    page = client.get(reverse("staff_detail", args=[staff.pk]))
    assert page.status_code == 200 and topic not in page.content.decode()
