"""Meetings, instructions and inspections in a real headless Chromium: a township centre
records its daily analysis meeting with one case assigned and prints the minutes; it sends
an urgent instruction that a grid worker reads on a phone; the county records an inspection
and the township reports the problem fixed."""

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Instruction
from demo.roster import seed_roster
from disputes.models import CaseStatus
from personnel.models import PostKind
from supervision.models import InspectionProblem, Meeting, ProblemStatus
from tests.browser.helpers import DESKTOP, PHONE, as_user, shoot
from tests.factories import report

pytestmark = pytest.mark.browser


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_township_records_a_meeting_that_assigns_a_case_and_prints_the_minutes(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    case = report(demo, title="宅基地边界争议", client_uuid=uuid.uuid4()).case
    other = report(demo, title="噪音扰民", client_uuid=uuid.uuid4()).case

    page = as_user(browser, live_server, "township1", DESKTOP)
    page.goto(f"{live_server.url}/meetings/")
    page.click("#record-link")
    page.locator("label.chip:has(input[value=township_daily])").click()
    page.select_option("#id_area", str(demo.township1.pk))
    shoot(page, "meeting-place")
    with page.expect_navigation():
        page.click("#place-form button[type=submit]")
    assert page.locator(f"tbody.queue-item[data-case='{case.pk}']").count() == 1

    page.fill("#id_chair", "李镇长")
    page.fill("#id_participants", "综治中心、派出所、司法所、法庭")
    page.fill("#id_summary", "研判本周矛盾纠纷两起，其中宅基地纠纷交办司法所牵头调解。")
    row = page.locator(f"tbody.queue-item[data-case='{case.pk}']")
    assert not row.locator("tr.decide").is_visible()  # folded until the case is ticked
    row.locator("input[name$='-pick']").check()
    assert row.locator("tr.decide").is_visible()
    row.locator("label.chip:has(input[value=key_attention])").click()
    row.locator("label.check:has(input[value=criminal])").click()
    row.locator("label.chip:has(input[name$='-decision'][value=assign])").click()
    assert row.locator(".if-assign").is_visible() and not row.locator(".if-supervise").is_visible()
    row.locator("input[name$='-note']").fill("司法所牵头调解")
    watched = page.locator(f"tbody.queue-item[data-case='{other.pk}']")
    watched.locator("input[name$='-pick']").check()
    shoot(page, "meeting-create")

    # Supervising without a deadline: the row says so, the rest is kept.
    watched.locator("label.chip:has(input[name$='-decision'][value=supervise])").click()
    with page.expect_navigation():
        page.click("#meeting-form button[type=submit]")
    assert not Meeting.objects.exists()
    watched = page.locator(f"tbody.queue-item.has-error[data-case='{other.pk}']")
    assert watched.locator(".if-supervise .field-error").is_visible()
    assert page.locator("#id_chair").input_value() == "李镇长"
    shoot(page, "meeting-create-error")
    watched.locator("label.chip:has(input[name$='-decision'][value=watch])").click()

    with page.expect_navigation():
        page.click("#meeting-form button[type=submit]")
    meeting = Meeting.objects.get()
    assert page.url == f"{live_server.url}/meetings/{meeting.pk}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert page.locator(f"tr[data-case='{case.pk}'] td.event").inner_text().strip() != "—"
    shoot(page, "meeting-detail")

    page.click("#minutes-link")
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
    assert "李镇长" in page.locator("#minutes").inner_text()
    assert page.locator(".minutes-cases tbody tr").count() == 2
    shoot(page, "meeting-minutes")
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("[data-print]").is_visible()
    shoot(page, "meeting-minutes-print")

    # The case's timeline names the meeting, with a link back to it.
    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.click(".event-source a")
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    page.context.close()


def test_a_township_sends_an_instruction_a_grid_worker_reads_it_on_a_phone(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())

    page = as_user(browser, live_server, "township1", DESKTOP)
    page.goto(f"{live_server.url}/instructions/")
    page.click("#send-link")
    shoot(page, "instruction-create")
    page.fill("#id_title", "寒潮大风预警")
    page.fill("#id_body", "今夜至明日有寒潮大风，请立即入户提醒独居老人做好防寒，排查危房。")
    for kind in PostKind.values:
        if kind not in (PostKind.GRID_WORKER, PostKind.MEMBER):
            page.uncheck(f"#post_kinds input[value={kind}]")
    with page.expect_navigation():
        page.click("form button.primary.wide")
    assert page.locator("#confirm-send").is_visible()
    shoot(page, "instruction-confirm")
    with page.expect_navigation():
        page.click("#confirm-send button[name=confirm]")
    instruction = Instruction.objects.get()
    assert page.url == f"{live_server.url}/instructions/{instruction.pk}/"

    phone = as_user(browser, live_server, "grid1", PHONE)
    phone.goto(f"{live_server.url}/instructions/")
    card = phone.locator(f"li.instruction-card.unread[data-instruction='{instruction.pk}']")
    fits(phone, 390)
    shoot(phone, "instruction-list-phone")
    card.locator("a").click()
    phone.wait_for_url(f"{live_server.url}/instructions/{instruction.pk}/")
    assert phone.locator("#read-receipt").is_visible()
    fits(phone, 390)
    shoot(phone, "instruction-detail-phone")
    phone.context.close()

    page.reload()
    figures = {
        name: int(page.locator(f"[data-figure={name}] b").inner_text().replace(",", ""))
        for name in ("recipients", "read", "unread")
    }
    assert figures["read"] == 1
    assert figures["read"] + figures["unread"] == figures["recipients"]
    shoot(page, "instruction-detail")
    boxes = page.locator("#confirm-form input[name=receipt]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_navigation():
        page.click("#confirm-form button[type=submit]")
    assert int(page.locator("[data-figure=read] b").inner_text()) == 3
    page.context.close()


def test_the_county_records_an_inspection_and_the_township_reports_the_fix(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    page = as_user(browser, live_server, "centre", DESKTOP)
    page.goto(f"{live_server.url}/inspections/")
    page.click("#record-link")
    page.select_option("#id_area", str(demo.village1.pk))
    page.fill("#id_inspectors", "王督导、陈督导")
    page.fill("#id_score", "86.5")
    rows = page.locator("#checklist li.checklist-row")
    for index in range(8):
        result = "no" if index == 1 else "yes"
        rows.nth(index).locator(f"label.chip:has(input[value={result}])").click()
    rows.nth(1).locator("input[name$='-note']").fill("两名网格员不在岗")
    page.fill("#id_problems-0-description", "网格员巡查记录缺失")
    fix_by = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.fill("#id_problems-0-fix_by", fix_by)
    shoot(page, "inspection-create")
    with page.expect_navigation():
        page.click("#inspection-form button[type=submit]")
    problem = InspectionProblem.objects.get()
    assert page.url.endswith(f"/inspections/{problem.inspection_id}/")
    shoot(page, "inspection-detail")
    page.context.close()

    phone = as_user(browser, live_server, "township1", PHONE)
    phone.goto(f"{live_server.url}/inspections/{problem.inspection_id}/")
    card = phone.locator(f"#problem-{problem.pk}")
    card.locator("details.fix summary").click()
    card.locator("textarea").fill("已补齐巡查记录并建立每日打卡制度")
    fits(phone, 390)
    shoot(phone, "inspection-fix-phone")
    with phone.expect_navigation():
        card.locator("button[type=submit]").click()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FIXED
    phone.goto(f"{live_server.url}/inspections/problems/")
    fits(phone, 390)
    shoot(phone, "problem-list-phone")
    phone.context.close()
