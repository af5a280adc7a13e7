""" "三零" creation: incidents recorded by the county, read within each role's subtree, and
the villages and townships that fail "三零" in a month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assessment.models import Incident, IncidentKind
from assessment.services.incidents import incident_list, incident_record, three_zero_failures

pytestmark = pytest.mark.django_db

NOT_RECORDERS = ["township1", "police1", "village1", "grid1", "member1", "inspector"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args), timezone.get_default_timezone())


def yesterday() -> datetime:
    return timezone.now() - timedelta(days=1)


def incident(demo, area, *, kind=IncidentKind.CRIMINAL_CASE, at=None, text="一起刑事案件"):
    return Incident.objects.create(
        area=area,
        kind=kind,
        occurred_at=at or timezone.now() - timedelta(minutes=1),
        description=text,
        recorded_by=demo.user("county"),
    )


def api_post(client, demo, username, **body):
    client.force_login(demo.user(username))
    return client.post(reverse("api_incident_list"), body, content_type="application/json")


# --- service ---------------------------------------------------------------------------


def test_the_county_records_an_incident_with_a_stripped_description(demo):
    recorded = incident_record(
        area=demo.grid1,
        kind=IncidentKind.PETITION,
        occurred_at=yesterday(),
        description="  赴省上访  ",
        actor=demo.user("centre"),
    )
    assert recorded.description == "赴省上访"
    assert recorded.recorded_by == demo.user("centre") and recorded.created_at


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("occurred_at", {"occurred_at": timezone.now() + timedelta(hours=2)}),
        ("occurred_at", {"occurred_at": datetime(1999, 12, 31, 12, tzinfo=UTC)}),
        ("description", {"description": "   "}),
        ("kind", {"kind": "robbery"}),
        ("area", {"area": "county"}),
        ("area", {"area": "other_county"}),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    demo, other_county, field, change
):
    args = {
        "area": demo.village1,
        "kind": IncidentKind.ACCIDENT,
        "occurred_at": yesterday(),
        "description": "塌方",
    }
    args |= change
    if args["area"] == "county":
        args["area"] = demo.county
    elif args["area"] == "other_county":
        args["area"] = other_county.get_descendants().get(level="township")
    with pytest.raises(ValidationError) as error:
        incident_record(actor=demo.user("county"), **args)
    assert set(error.value.message_dict) == {field}
    assert not Incident.objects.exists()


@pytest.mark.parametrize("username", NOT_RECORDERS)
def test_only_county_roles_may_record(demo, username):
    with pytest.raises(PermissionDenied):
        incident_record(
            area=demo.grid1,
            kind=IncidentKind.ACCIDENT,
            occurred_at=yesterday(),
            description="x",
            actor=demo.user(username),
        )
    assert not Incident.objects.exists()


# --- three_zero_failures ---------------------------------------------------------------


def test_an_incident_at_a_grid_fails_its_village_and_township_only(demo):
    incident(demo, demo.grid1, kind=IncidentKind.CRIMINAL_CASE)
    incident(demo, demo.grid1, kind=IncidentKind.PETITION)
    failures = three_zero_failures(month=timezone.localdate())
    assert failures == {
        demo.village1.pk: ["criminal_case", "petition"],
        demo.township1.pk: ["criminal_case", "petition"],
    }
    assert demo.township2.pk not in failures and demo.county.pk not in failures


def test_an_incident_at_a_township_fails_the_township_but_no_village(demo):
    incident(demo, demo.township2, kind=IncidentKind.ACCIDENT)
    assert three_zero_failures(month=timezone.localdate()) == {demo.township2.pk: ["accident"]}


def test_months_are_cut_at_local_midnight(demo):
    # 23:30 on 31 March in Shanghai is 15:30 UTC: March. 07:30 on 1 April is still
    # 31 March in UTC, but April locally.
    incident(demo, demo.village1, at=local(2026, 3, 31, 23, 30))
    incident(demo, demo.village2, at=local(2026, 4, 1, 7, 30))
    incident(demo, demo.village2, kind=IncidentKind.PETITION, at=local(2026, 3, 1, 0, 0))
    march = three_zero_failures(month=date(2026, 3, 1))
    april = three_zero_failures(month=date(2026, 4, 1))
    assert march == {
        demo.village1.pk: ["criminal_case"],
        demo.township1.pk: ["criminal_case"],
        demo.village2.pk: ["petition"],
        demo.township2.pk: ["petition"],
    }
    assert april == {demo.village2.pk: ["criminal_case"], demo.township2.pk: ["criminal_case"]}
    assert three_zero_failures(month=date(2026, 2, 1)) == {}


@pytest.mark.parametrize("count", [1, 20])
def test_three_zero_failures_is_one_query_whatever_the_number_of_incidents(
    demo, django_assert_max_num_queries, count
):
    areas = [demo.grid1, demo.grid2, demo.microgrid2, demo.village1, demo.township2]
    for number in range(count):
        incident(demo, areas[number % len(areas)])
    with django_assert_max_num_queries(1):
        failures = three_zero_failures(month=timezone.localdate())
    assert demo.township1.pk in failures and demo.village1.pk in failures


# --- reading ---------------------------------------------------------------------------


def test_township_one_reads_its_own_subtree_only(demo):
    mine = incident(demo, demo.grid1, text="一号镇事件")
    incident(demo, demo.grid2, text="二号镇事件")
    user = demo.user("township1")
    assert list(incident_list(user=user)) == [mine]
    assert list(incident_list(user=user, area=demo.township2)) == []
    assert list(incident_list(user=demo.user("grid1"))) == [mine]
    assert incident_list(user=demo.user("county")).count() == 2


def test_the_list_page_filters_and_shows_no_other_township(client, demo):
    incident(demo, demo.grid1, text="一号镇刑事案件", kind=IncidentKind.CRIMINAL_CASE)
    incident(demo, demo.grid1, text="一号镇上访", kind=IncidentKind.PETITION)
    incident(demo, demo.grid2, text="二号镇事件")
    old = incident(demo, demo.village1, text="去年的事故", kind=IncidentKind.ACCIDENT)
    old.occurred_at = timezone.now() - timedelta(days=400)
    old.save()
    client.force_login(demo.user("township1"))
    url = reverse("incident_list")
    page = client.get(url).content.decode()
    assert "一号镇刑事案件" in page and "一号镇上访" in page and "去年的事故" in page
    assert "二号镇事件" not in page and demo.township2.name not in page
    assert reverse("incident_create") not in page
    page = client.get(url, {"kind": "petition"}).content.decode()
    assert "一号镇上访" in page and "一号镇刑事案件" not in page
    page = client.get(url, {"month": f"{timezone.localdate():%Y-%m}"}).content.decode()
    assert "一号镇上访" in page and "去年的事故" not in page
    page = client.get(url, {"area": demo.township2.pk}).content.decode()
    assert "二号镇事件" not in page
    empty = client.get(url, {"kind": "accident", "month": f"{timezone.localdate():%Y-%m}"})
    assert 'class="empty-state"' in empty.content.decode()


def test_the_api_lists_with_filters_within_the_jurisdiction(client, demo):
    incident(demo, demo.grid1, text="一号镇事件", kind=IncidentKind.PETITION)
    incident(demo, demo.grid2, text="二号镇事件")
    client.force_login(demo.user("township1"))
    url = reverse("api_incident_list")
    body = client.get(url).json()
    assert [row["description"] for row in body["results"]] == ["一号镇事件"]
    assert client.get(url, {"kind": "criminal_case"}).json()["count"] == 0
    assert client.get(url, {"month": f"{timezone.localdate():%Y-%m}"}).json()["count"] == 1
    assert client.get(url, {"area": demo.village1.pk}).json()["count"] == 1
    assert client.get(url, {"area": demo.township2.pk}).status_code == 400
    assert client.get(url, {"month": "March"}).status_code == 400
    client.force_login(demo.user("county"))
    assert client.get(url, {"area": demo.township2.pk}).json()["count"] == 1


# --- recording through the page and the API --------------------------------------------


def test_the_county_records_through_the_page(client, demo):
    client.force_login(demo.user("county"))
    url = reverse("incident_create")
    form = client.get(url).content.decode()
    assert demo.village1.name in form and demo.grid1.name not in form
    when = timezone.localtime(yesterday())
    response = client.post(
        url,
        {
            "area": demo.village1.pk,
            "kind": "accident",
            "occurred_at": f"{when:%Y-%m-%dT%H:%M}",
            "description": "桥梁垮塌",
        },
    )
    assert response.status_code == 302 and response.url == reverse("incident_list")
    saved = Incident.objects.get()
    assert saved.area == demo.village1 and saved.recorded_by == demo.user("county")
    assert timezone.localtime(saved.occurred_at).replace(second=0, microsecond=0) == when.replace(
        second=0, microsecond=0
    )
    response = client.post(
        url,
        {
            "area_code": demo.grid1.code,
            "kind": "petition",
            "occurred_at": f"{when:%Y-%m-%dT%H:%M}",
            "description": "赴京上访",
        },
        follow=True,
    )
    shown = {str(m) for m in response.context["messages"]}
    assert shown & {"The incident is recorded.", "已登记。"}
    assert Incident.objects.filter(area=demo.grid1, kind="petition").exists()


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("occurred_at", {"occurred_at": "2999-01-01T10:00"}),
        ("area", {"area": "county"}),
        ("area_code", {"area": "", "area_code": "439922100200"}),
        ("description", {"description": "  "}),
        ("kind", {"kind": "robbery"}),
    ],
)
def test_the_page_answers_bad_input_with_400_and_field_messages(
    client, demo, other_county, field, change
):
    client.force_login(demo.user("county"))
    data = {
        "area": demo.village1.pk,
        "kind": "accident",
        "occurred_at": f"{timezone.localtime(yesterday()):%Y-%m-%dT%H:%M}",
        "description": "塌方",
    } | change
    if data["area"] == "county":
        data["area"] = demo.county.pk
    response = client.post(reverse("incident_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Incident.objects.exists()


def test_the_county_records_through_the_api(client, demo):
    response = api_post(
        client,
        demo,
        "centre",
        area=demo.grid1.pk,
        kind="criminal_case",
        occurred_at=yesterday().isoformat(),
        description="  盗窃案 ",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "criminal_case" and body["area"]["id"] == demo.grid1.pk
    assert body["description"] == "盗窃案"
    assert Incident.objects.get().recorded_by == demo.user("centre")


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("occurred_at", {"occurred_at": "2999-01-01T10:00:00+08:00"}),
        ("occurred_at", {"occurred_at": "1999-06-01T10:00:00+08:00"}),
        ("area", {"area": "county"}),
        ("area", {"area": "other_county"}),
        ("description", {"description": "   "}),
        ("kind", {"kind": "robbery"}),
    ],
)
def test_the_api_answers_bad_input_field_by_field(client, demo, other_county, field, change):
    body = {
        "area": demo.village1.pk,
        "kind": "accident",
        "occurred_at": yesterday().isoformat(),
        "description": "塌方",
    } | change
    if body["area"] == "county":
        body["area"] = demo.county.pk
    elif body["area"] == "other_county":
        body["area"] = other_county.pk
    response = api_post(client, demo, "county", **body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Incident.objects.exists()


def test_an_unknown_area_id_reads_as_not_existing(client, demo):
    response = api_post(
        client,
        demo,
        "county",
        area=999_999,
        kind="accident",
        occurred_at=yesterday().isoformat(),
        description="x",
    )
    assert response.status_code == 400 and "area" in response.json()


@pytest.mark.parametrize("username", NOT_RECORDERS)
def test_other_roles_get_403_on_the_page_and_the_api(client, demo, username):
    response = api_post(
        client,
        demo,
        username,
        area=demo.grid1.pk,
        kind="accident",
        occurred_at=yesterday().isoformat(),
        description="x",
    )
    assert response.status_code == 403
    assert client.get(reverse("incident_create")).status_code == 403
    response = client.post(
        reverse("incident_create"),
        {"area_code": demo.grid1.code, "kind": "accident", "description": "x"},
    )
    assert response.status_code == 403
    assert client.get(reverse("incident_list")).status_code == 200
    assert not Incident.objects.exists()


def test_county_users_see_the_record_button(client, demo):
    client.force_login(demo.user("county"))
    page = client.get(reverse("incident_list")).content.decode()
    assert reverse("incident_create") in page
