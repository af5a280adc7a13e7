"""The dashboard's statistics: every figure equals the count of the case list filtered the
same way, within the caller's jurisdiction, in a fixed number of queries."""

import importlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import OPEN_STATUSES, Case, CaseKind, CaseLevel, CaseStatus
from disputes.selectors.figures import flags_from_events
from disputes.selectors.stats import RESOLVED_STATUSES, area_stats
from tests.factories import DAY, report, resolve
from tests.support import listed


def stats(client, area, **params) -> dict:
    response = client.get(reverse("area-stats", kwargs={"pk": area.pk}), params)
    assert response.status_code == 200, response.content
    return response.json()


def assert_stats_equal_the_list(client, area, **dates):
    """Every figure of the area's stats against the case list filtered the same way."""
    figures = stats(client, area, **dates)
    where = {"area": area.pk}
    if "from" in dates:
        where["created_after"] = dates["from"]
    if "to" in dates:
        where["created_before"] = dates["to"]
    assert figures["total"] == listed(client, **where)
    for status in CaseStatus.values:
        assert figures["by_status"].get(status, 0) == listed(client, **where, status=status)
    for kind in CaseKind.values:
        assert figures["by_kind"].get(kind, 0) == listed(client, **where, kind=kind)
    for level in CaseLevel.values:
        assert figures["by_level"].get(level, 0) == listed(client, **where, level=level)
    for row in figures["top_categories"]:
        assert row["count"] == listed(client, **where, category=row["code"])
    assert figures["open"] == listed(client, **where, status=list(OPEN_STATUSES))
    assert figures["resolved"] == listed(client, **where, status=list(RESOLVED_STATUSES))
    assert figures["overdue"] == listed(client, **where, status=list(OPEN_STATUSES), overdue=True)
    assert figures["supervised"] == listed(client, **where, supervised=True)
    if "from" in dates:
        assert sum(month["total"] for month in figures["by_month"]) == figures["total"]
    return figures


@pytest.fixture
def township_client(client, demo):
    client.force_login(demo.user("township1"))
    return client


def test_township_figures_equal_the_case_list_filtered_the_same_way(township_client, demo, cases):
    today = timezone.localdate()
    first = today.replace(day=1)
    everything = assert_stats_equal_the_list(township_client, demo.township1)
    assert everything["total"] == 8  # township 2's two cases are not counted
    assert everything["by_kind"] == {"dispute": 6, "hazard": 2}
    assert assert_stats_equal_the_list(township_client, demo.village1)["total"] == 5
    ranged = assert_stats_equal_the_list(
        township_client, demo.township1, **{"from": str(today - 45 * DAY), "to": str(today)}
    )
    assert ranged["total"] == 8
    old_only = assert_stats_equal_the_list(
        township_client,
        demo.township1,
        **{"from": str(today - 45 * DAY), "to": str(today - 35 * DAY)},
    )
    assert old_only["total"] == 1 and old_only["by_kind"] == {"hazard": 1}
    this_month = assert_stats_equal_the_list(
        township_client, demo.township1, **{"from": str(first)}
    )
    # The case reported at 00:30 on the 1st, Beijing time, is this month's, as in the list.
    assert this_month["by_month"] == [
        {
            "month": f"{first:%Y-%m}",
            "total": this_month["total"],
            "resolved": 2,
            "resolution_rate": this_month["resolution_rate"],
            "on_time_rate": this_month["on_time_rate"],
        }
    ]
    assert cases["edge"].pk in {
        row["id"]
        for row in township_client.get(
            reverse("case-list"), {"created_after": str(first), "page_size": 100}
        ).json()["results"]
    }


def test_the_figures_of_the_workflow(township_client, demo, cases):
    figures = stats(township_client, demo.township1)
    assert figures["by_status"] == {"reported": 5, "resolved": 1, "closed": 1, "merged": 1}
    assert figures["open"] == 5 and figures["resolved"] == 2
    assert figures["resolution_rate"] == round(100 * 2 / 7, 1)  # merged cases do not count
    assert figures["on_time_rate"] == 50.0
    assert figures["overdue"] == 1 and figures["supervised"] == 1
    # Escalated by decision twice (one case) and by the sweeps twice (another case).
    assert figures["escalated"] == {"township": 2, "county": 2}
    assert figures["by_level"] == {"village": 6, "county": 2}
    assert figures["top_categories"][0] == {"code": "homestead", "name": "宅基地纠纷", "count": 6}
    assert len(figures["by_month"]) == 12
    assert sum(month["total"] for month in figures["by_month"]) == 8
    assert sum(month["resolved"] for month in figures["by_month"]) == 2


