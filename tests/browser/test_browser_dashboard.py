"""The dashboard in a real headless Chromium: the county committee logs in and opens the
dashboard from its to-do, every chart is drawn (the map of the demo boundaries included),
the map changes colour by another figure, and the committee drills down into a township.
The screenshot is docs/dashboard.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import CHARTS, charts_drawn, log_in, new_page, shoot, wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("charts_installed")]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"


def map_values(page) -> list:
    return page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-chart="map"]'))
            .getOption().series[0].data.map((item) => item.value)"""
    )


def test_the_county_sees_every_chart_switches_the_map_and_drills_down(
    browser,
    live_server,
    live_demo,
    county_cases,
):
    demo = live_demo
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "county")
    with page.expect_navigation():
        page.click("#dashboard-link")
    page.wait_for_load_state("networkidle")

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


def test_the_dashboard_fits_a_phone(browser, live_server, live_demo, county_cases):
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, "township1")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    assert live_demo.township1.name in page.locator("h1").inner_text()
    wait_for_charts(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "dashboard-phone")  # into test-artifacts/, for a look
    page.close()
