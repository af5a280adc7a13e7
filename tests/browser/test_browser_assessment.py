"""The monthly assessment in a real headless Chromium: `county` opens the dashboard (charts
drawn), the ranking, one village's breakdown, publishes the month and downloads the bulletin;
`township1` then sees its own township's place and its own villages only. Screenshots go to
docs/screenshots."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from assessment.models import RankingSnapshot, SnapshotStatus
from assessment.selectors.rankings import ranking_rows
from assessment.services.rankings import rankings_compute
from grids.models import AreaLevel
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    charts_drawn,
    fits_the_phone,
    log_in,
    shoot_for_docs,
    wait_for_charts,
)
from tests.factories import criminal_case, report, resolve, this_month
from tests.ledgers import records

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("charts_installed")]


def as_user(browser, live_server, username, device):
    page = browser.new_context(accept_downloads=True, **device).new_page()
    log_in(page, live_server.url, username)
    return page


def test_the_committee_reviews_publishes_and_downloads_the_bulletin(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    for _ in range(6):
        resolve(demo, report(demo).case)
    for _ in range(2):
        report(demo, grid=demo.grid2, reporter=demo.user("township2"))
    criminal_case(demo, demo.grid2)  # township 2's first village fails "三零"
    snapshot = rankings_compute(county=demo.county, month=this_month())
    county = as_user(browser, live_server, "county", DESKTOP)
    base = live_server.url

    # 0. The committee lands on its to-do, the draft month among the rankings to review,
    # and the dashboard is one tap away: every chart is drawn.
    assert county.url == f"{base}/"
    review = county.locator("section[data-section=rankings]")
    assert review.locator(".todo-count").get_attribute("data-count") == "1"
    county.click("#dashboard-link")
    county.wait_for_url(f"{base}/dashboard/")
    wait_for_charts(county)
    assert all(charts_drawn(county).values())

    # 1. The ranking: townships first, the draft awaiting publication.
    county.goto(f"{base}/assessment/rankings/")
    table = county.locator("table.ranking")
    townships = ranking_rows(user=demo.user("county"), snapshot=snapshot, level="township")
    assert table.locator("tbody tr").count() == len(townships)
    assert county.locator(".badge.draft").count() == 1
    assert county.locator("table.ranking tbody tr.vetoed").count() == 1  # township 2
    shoot_for_docs(county, "ranking-townships-desktop")

    # 2. The villages, then village 1's breakdown with the cases behind its numbers.
    county.click("nav.tabs a:nth-child(2)")
    county.wait_for_selector("table.ranking[data-level=village]")
    vetoed = county.locator("table.ranking tbody tr.vetoed")
    assert vetoed.count() == 1 and demo.village2.name in vetoed.inner_text()
    shoot_for_docs(county, "ranking-villages-desktop")
    county.click(f"table.ranking a:text-is('{demo.village1.name}')")
    county.wait_for_selector("table.breakdown")
    resolution = county.locator("table.breakdown tr[data-code=resolution-rate]")
    assert "100%" in resolution.inner_text() and "6 / 6" in resolution.inner_text()
    shoot_for_docs(county, "ranking-breakdown-desktop")
    with county.expect_navigation():
        resolution.locator("a").first.click()
    assert county.locator("table.cases tbody tr, table.list tbody tr").count() == 6

    # 3. Publish, after a confirmation page.
    county.goto(f"{base}/assessment/rankings/")
    county.click(f"a[href='/assessment/rankings/{snapshot.pk}/publish/']")
    county.wait_for_url(f"{base}/assessment/rankings/{snapshot.pk}/publish/")
    assert RankingSnapshot.objects.get().status == SnapshotStatus.DRAFT
    county.click("main button[type=submit]")
    county.wait_for_selector(".badge.published")
    assert RankingSnapshot.objects.get().status == SnapshotStatus.PUBLISHED

    # 4. The bulletin: the workbook holds the page's ranks and scores; the printable page.
    with county.expect_download() as download:
        county.click(f"a[href='/assessment/rankings/{snapshot.pk}/bulletin.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as saved:  # saved without the file's extension
        workbook = load_workbook(BytesIO(saved.read()))
    page_rows = [  # a vetoed township's rank reads "不排名" on both
        (r.locator("td.rank").inner_text().strip(), float(r.locator("td.score").inner_text()))
        for r in county.locator("table.ranking tbody tr").all()
    ]
    sheet_rows = [(str(row[0]), row[2]) for row in records(workbook.worksheets[0])]
    assert sheet_rows == page_rows
    county.goto(f"{base}/assessment/rankings/{snapshot.pk}/bulletin/")
    assert county.locator("section.bulletin-level:not(.bulletin-cameras)").count() == 2
    assert county.locator("section.bulletin-cameras").count() == 1
    shoot_for_docs(county, "ranking-bulletin-desktop")

    # 5. township1 sees its own place among the townships, and its own villages only.
    township = as_user(browser, live_server, "township1", DESKTOP)
    township.goto(f"{base}/assessment/rankings/")
    assert township.locator(".own-place").count() == 1
    assert township.locator("table.ranking tbody tr").count() == 1
    township.goto(f"{base}/assessment/rankings/?level=village")
    names = township.locator("table.ranking tbody td:nth-child(2)").all_inner_texts()
    mine = ranking_rows(user=demo.user("township1"), snapshot=snapshot, level=AreaLevel.VILLAGE)
    assert sorted(names) == sorted(row.area.name for row in mine)
    assert demo.village2.name not in names
    shoot_for_docs(township, "ranking-township-desktop")
    phone = as_user(browser, live_server, "township1", PHONE)
    phone.goto(f"{base}/assessment/rankings/")
    assert phone.locator(".own-place").count() == 1
    shoot_for_docs(phone, "ranking-township-phone")
    assert fits_the_phone(phone) or phone.locator(".table-wrap").count() >= 1
