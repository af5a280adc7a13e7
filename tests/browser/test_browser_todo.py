"""Each role's to-do in a real headless Chromium: every role logs in and lands on its own
to-do, on a phone (390×844) and a desktop (1366×900); the page fits the phone, each section's
count is the number its full list shows, and one tap on an item opens its action. The
screenshots are docs/screenshots/home-<role>-phone.png and -desktop.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.services.rankings import rankings_compute
from campaigns.services.instructions import InstructionInput, instruction_send
from disputes import services
from disputes.models import Case
from personnel.models import PostKind
from residents.models import Resident
from tests.browser.helpers import PHONE, fits_the_phone, log_in, new_page, shoot_for_docs
from tests.factories import launched_campaign, register, report, staff_with_post, this_month

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# Screenshot name → the demo login of that role (the grid worker with a roster entry, so
# that campaign tasks and instructions reach them).
ROLES = {
    "county": "county",
    "township": "township1",
    "village": "village1",
    "grid-worker": "worker1",
    "police": "police1",
    "member": "member1",
}


def day_of_work(demo):
    """A township's ordinary day: reports waiting, cases at each step, one near and one
    past its deadline, one supervised; a resident due a visit, a campaign, an instruction."""
    centre = demo.user("township1")
    worker = staff_with_post(demo, demo.village1, post_area=demo.grid1, login="worker1").user
    titles = ["邻里排水沟堵塞纠纷", "宅基地边界争议", "土地承包经营权纠纷", "拖欠工资纠纷"]
    for title in titles:
        report(demo, title=title)
    accepted = services.case_accept(case=report(demo, title="婚姻家庭矛盾").case, actor=centre)
    for title in ("山林权属纠纷", "噪音扰民"):
        case = services.case_accept(case=report(demo, title=title).case, actor=centre)
        services.case_assign(
            case=case,
            actor=centre,
            lines=[{"line": "political_legal", "unit": "村委会", "handler": worker}],
        )
    soon = report(demo, title="道路积水安全隐患").case
    Case.objects.filter(pk=soon.pk).update(
        warn_at=timezone.now() - timedelta(hours=2), deadline=timezone.now() + timedelta(hours=6)
    )
    late = report(demo, title="相邻通行纠纷").case
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=2))
    services.case_supervise(
        case=accepted,
        actor=demo.user("county"),
        deadline=timezone.now() + timedelta(days=3),
        note="请于三日内化解",
    )
    resident = register(demo)
    Resident.objects.filter(pk=resident.pk).update(
        next_visit_due=timezone.localdate() - timedelta(days=3)
    )
    launched_campaign(demo, grids=[demo.grid1], per_grid=3, title="防溺水家访")
    instruction_send(
        actor=centre,
        data=InstructionInput(
            title="协查通告",
            body="发现可疑人员请立即报告派出所。",
            area=demo.township1,
            post_kinds=[PostKind.GRID_WORKER],
            member_types=[],
        ),
    )
    rankings_compute(county=demo.county, month=this_month())


def counts_on(page) -> dict[str, int]:
    return {
        section.get_attribute("data-section"): int(
            section.locator(".todo-count").get_attribute("data-count")
        )
        for section in page.locator("section.todo-section").all()
    }


def test_every_role_lands_on_its_to_do_on_a_phone_and_a_desktop(browser, live_server, live_demo):
    day_of_work(live_demo)
    base = live_server.url
    for role, username in ROLES.items():
        for device, settings in (("phone", PHONE), ("desktop", DESKTOP)):
            page = new_page(browser, **settings)
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            log_in(page, base, username)
            assert page.locator("h1").inner_text().startswith("待办"), (role, device)
            assert page.locator("section.todo-section").count() >= 2, (role, device)
            if device == "phone":
                assert fits_the_phone(page), role
            shoot_for_docs(page, f"home-{role}-{device}")
            assert not errors, errors
            page.close()


def test_the_counts_are_the_lists_and_an_item_is_one_tap_from_its_action(
    browser, live_server, live_demo
):
    day_of_work(live_demo)
    base = live_server.url
    page = new_page(browser, **DESKTOP)
    log_in(page, base, "township1")
    counts = counts_on(page)
    assert counts["triage"] == 4 + 2 and counts["assign"] == 1
    assert counts["due_soon"] == 1 and counts["overdue"] == 1 and counts["supervised"] == 1
    # The full list of 待研判 says the same number.
    page.click("section[data-section=triage] a.todo-all")
    page.wait_for_url(re.compile(r".*/cases/\?todo=triage.*"))
    assert f"共 {counts['triage']} 件" in page.locator("main").inner_text()
    # One tap on the overdue case opens it.
    page.goto(f"{base}/")
    page.click("section[data-section=overdue] .todo-items a")
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert "相邻通行纠纷" in page.locator("h1").inner_text()
    page.close()

    phone = new_page(browser, **PHONE)
    log_in(phone, base, "worker1")
    counts = counts_on(phone)
    assert counts == {"my_cases": 2, "visits": 1, "tasks": 3, "instructions": 1}
    assert "超期" in phone.locator("section[data-section=visits]").inner_text()
    phone.click("section[data-section=tasks] .todo-items a >> nth=0")
    phone.wait_for_url(re.compile(r".*/campaigns/tasks/\d+/$"))
    phone.goto(f"{base}/")
    phone.click("section[data-section=instructions] .todo-items a")
    phone.wait_for_url(re.compile(r".*/instructions/\d+/$"))
    phone.goto(f"{base}/")
    assert counts_on(phone)["instructions"] == 0  # read once opened
    phone.close()
