"""The dashboard of the centres and the committee (linked from their to-do). Every number on it that
links to the case list equals the count of that list; the children's figures come from one
GROUP BY whatever their number; the map's boundaries stay inside the jurisdiction."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.views import dashboard as dashboard_views
from demo.seed import demo_tree
from disputes.models import OPEN_STATUSES
from disputes.selectors.stats import RESOLVED_STATUSES
from grids import tree
from grids.models import Area, AreaLevel
from grids.rules import area_object_errors
from grids.services import area_create
from personnel.models import User
from tests.factories import report
from tests.support import listed

DAY = timedelta(days=1)
DASHBOARD = "assessment/dashboard.html"


class CaseListLinks(HTMLParser):
    """Every link to the case list with the number it shows (the <b> of a key figure, or
    the link's own text)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._bold: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith(reverse("case_list")):
            self._href, self._text, self._bold = href, [], None
        elif tag == "b" and self._href:
            self._bold = []

    def handle_data(self, data):
        if self._href:
            (self._bold if self._bold is not None else self._text).append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href:
            shown = "".join(self._bold if self._bold is not None else self._text)
            self.links.append((self._href, shown.strip()))
            self._href = None


def numbers_linked_to_the_case_list(html: str) -> list[tuple[str, int]]:
    parser = CaseListLinks()
    parser.feed(html)
    return [
        (href, int(shown.replace(",", "")))
        for href, shown in parser.links
        if shown.replace(",", "").isdigit()  # rates link to the resolved cases they count
    ]


def listed_on_the_page(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.fixture
def township_client(client, demo):
    client.force_login(demo.user("township1"))
    return client


@pytest.mark.parametrize("username", ["county", "centre", "township1"])
def test_centres_and_the_committee_have_the_dashboard(client, demo, username):
    client.force_login(demo.user(username))
    response = client.get(reverse("dashboard"))
    assert DASHBOARD in [template.name for template in response.templates]
    root = demo.county if username != "township1" else demo.township1
    assert response.context["area"] == root


@pytest.mark.parametrize("username", ["grid1", "village1", "police1", "member1", "inspector"])
def test_other_roles_keep_the_area_overview(client, demo, username):
    client.force_login(demo.user(username))
    response = client.get(reverse("dashboard"))
    names = [template.name for template in response.templates]
    assert "home.html" in names and DASHBOARD not in names


def test_an_operator_gets_the_dashboard_of_the_first_root(client, demo):
    operator = User.objects.create_superuser("operator", password="x")
    client.force_login(operator)
    response = client.get(reverse("dashboard"))
    assert response.context["area"] == demo.county


@pytest.mark.parametrize(
    "params",
    [
        {},  # this month, the whole township
        {"period": "year"},
        {"from": -45, "to": -35},  # only the case reported 40 days ago
        {"from": -45, "to": 0},
        {"area": "village1"},  # drilled down into a village
        {"area": "other_village", "period": "year"},
    ],
    ids=["month", "year", "range-old", "range", "village", "other-village-year"],
)
@pytest.mark.usefixtures("cases")
def test_every_figure_equals_the_case_list_filtered_the_same_way(township_client, demo, params):
    today = timezone.localdate()
    query = {
        key: str(today + value * DAY) if key in ("from", "to") else value
        for key, value in params.items()
    }
    if "area" in query:
        other_village = tree.in_order(demo.township1.children.exclude(pk=demo.village1.pk))[0]
        query["area"] = {"village1": demo.village1, "other_village": other_village}[
            query["area"]
        ].pk
    response = township_client.get(reverse("dashboard"), query)
    assert response.status_code == 200
    figures = response.context["stats"]
    links = numbers_linked_to_the_case_list(response.content.decode())
    # the key figures, and every status, kind, category and area below that has cases
    assert len(links) >= 5 + len(figures["by_status"]) + len(figures["by_kind"])
    for href, shown in links:
        assert shown == listed_on_the_page(township_client, href), href
    assert links[0][1] == figures["total"]  # the first key figure


@pytest.mark.usefixtures("cases")
def test_the_figures_of_a_month_a_range_and_a_village(township_client, demo):
    today = timezone.localdate()
    month = township_client.get(reverse("dashboard")).context["stats"]
    assert month["total"] == 7  # the case reported 40 days ago is last month's
    old = township_client.get(
        reverse("dashboard"), {"from": str(today - 45 * DAY), "to": str(today - 35 * DAY)}
    ).context["stats"]
    assert old["total"] == 1 and old["by_kind"] == {"hazard": 1}
    village = township_client.get(
        reverse("dashboard"), {"area": demo.village1.pk, "period": "year"}
    ).context
    assert village["area"] == demo.village1 and village["stats"]["total"] == 5
    assert [a.pk for a in village["ancestors"]] == [demo.township1.pk]


@pytest.mark.usefixtures("cases")
def test_each_child_figure_equals_its_case_list(township_client, demo):
    today = timezone.localdate()
    dates = {"from": str(today - 45 * DAY), "to": str(today)}
    where = {"created_after": dates["from"], "created_before": dates["to"]}
    figures = township_client.get(
        reverse("area-stats", kwargs={"pk": demo.township1.pk}), dates
    ).json()
    children = figures["children"]
    assert {row["id"] for row in children} == set(
        demo.township1.children.values_list("pk", flat=True)
    )
    for row in children:
        mine = {**where, "area": row["id"]}
        assert row["total"] == listed(township_client, **mine)
        assert row["resolved"] == listed(township_client, **mine, status=list(RESOLVED_STATUSES))
        assert row["open"] == listed(township_client, **mine, status=list(OPEN_STATUSES))
        assert row["overdue"] == listed(
            township_client, **mine, status=list(OPEN_STATUSES), overdue=True
        )
        assert row["supervised"] == listed(township_client, **mine, supervised=True)
        assert row["level"] == AreaLevel.VILLAGE and row["has_boundary"] is True
    assert sum(row["total"] for row in children) == figures["total"]
    # Weakest first; villages without a case (no rate) last.
    rates = [row["resolution_rate"] for row in children]
    rated = [rate for rate in rates if rate is not None]
    assert rated == sorted(rated) and rates[: len(rated)] == rated
    village1 = next(row for row in children if row["id"] == demo.village1.pk)
    assert village1["resolution_rate"] == round(100 * 1 / 4, 1)  # one merged duplicate left out
    assert village1["per_thousand_households"] == round(
        1000 * village1["total"] / demo.village1.households, 1
    )


@pytest.mark.usefixtures("cases")
def test_the_county_sees_its_townships_and_the_month_trend_has_rates(client, demo):
    client.force_login(demo.user("county"))
    figures = client.get(reverse("area-stats", kwargs={"pk": demo.county.pk})).json()
    by_township = {row["id"]: row["total"] for row in figures["children"]}
    assert by_township == {
        demo.township1.pk: 8,
        demo.township2.pk: 2,
        **{
            pk: 0
            for pk in demo.county.children.exclude(
                pk__in=[demo.township1.pk, demo.township2.pk]
            ).values_list("pk", flat=True)
        },
    }
    this_month = figures["by_month"][-1]
    assert this_month["on_time_rate"] == 50.0 and this_month["resolution_rate"] is not None


@pytest.mark.usefixtures("cases")
def test_grids_have_no_children_rows_and_micro_grids_none_either(township_client, demo):
    for area in (demo.grid1, demo.grid1.children.first()):
        response = township_client.get(reverse("area-stats", kwargs={"pk": area.pk}))
        assert response.json()["children"] == []
    village = township_client.get(reverse("area-stats", kwargs={"pk": demo.village1.pk})).json()
    assert {row["level"] for row in village["children"]} == {AreaLevel.GRID}


@pytest.mark.parametrize("extra_grids", [0, 12])
def test_the_stats_cost_the_same_queries_for_two_children_or_many(
    township_client, demo, extra_grids, settings
):
    settings.STATS_CACHE_SECONDS = 0  # what computing them costs (cached: test_stats_cache)
    village = demo.village1  # two grids in the tiny demo
    for number in range(extra_grids):
        grid = area_create(
            code=f"{village.code}{900 + number}",
            name=f"加密第{number + 1}网格",
            level=AreaLevel.GRID,
            parent=village,
        )
        report(demo, grid=grid, reporter=demo.user("township1"))
    report(demo)
    url = reverse("area-stats", kwargs={"pk": village.pk})
    township_client.get(url)  # the session, once
    with CaptureQueriesContext(connection) as captured:
        figures = township_client.get(url).json()
    assert len(figures["children"]) == 2 + extra_grids
    # session, user, user's area, the area; one statement for the figures by status × kind
    # × level × child, by category and by month; the categories' and the children's names
    assert len(captured) == 7, [query["sql"] for query in captured]


@pytest.mark.usefixtures("cases")
def test_the_dashboard_page_costs_a_fixed_number_of_queries(
    township_client, demo, django_assert_num_queries, settings
):
    settings.STATS_CACHE_SECONDS = 0  # what computing them costs (cached: test_stats_cache)
    township_client.get(reverse("dashboard"))
    # session, user, user's area, unread count; the three of the stats and the year's months
    with django_assert_num_queries(8):
        township_client.get(reverse("dashboard"))
    # ... and the drilled-down area and its breadcrumbs
    with django_assert_num_queries(10):
        township_client.get(reverse("dashboard"), {"area": demo.village1.pk})


def test_the_dashboard_of_a_subtree_without_cases_says_so(township_client, demo):
    response = township_client.get(reverse("dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="empty-state"' in page and 'data-chart="status"' not in page
    assert response.context["stats"]["total"] == 0
    assert 'data-chart="trend"' in page and 'data-chart="map"' in page  # the places remain


def test_drilling_outside_the_jurisdiction_is_404(township_client, demo):
    for area in (demo.village2, demo.township2, demo.county):
        assert township_client.get(reverse("dashboard"), {"area": area.pk}).status_code == 404


def test_bad_dates_say_so_and_show_this_month(township_client, demo):
    response = township_client.get(reverse("dashboard"), {"from": "2025-03-02", "to": "2025-03-01"})
    assert response.status_code == 200
    assert response.context["period"] == "month"
    assert 'role="alert"' in response.content.decode()


@pytest.mark.usefixtures("cases")
def test_without_the_chart_library_the_figures_are_tables(township_client, demo, monkeypatch):
    # As after a setup without npm: the library is neither in node_modules nor collected.
    monkeypatch.setattr(dashboard_views, "ECHARTS", "vendor/echarts/not-installed.js")
    response = township_client.get(reverse("dashboard"))
    page = response.content.decode()
    assert response.status_code == 200 and response.context["echarts_url"] is None
    assert "vendor/echarts" not in page and 'class="note"' in page
    assert '<details class="as-table" open>' in page


def test_with_the_chart_library_it_is_served_locally(township_client, demo):
    if not (django_settings.BASE_DIR / "node_modules" / "echarts").is_dir():
        pytest.skip("needs ECharts installed by `make setup` (npm)")
    page = township_client.get(reverse("dashboard")).content.decode()
    # (hashed, with the production storage: echarts.min.<hash>.js)
    assert re.search(r'<script src="/static/vendor/echarts/echarts\.min\.(\w+\.)?js" defer>', page)
    assert finders.find("vendor/echarts/echarts.min.js")


def test_boundaries_are_the_children_that_have_one(township_client, demo):
    village = tree.in_order(demo.township1.children.all()).last()
    Area.objects.filter(pk=village.pk).update(boundary=None)
    response = township_client.get(reverse("area-boundaries", kwargs={"pk": demo.township1.pk}))
    assert response.status_code == 200
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    expected = set(demo.township1.children.exclude(pk=village.pk).values_list("pk", flat=True))
    assert {feature["properties"]["id"] for feature in collection["features"]} == expected
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and set(feature["properties"]) == {"id", "name"}
        assert feature["geometry"]["type"] == "Polygon"
    grids = township_client.get(reverse("area-boundaries", kwargs={"pk": demo.village1.pk}))
    assert grids.json() == {"type": "FeatureCollection", "features": []}


def test_boundaries_outside_the_jurisdiction_are_404(client, township_client, demo, other_county):
    for area in (demo.township2, demo.village2, demo.county, other_county):
        url = reverse("area-boundaries", kwargs={"pk": area.pk})
        response = township_client.get(url)
        assert response.status_code == 404
        assert demo.village2.name not in response.content.decode()
    client.logout()
    anonymous = client.get(reverse("area-boundaries", kwargs={"pk": demo.township1.pk}))
    assert anonymous.status_code in (401, 403)


def test_demo_townships_and_villages_have_valid_boundaries_that_tile(db):
    areas = demo_tree(scale="tiny", seed=7)
    assert demo_tree(scale="tiny", seed=7)[1].boundary == areas[1].boundary  # deterministic
    townships = [a for a in areas if a.level == AreaLevel.TOWNSHIP]
    villages = [a for a in areas if a.level == AreaLevel.VILLAGE]
    for area in townships + villages:
        assert "boundary" not in area_object_errors(area), area.name
        ring = area.boundary["coordinates"][0]
        assert ring[0] == ring[-1] and signed_area(ring) > 0  # closed, counter-clockwise
        lng, lat = float(area.centre_lng), float(area.centre_lat)
        assert min(p[0] for p in ring) < lng < max(p[0] for p in ring)
        assert min(p[1] for p in ring) < lat < max(p[1] for p in ring)
    for township in townships:  # the villages cover their township exactly
        inside = sum(
            signed_area(v.boundary["coordinates"][0]) for v in villages if v.parent is township
        )
        assert inside == pytest.approx(signed_area(township.boundary["coordinates"][0]))
    assert all(
        a.boundary is None for a in areas if a.level in (AreaLevel.GRID, AreaLevel.MICROGRID)
    )


def signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2
