"""The ranking page in a real headless Chromium: it fits a 1366 px screen with no sideways
scrolling, the points are text on the page (not a tooltip), and on a phone every area is a
card; a grid worker lands on a tab that holds their own village."""

from __future__ import annotations

import pytest

from assessment.services.rankings import ranking_publish, rankings_compute
from tests.browser.helpers import PHONE, as_user
from tests.factories import criminal_case, report, resolve, this_month

pytestmark = [pytest.mark.browser]

WIDE = {"viewport": {"width": 1366, "height": 768}}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def ranked(live_demo):
    demo = live_demo
    for _ in range(3):
        resolve(demo, report(demo).case)
    criminal_case(demo, demo.grid2)  # township 2 and its first village are vetoed
    snapshot = rankings_compute(county=demo.county, month=this_month())
    return ranking_publish(snapshot=snapshot, actor=demo.user("county"))


def test_the_ranking_fits_1366_px_with_points_written_out(browser, live_server, ranked):
    page = as_user(browser, live_server, "county", WIDE)
    base = live_server.url
    for query in ("", "?level=village", "?level=village&view=indicators", "?view=indicators"):
        page.goto(f"{base}/assessment/rankings/{query}")
        page.wait_for_selector("table.ranking")
        assert page_width(page) <= 1366, query
    # The comparison holds every indicator with its points visible, no hover needed.
    cell = page.locator("table.ranking.compare td.ind").first
    assert cell.locator(".points").is_visible() and cell.locator(".value").is_visible()
    # The summary folds each row's indicators; one click shows them with their points.
    page.goto(f"{base}/assessment/rankings/?level=village")
    vetoed = page.locator("table.ranking tbody tr.vetoed")
    assert vetoed.count() == 1
    assert page.locator("table.ranking tbody tr").last.get_attribute("class") == "vetoed"
    assert "一票否决" in vetoed.inner_text() and "不排名" in vetoed.inner_text()
    first = page.locator("table.ranking tbody tr").first
    first.locator("details summary").click()
    points = first.locator(".indicator-grid .points")
    assert points.count() >= 5 and points.first.is_visible()
    assert "每千户" in first.locator(".indicator-grid").inner_text()  # per 1,000 households
    assert page_width(page) <= 1366


def test_on_a_phone_each_area_is_a_card_and_a_grid_worker_sees_their_village(
    browser, live_server, ranked, live_demo
):
    page = as_user(browser, live_server, "grid1", PHONE)
    page.goto(f"{live_server.url}/assessment/rankings/")
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 1 and live_demo.village1.name in rows.inner_text()
    assert page.locator("table.ranking thead").is_hidden()  # cards, each value labelled
    assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
    assert page.locator(".own-place").count() == 1
    assert page_width(page) <= 390
