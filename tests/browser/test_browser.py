"""Journeys in a real headless Chromium, driven by Playwright, against a live server."""

import pytest

from tests.browser.helpers import log_in, shoot

pytestmark = pytest.mark.browser


def test_county_logs_in_sees_every_township_and_walks_down_the_tree(
    browser, live_server, live_demo
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "county")
    body = page.locator("main").inner_text()
    for township in (live_demo.township1, live_demo.township2):
        assert township.name in body
    shoot(page, "county-overview")

    page.click("text=区域网格")
    page.wait_for_url(f"{live_server.url}/areas/")
    townships = page.locator("ul.tree.root > li.node")
    assert townships.count() == 3
    # township → villages → grids, each fetched when its node is expanded
    township_row = page.locator(f"li.node:has(> .row a:text-is('{live_demo.township1.name}'))")
    township_row.locator("> .row button.toggle").click()
    village_row = township_row.locator(
        f"li.node:has(> .row a:text-is('{live_demo.village1.name}'))"
    )
    village_row.wait_for()
    village_row.locator("> .row button.toggle").click()
    grid_link = village_row.locator(f".row a:text-is('{live_demo.grid1.name}')")
    grid_link.wait_for()
    shoot(page, "county-tree")

    grid_link.click()
    page.wait_for_url(f"{live_server.url}/areas/{live_demo.grid1.pk}/")
    crumbs = page.locator("nav.breadcrumbs").inner_text()
    assert live_demo.township1.name in crumbs and live_demo.village1.name in crumbs
    page.close()


def test_grid_worker_on_a_phone_sees_only_their_grid(browser, live_server, live_demo):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, "grid1")
    page.goto(f"{live_server.url}/areas/")
    assert page.locator("section.card h2").first.inner_text().startswith(live_demo.grid1.name)
    rows = page.locator("ul.tree.root > li.node")
    assert rows.count() == live_demo.grid1.children.count()
    text = page.locator("main").inner_text()
    assert live_demo.township2.name not in text and live_demo.village2.name not in text
    # the page fits the phone: nothing wider than the viewport
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "grid-worker-phone")

    response = page.goto(f"{live_server.url}/areas/{live_demo.village2.pk}/")
    assert response.status == 404
    page.close()


def test_switching_to_english_keeps_the_choice(browser, live_server, live_demo):
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Log in"
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.close()
