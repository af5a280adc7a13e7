"""A visit at the door in a real headless Chromium on a phone: the grid worker opens My
visits, records a visit to an overdue person and raises a case from it in the same step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes.models import Case, CaseKind
from residents.models import Resident, RiskLevel, Visit
from residents.services.cycles import visit_cycles
from tests.browser.helpers import PHONE, log_in, shoot
from tests.factories import register

pytestmark = pytest.mark.browser


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_grid_worker_records_a_visit_and_raises_a_case_from_the_phone(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    today = timezone.localdate()
    resident = register(demo, name="周某")  # in grid1's grid, nobody responsible: theirs
    Resident.objects.filter(pk=resident.pk).update(
        risk=RiskLevel.MEDIUM, next_visit_due=today - timedelta(days=12)
    )

    # The township centre sees it in the overdue report, and can open its village.
    centre = browser.new_context(**PHONE)
    report = centre.new_page()
    log_in(report, live_server.url, "township1")
    report.goto(f"{live_server.url}/visits/overdue/")
    row = report.locator(f"#by-area tr[data-area='{demo.village1.pk}']")
    assert row.locator(".overdue-count").inner_text() == "1"
    assert report.locator(f"tr[data-resident='{resident.pk}']").count() == 1
    fits_the_phone(report)
    shoot(report, "visits-overdue-phone")
    row.locator("a").click()
    report.wait_for_url(f"{live_server.url}/visits/overdue/?area={demo.village1.pk}")
    grid_row = report.locator(f"#by-area tr[data-area='{demo.grid1.pk}']")
    assert grid_row.locator(".overdue-count").inner_text() == "1"
    centre.close()

    context = browser.new_context(**PHONE)
    phone = context.new_page()
    log_in(phone, live_server.url, "grid1")
    phone.goto(f"{live_server.url}/visits/")
    card = phone.locator(f"#overdue + ul.visit-cards li[data-resident='{resident.pk}']")
    assert "周某" in card.inner_text() and "12" in card.locator(".due").inner_text()
    fits_the_phone(phone)
    shoot(phone, "visits-mine-phone")
    button = card.locator("a.button")
    assert button.bounding_box()["height"] >= 44  # big enough for a thumb

    button.click()
    phone.wait_for_url(f"{live_server.url}/visits/new/{resident.pk}/")
    assert "周某" in phone.locator("#visit-person").inner_text()
    assert phone.locator("#id_visited_on").input_value() == today.isoformat()
    # the case fields fold away until the box is ticked
    assert not phone.locator("#id_title").is_visible()
    phone.locator("label.chip:has(input[name=met][value=no])").click()
    phone.fill("#id_situation", "家中无人，邻居称其外出打工，已电话联系本人。")
    phone.locator("label.chip:has(input[name=risk_after][value=high])").click()
    phone.fill("#id_follow_up", "三日内再次上门")
    phone.check("#id_raise_case")
    assert phone.locator("#id_title").is_visible()
    assert phone.locator("input[name=kind][value=key_person]").is_checked()
    phone.select_option("#id_category", "key_person")
    phone.fill("#id_title", "在管人员外出失联")
    phone.fill("#id_description", "走访未见本人，电话中称在外打工，拒绝告知地址。")
    fits_the_phone(phone)
    for selector in (
        "form[data-report-form] button[type=submit]",
        "label.chip:has(input[value=high]) span",
    ):
        assert phone.locator(selector).first.bounding_box()["height"] >= 44
    shoot(phone, "visit-form-phone")

    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/visits/")
    assert phone.locator(".messages li.success").count() == 1

    visit = Visit.objects.get()
    case = Case.objects.get()
    assert visit.resident == resident and not visit.met and visit.risk_after == RiskLevel.HIGH
    assert visit.recorded_by == demo.user("grid1")
    assert visit.case == case and case.reporter == demo.user("grid1")
    assert case.kind == CaseKind.KEY_PERSON and case.title == "在管人员外出失联"
    resident.refresh_from_db()
    cycle = visit_cycles(county=demo.county)[(resident.category, RiskLevel.HIGH)]
    assert resident.risk == RiskLevel.HIGH
    assert resident.next_visit_due == today + timedelta(days=cycle)

    # no longer overdue: due again within the week (high risk is visited weekly)
    assert phone.locator(f"#overdue + ul li[data-resident='{resident.pk}']").count() == 0
    assert phone.locator(f"#recent + ul.recent-visits a[href='/cases/{case.pk}/']").count() == 1
    fits_the_phone(phone)
    shoot(phone, "visits-mine-after-phone")

    phone.click(f"a[href='/cases/{case.pk}/']")
    phone.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    context.close()