def test_past_deadline_counts_open_cases_whose_deadline_has_passed(demo, cases):
    user = demo.user("township1")
    now = area_stats(user=user, area=demo.township1, start=None, end=None)
    later = area_stats(
        user=user, area=demo.township1, start=None, end=None, now=timezone.now() + 1000 * DAY
    )
    assert now["past_deadline"] == 0
    assert later["past_deadline"] == later["open"] == 5


def test_township_one_gets_404_for_township_two(township_client, demo, cases):
    for area in (demo.township2, demo.village2, demo.county):
        response = township_client.get(reverse("area-stats", kwargs={"pk": area.pk}))
        assert response.status_code == 404


def test_the_county_sees_both_townships(client, demo, cases):
    client.force_login(demo.user("county"))
    county = assert_stats_equal_the_list(client, demo.county)
    assert county["total"] == 10
    assert stats(client, demo.township2)["total"] == 2
    assert stats(client, demo.township1)["total"] == 8


def test_rates_are_null_without_cases(township_client, demo):
    figures = stats(township_client, demo.township1)
    assert figures["total"] == 0 and figures["by_status"] == {}
    assert figures["resolution_rate"] is None and figures["on_time_rate"] is None
    assert [month["total"] for month in figures["by_month"]] == [0] * 12


def test_only_merged_cases_leave_the_resolution_rate_null(demo, other_grid):
    centre = demo.user("township1")
    elsewhere = report(demo, grid=other_grid, reporter=centre).case
    services.case_merge(case=report(demo).case, into=elsewhere, actor=centre)
    figures = area_stats(user=centre, area=demo.village1, start=None, end=None)
    assert figures["total"] == figures["by_status"]["merged"] == 1
    assert figures["resolution_rate"] is None


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
    ],
)
def test_bad_dates_are_400_with_the_field(township_client, demo, params, field):
    response = township_client.get(reverse("area-stats", kwargs={"pk": demo.township1.pk}), params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("count", [3, 30])
def test_the_number_of_queries_does_not_grow_with_the_cases(
    demo, django_assert_max_num_queries, count
):
    for _ in range(count):
        resolve(demo, report(demo).case)
    user = demo.user("township1")
    user.area  # noqa: B018 -- the login's area is loaded once per request, not per case
    # one statement counts by status × kind × level × child, by category and by month; then
    # the categories' names and the children's
    with django_assert_max_num_queries(3) as captured:
        figures = area_stats(user=user, area=demo.township1, start=None, end=None)
    assert figures["total"] == figures["resolved"] == count
    assert len(captured) == 3


FLAGS = ("went_overdue", "escalated_overdue", "escalated_to_township", "escalated_to_county")


def flags_by_case() -> dict[int, dict]:
    return {case.pop("id"): case for case in Case.objects.values("id", *FLAGS)}


def test_the_flags_kept_with_each_event_are_those_its_events_give(cases):
    kept = flags_by_case()
    # The fixture's services and sweeps raise every flag on some case.
    assert all(any(case[flag] for case in kept.values()) for flag in FLAGS)
    Case.objects.update(**dict.fromkeys(FLAGS, False))
    assert flags_from_events(Case.objects.all()) == 2  # the overdue and the escalated case
    assert flags_by_case() == kept


def test_the_migration_that_brought_the_flags_sets_them_from_the_events(cases):
    migration = importlib.import_module("disputes.migrations.0009_case_event_flags")
    kept = flags_by_case()
    Case.objects.update(**dict.fromkeys(FLAGS, False))
    with connection.cursor() as cursor:
        cursor.execute(migration.FLAGS_FROM_EVENTS)
    assert flags_by_case() == kept
