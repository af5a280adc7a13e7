"""The dashboard in a real headless Chromium: the county committee logs in and lands on the
dashboard, every chart is drawn (the map of the demo boundaries included), the map changes
colour by another figure, and the committee drills down into a township. The screenshot is
docs/dashboard.png."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from assessment.views.dashboard import echarts_url
from disputes import services
from disputes.models import Case, CaseKind, Category
from grids import tree
from tests.browser.test_browser import browser, live_demo, log_in, shoot  # noqa: F401 (fixtures)
from tests.conftest import REQUIRE_SERVICES
from tests.disputes.test_case_workflow import report
from tests.disputes.test_stats import resolve

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
CHARTS = ("status", "kind", "categories", "escalations", "trend", "weakest", "map")


@pytest.fixture(autouse=True)
def _charts_installed():
    if echarts_url() is None:
        reason = "needs ECharts (make setup installs it with npm); none in node_modules"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def county_cases(live_demo):  # noqa: F811
    """A few cases in every village over the year: some resolved, some hazards, one
    escalated twice. Returns this month's."""
    demo = live_demo
    county = demo.user("county")
    hazard = Category.objects.get(code="fire")
    villages = tree.in_order(demo.county.get_descendants().filter(level="village"))
    for index, village in enumerate(villages):
        grid = tree.in_order(village.children.all()).first()
        reported = [report(demo, grid=grid, reporter=county).case for _ in range(1 + index % 4)]
        for case in reported[: index % 3]:
            resolve(demo, case, centre=county)
        if index % 5 == 1:
            report(demo, grid=grid, reporter=county, kind=CaseKind.HAZARD, category=hazard)
    escalated = services.case_accept(case=report(demo).case, actor=county)
    escalated = services.case_escalate(case=escalated, actor=county, reason="村级无法化解")
    services.case_escalate(case=escalated, actor=county, reason="需县级协调")
    # Two cases in three were reported in the months before, for the year's trend.
    now = timezone.now()
    for index, pk in enumerate(Case.objects.order_by("pk").values_list("pk", flat=True)):
        if index % 3:
            months_ago = 1 + index % 11
            Case.objects.filter(pk=pk).update(created_at=now - timedelta(days=30.5 * months_ago))
    return Case.objects.filter(created_at__date__gte=timezone.localdate().replace(day=1))


def new_page(browser, **device):  # noqa: F811
    page = browser.new_page(**device)
    # The test server shares one SQLite connection between its threads: the favicon's 404
    # page must not query the database while the dashboard's figures are loading.
    page.route("**/favicon.ico", lambda route: route.abort())
    return page


def charts_drawn(page) -> dict[str, bool]:
    """For each chart: its container holds a canvas of non-zero size."""
    return page.evaluate(
        """(names) => Object.fromEntries(names.map((name) => {
            const canvas = document.querySelector(`[data-chart="${name}"] canvas`);
            return [name, Boolean(canvas && canvas.width > 0 && canvas.height > 0)];
        }))""",
        list(CHARTS),
    )


def wait_for_charts(page):
    page.wait_for_function(
        """(names) => names.every((name) => {
            const canvas = document.querySelector(`[data-chart="${name}"] canvas`);
            return canvas && canvas.width > 0 && canvas.height > 0;
        })""",
        arg=list(CHARTS),
        timeout=15_000,
    )


def map_values(page) -> list:
    return page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="map"]'))
            .getOption().series[0].data.map((item) => item.value)"""
    )


def test_the_county_sees_every_chart_switches_the_map_and_drills_down(
    browser,  # noqa: F811
    live_server,
    live_demo,  # noqa: F811
    county_cases,
):
    demo = live_demo
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "county")

    assert demo.county.name in page.locator("h1").inner_text()
    wait_for_charts(page)
    assert charts_drawn(page) == dict.fromkeys(CHARTS, True)
    assert page.locator(".map-empty").is_hidden()
    total = page.locator("[data-figure=total] b").inner_text()
    assert int(total) == county_cases.count()
    page.wait_for_timeout(300)  # let the charts settle before the picture
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The map, coloured by overdue cases instead of the resolution rate.
    stats = page.evaluate(
        "(url) => fetch(url).then((r) => r.json())",
        page.locator("#dashboard").get_attribute("data-stats-url"),
    )
    by_rate = {row["id"]: row["resolution_rate"] for row in stats["children"]}
    assert sorted(map_values(page), key=str) == sorted(by_rate.values(), key=str)
    page.select_option("#map-indicator", "overdue")
    page.wait_for_function(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="map"]'))
            .getOption().series[0].data.every((item) => Number.isInteger(item.value))"""
    )
    assert sorted(map_values(page)) == sorted(row["overdue"] for row in stats["children"])

    # Drill down into township 1: its villages, on the map too.
    with page.expect_navigation():
        page.select_option("#dash-area", str(demo.township1.pk))
    assert f"area={demo.township1.pk}" in page.url
    assert demo.township1.name in page.locator("h1").inner_text()
    assert demo.county.name in page.locator("nav.breadcrumbs").inner_text()
    wait_for_charts(page)
    villages = demo.township1.children.count()
    assert page.locator(".areas-table tbody tr").count() == villages
    assert len(map_values(page)) == villages
    assert not errors, errors
    page.close()


def test_the_dashboard_fits_a_phone(browser, live_server, live_demo, county_cases):  # noqa: F811
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, "township1")
    assert live_demo.township1.name in page.locator("h1").inner_text()
    wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "dashboard-phone")  # into test-artifacts/, for a look
    page.close()
