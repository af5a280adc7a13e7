"""What the browser journeys share: logging in, devices, screenshots, the dashboard's
charts."""

from __future__ import annotations

import os
from pathlib import Path

from demo.seed import DEMO_PASSWORD

SHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts")
)


FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")
    # Everyone lands on their to-do; a page that fetches more after loading (the dashboard)
    # finishes first (the SQLite live server shares one connection between its threads).
    page.wait_for_load_state("networkidle")


def shoot(page, name):
    """A screenshot of a journey, kept as a test artifact (SCREENSHOT_DIR)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def as_user(browser, live_server, username, device):
    context = browser.new_context(**device)
    page = context.new_page()
    log_in(page, live_server.url, username)
    return page


CHARTS = ("status", "kind", "categories", "escalations", "trend", "weakest", "map")


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


def new_page(browser, **device):
    page = browser.new_page(**device)
    # The test server shares one SQLite connection between its threads: the favicon's 404
    # page must not query the database while the dashboard's figures are loading.
    page.route("**/favicon.ico", lambda route: route.abort())
    return page


DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot_for_docs(page, name):
    """A screenshot for the README's pictures (docs/screenshots)."""
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SHOTS / f"{name}.png"), full_page=True)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390
