"""The field's phone layout in a real headless Chromium at 390×844 (zh-Hans): for each field
role, every page of the tab bar and every page one tap further fits the screen, shows no
table of more than three columns (lists are cards there), starts within 80 px of the top,
and every page the role works with is at most two taps from the home page; the tab bar
offers none of the centres' pages."""

from __future__ import annotations

import random
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.roster import seed_roster
from disputes import services
from disputes.models import Case
from personnel.models import Staff
from tests.browser.helpers import DESKTOP, PHONE, log_in, shoot
from tests.factories import operations_of, register, report

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}

FIELD_ROLES = ("grid1", "member1", "police1", "village1")

# What the phone must not offer the field: the roster, rankings, 三零 and the API's pages.
NOT_FOR_THE_FIELD = ("/staff/", "/assessment/", "/incidents/", "/api/")

# Links not to follow: files, the administration, leaving the session.
SKIPPED = re.compile(r"\.xlsx|/export|/files/|/photo/|^/admin/|^/api/|^/logout/|^/i18n/")


def field_pages(username: str) -> set[str]:
    """The pages each field role works with (its old menu, less the centres' pages)."""
    pages = {
        "home", "case_report", "my_cases", "case_list", "area_tree", "my_tasks",
        "campaign_list", "instruction_list", "inbox", "password_change", "me",
    }  # fmt: skip
    # The register and visits: a member finds there the people they look after.
    pages |= {"resident_list", "my_visits"}
    if username in ("police1", "village1"):
        pages.add("meeting_list")
    return {reverse(name) for name in pages}


MEASURE = """() => {
    const visible = (el) => {
        const style = getComputedStyle(el);
        return style.display !== "none" && style.visibility !== "hidden"
            && el.getClientRects().length > 0;
    };
    const wide = [];
    for (const table of document.querySelectorAll("main table")) {
        if (!visible(table) || getComputedStyle(table).display !== "table") continue;
        let columns = 0;
        for (const row of table.rows) {
            const cells = [...row.cells].filter((cell) =>
                visible(cell) && getComputedStyle(cell).display === "table-cell");
            columns = Math.max(columns, cells.length);
        }
        if (columns > 3) wide.push((table.className || table.id || "table") + ":" + columns);
    }
    const main = document.querySelector("main");
    return {
        width: document.documentElement.scrollWidth,
        wide,
        top: main.getBoundingClientRect().top + window.scrollY,
        contentTop: (main.firstElementChild || main).getBoundingClientRect().top + window.scrollY,
    };
}"""


def links_of(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "(as) => as.map((a) => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "tel:", "mailto:", "http")):
            continue
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not SKIPPED.search(path) and path not in found:
            found.append(path)
    return found


def check(page, url: str, problems: list[str]) -> None:
    measured = page.evaluate(MEASURE)
    if measured["width"] > 390:
        problems.append(f"{url}: {measured['width']} px wide")
    if measured["wide"]:
        problems.append(f"{url}: tables with more than three columns {measured['wide']}")
    if measured["contentTop"] > 80:
        problems.append(f"{url}: content starts at {measured['contentTop']:.0f} px")


@pytest.fixture
def field_county(live_demo):
    """The tiny demo with its roster, cases reported and assigned to the field's logins, a
    resident due for a visit, and township 1's campaign, instruction and meeting."""
    demo = live_demo
    seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    centre = demo.user("township1")
    for index in range(6):
        report(demo, title=f"村道占用纠纷{index}", reporter=demo.user("grid1"))
    for username in ("grid1", "member1", "police1"):
        reporter = demo.user(username)
        case = report(demo, title=f"宅基地边界争议（{username}）", reporter=reporter).case
        case = services.case_accept(case=case, actor=centre)
        services.case_assign(
            case=case,
            actor=centre,
            lines=[
                {"line": "political_legal", "unit": "村综治中心", "handler": demo.user(username)},
                {"line": "police", "unit": "派出所", "handler": demo.user("police1")},
            ],
        )
    staff = Staff.objects.get(user=demo.user("grid1"))
    register(demo, responsible=staff, name="甲某")
    operations_of(demo, case=case, township=demo.township1, marker="防溺水宣讲")
    return demo


def test_every_field_page_fits_a_phone_and_is_two_taps_from_home(
    browser, live_server, field_county
):
    problems: list[str] = []
    for username in FIELD_ROLES:
        context = browser.new_context(locale="zh-Hans", **PHONE)
        page = context.new_page()
        log_in(page, live_server.url, username)
        base = live_server.url
        check(page, "/", problems)
        tabs = links_of(page, "nav.tabbar a")
        assert len(tabs) == 5, (username, tabs)
        assert not [t for t in tabs if t.startswith(NOT_FOR_THE_FIELD)], (username, tabs)
        # The tab bar is the only menu: it is at the foot of the screen, always in view.
        bar = page.locator("nav.tabbar").bounding_box()
        assert bar["y"] + bar["height"] <= 844 and bar["y"] > 700, bar
        one_tap = tabs + [link for link in links_of(page, "main a") if link not in tabs]
        reached = {"/"} | {urlsplit(link).path for link in one_tap}
        visited = {"/"}
        for link in one_tap:
            if link in visited:
                continue
            visited.add(link)
            page.goto(base + link)
            check(page, link, problems)
            if link not in tabs:
                continue  # a page one tap further is checked, its own links are not walked
            for further in links_of(page, "main a"):
                reached.add(urlsplit(further).path)
                if further in visited:
                    continue
                visited.add(further)
                page.goto(base + further)
                check(page, further, problems)
        missing = field_pages(username) - reached
        assert not missing, (username, sorted(missing))
        if username == "grid1":
            case = Case.objects.filter(title="宅基地边界争议（grid1）").get()
            shots = [("/", "home"), ("/cases/mine/", "my-cases"), ("/me/", "me")]
            shots += [("/work/", "work"), (f"/cases/{case.pk}/", "case")]
            for path, name in shots:
                page.goto(base + path)
                shoot(page, f"phone-{username}-{name}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_centres_work_from_a_side_menu_grouped_by_work(browser, live_server, field_county):
    page = browser.new_page(locale="zh-Hans", **{**DESKTOP, "viewport": WIDE})
    log_in(page, live_server.url, "township1")
    menu = page.locator("nav.sidemenu")
    assert menu.is_visible()
    titles = menu.locator(".menu-title").all_inner_texts()
    assert titles == ["事件办理", "人员力量", "考核评价", "专项工作", "系统管理"]
    assert menu.locator("a[href='/staff/']").count() == 1
    assert menu.locator("a[href='/api/docs/']").count() == 0  # only for those who administer
    page.goto(f"{live_server.url}/cases/")
    shoot(page, "desktop-township1-cases")
    # A handler's and a party's number are masked, with a button to call them.
    case = Case.objects.filter(title="宅基地边界争议（grid1）").get()
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.locator("table.assignments form[data-call]").count() == 2
    assert page.locator("table.parties form[data-call]").count() == 1
    shoot(page, "desktop-township1-case")
    page.close()
