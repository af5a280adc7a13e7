"""Trainings 培训 and phone spot checks 电话访问: recorded by the centres for the roster of
their jurisdiction, listed and counted per township and year, on pages and in the API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from personnel.models import PostKind, SpotCheck, Training
from personnel.services.training import (
    spot_check_create,
    spot_check_list,
    training_counts,
    training_create,
)
from tests.factories import staff_with_post, training_session

TODAY = timezone.localdate()
LAST_YEAR = date(TODAY.year - 1, 6, 15)


@pytest.fixture
def roster(demo):
    """Two people in village 1 (township 1), one managed by township 2."""
    return {
        "a": staff_with_post(demo, demo.village1, post_area=demo.grid1),
        "b": staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE),
        "far": staff_with_post(demo, demo.village2, post_area=demo.grid2),
    }


def test_a_session_is_recorded_with_its_attendees(demo, roster):
    training = training_session(demo, "township1", demo.township1, [roster["a"], roster["b"]])
    assert set(training.attendees.all()) == {roster["a"], roster["b"]}
    assert (training.hours, training.created_by) == (Decimal("2.5"), demo.user("township1"))


def test_attendees_outside_the_jurisdiction_refuse_the_whole_session(demo, roster):
    with pytest.raises(ValidationError) as refused:
        training_session(demo, "township1", demo.township1, [roster["a"], roster["far"]])
    assert "attendees" in refused.value.message_dict
    assert not Training.objects.exists()


def test_a_session_needs_an_area_in_the_jurisdiction_a_topic_hours_and_a_past_date(demo, roster):
    with pytest.raises(ValidationError) as refused:
        training_create(
            area=demo.village2,
            day=TODAY + timedelta(days=1),
            topic="  ",
            hours="0",
            attendees=[],
            actor=demo.user("township1"),
        )
    assert set(refused.value.message_dict) == {"area", "day", "topic", "hours", "attendees"}


def test_only_roster_keepers_record_sessions_and_spot_checks(demo, roster):
    with pytest.raises(PermissionDenied):
        training_session(demo, "village1", demo.village1, [roster["a"]])
    with pytest.raises(PermissionDenied):
        spot_check_create(
            staff=roster["a"],
            day=TODAY,
            reached=True,
            problems="",
            fix="",
            actor=demo.user("village1"),
        )


def test_counts_per_township_and_year(demo, roster):
    training_session(demo, "township1", demo.township1, [roster["a"], roster["b"]])
    training_session(demo, "township1", demo.village1, [roster["a"]])
    training_session(demo, "township2", demo.township2, [roster["far"]])
    training_session(demo, "county", demo.county, [roster["a"], roster["far"]])
    training_session(demo, "township1", demo.township1, [roster["a"]], day=LAST_YEAR)
    for staff, reached, problems in (
        (roster["a"], True, ""),
        (roster["b"], False, ""),
        (roster["b"], True, "不熟悉上报流程"),
        (roster["far"], True, ""),
    ):
        spot_check_create(
            staff=staff,
            day=TODAY,
            reached=reached,
            problems=problems,
            fix="",
            actor=demo.user("county"),
        )
    counts = {c.township: c for c in training_counts(user=demo.user("county"), year=TODAY.year)}
    assert list(counts) == [None, demo.township1, demo.township2]  # county level first
    one, two, county = counts[demo.township1], counts[demo.township2], counts[None]
    assert (one.sessions, one.attendances, one.spot_checks, one.reached, one.problems) == (
        2,
        3,
        3,
        2,
        1,
    )
    assert one.reached_share == 67
    assert (two.sessions, two.attendances, two.spot_checks, two.reached_share) == (1, 1, 1, 100)
    assert (county.sessions, county.attendances, county.spot_checks) == (1, 2, 0)
    last_year = training_counts(user=demo.user("county"), year=LAST_YEAR.year)
    assert [(c.township, c.sessions) for c in last_year] == [(demo.township1, 1)]
    mine = training_counts(user=demo.user("township1"), year=TODAY.year)
    assert [c.township for c in mine] == [demo.township1]


def test_counts_take_one_query_each(demo, roster, django_assert_max_num_queries):
    training_session(demo, "township1", demo.village1, [roster["a"]])
    with django_assert_max_num_queries(4):  # sessions, attendances, spot checks, townships
        training_counts(user=demo.user("county"), year=TODAY.year)


def test_a_spot_check_is_filed_under_the_unit_managing_the_person(demo, roster):
    check = spot_check_create(
        staff=roster["a"],
        day=TODAY,
        reached=False,
        problems="电话无人接听",
        fix="约定每日回电",
        actor=demo.user("township1"),
    )
    assert (check.area, check.checked_by) == (demo.village1, demo.user("township1"))
    assert list(spot_check_list(user=demo.user("township1"))) == [check]
    assert list(spot_check_list(user=demo.user("township2"))) == []


def test_a_spot_check_of_someone_outside_is_refused(demo, roster):
    with pytest.raises(ValidationError) as refused:
        spot_check_create(
            staff=roster["far"],
            day=TODAY,
            reached=True,
            problems="",
            fix="要整改",
            actor=demo.user("township1"),
        )
    assert set(refused.value.message_dict) == {"staff", "fix"}
    assert not SpotCheck.objects.exists()


# --- Pages -----------------------------------------------------------------------------


def test_a_centre_records_a_session_on_the_page(client, demo, roster):
    client.force_login(demo.user("township1"))
    url = reverse("training_create")
    form = client.get(url, {"roster_area": demo.village1.pk})
    html = form.content.decode()
    assert roster["a"].name in html and roster["far"].name not in html
    response = client.post(
        url,
        {
            "area": demo.village1.pk,
            "day": f"{TODAY:%Y-%m-%d}",
            "topic": "网格员业务培训",
            "hours": "3",
            "attendees": [roster["a"].pk, roster["b"].pk],
        },
    )
    assert response.status_code == 302
    training = Training.objects.get()
    assert training.attendees.count() == 2 and training.area == demo.village1
    listed = client.get(reverse("training_list"))
    assert "网格员业务培训" in listed.content.decode()
    assert listed.context["counts"][0].attendances == 2


def test_the_session_page_refuses_someone_else_s_staff(client, demo, roster):
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("training_create"),
        {
            "area": demo.township1.pk,
            "day": f"{TODAY:%Y-%m-%d}",
            "topic": "培训",
            "hours": "2",
            "attendees": [roster["far"].pk],
        },
    )
    assert response.status_code == 400 and "attendees" in response.context["form"].errors
    assert not Training.objects.exists()


def test_a_centre_records_a_spot_check_on_the_page(client, demo, roster):
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("spot_check_create"),
        {"staff": roster["b"].pk, "day": f"{TODAY:%Y-%m-%d}", "reached": "false", "problems": ""},
    )
    assert response.status_code == 302
    assert SpotCheck.objects.get().reached is False
    listed = client.get(reverse("spot_check_list"))
    assert roster["b"].name in listed.content.decode()


def test_other_roles_read_but_do_not_record(client, demo, roster):
    client.force_login(demo.user("village1"))
    assert client.get(reverse("training_list")).status_code == 200
    assert client.get(reverse("spot_check_list")).status_code == 200
    assert client.get(reverse("training_create")).status_code == 403
    assert client.get(reverse("spot_check_create")).status_code == 403


# --- API -------------------------------------------------------------------------------


def test_the_api_records_and_lists_sessions(client, demo, roster):
    client.force_login(demo.user("township1"))
    url = reverse("training-list")
    created = client.post(
        url,
        {
            "area": demo.village1.pk,
            "day": f"{TODAY:%Y-%m-%d}",
            "topic": "平安建设培训",
            "hours": "1.5",
            "attendees": [roster["a"].pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["attendees"], body["attendee_count"], body["hours"]) == (
        [roster["a"].pk],
        1,
        "1.5",
    )
    listed = client.get(url, {"year": TODAY.year}).json()
    assert listed["count"] == 1 and listed["results"][0]["topic"] == "平安建设培训"
    assert client.get(url, {"year": "soon"}).status_code == 400


def test_the_api_answers_bad_sessions_with_field_messages(client, demo, roster):
    client.force_login(demo.user("township1"))
    url = reverse("training-list")
    empty = client.post(url, {}, content_type="application/json")
    assert empty.status_code == 400
    assert set(empty.json()) == {"area", "day", "topic", "hours", "attendees"}
    outside = client.post(
        url,
        {
            "area": demo.village2.pk,
            "day": f"{TODAY:%Y-%m-%d}",
            "topic": "培训",
            "hours": "2",
            "attendees": [roster["a"].pk],
        },
        content_type="application/json",
    )
    assert outside.status_code == 400 and set(outside.json()) == {"area"}
    someone_else = client.post(
        url,
        {
            "area": demo.village1.pk,
            "day": f"{TODAY + timedelta(days=3):%Y-%m-%d}",
            "topic": "培训",
            "hours": "2",
            "attendees": [roster["far"].pk],
        },
        content_type="application/json",
    )
    assert someone_else.status_code == 400 and set(someone_else.json()) == {"day", "attendees"}
    assert not Training.objects.exists()


def test_the_api_records_and_lists_spot_checks(client, demo, roster):
    client.force_login(demo.user("township1"))
    url = reverse("spot-check-list")
    created = client.post(
        url,
        {"staff": roster["a"].pk, "day": f"{TODAY:%Y-%m-%d}", "reached": True, "problems": "无"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["area"] == demo.village1.pk
    refused = client.post(
        url,
        {"staff": roster["far"].pk, "day": "yesterday"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and set(refused.json()) == {"staff", "day", "reached"}
    assert client.get(url).json()["count"] == 1
    client.force_login(demo.user("township2"))
    assert client.get(url).json()["count"] == 0


def test_the_api_refuses_records_from_other_roles(client, demo, roster):
    client.force_login(demo.user("village1"))
    assert client.get(reverse("training-list")).status_code == 200
    response = client.post(
        reverse("spot-check-list"),
        {"staff": roster["a"].pk, "day": f"{TODAY:%Y-%m-%d}", "reached": True},
        content_type="application/json",
    )
    assert response.status_code == 403
