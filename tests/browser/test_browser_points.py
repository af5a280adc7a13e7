"""Village points 积分管理 in a real headless Chromium: village 1 adopts the county's rules,
records a positive and a negative item with photos for two households, approves them; the
notice period passes (time moved in the test) and the points count; a donation fills the
happiness fund and a redemption is made from it; the monthly board and the fund's ledger
show it; a veto item blocks the other household's redemption, with its reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from points.models import ItemKind, PointRecord, RecordStatus, Redemption, RuleItem
from points.selectors import current_rules
from points.services import HouseholdInput, household_add, points_count_due
from tests.browser.helpers import DESKTOP, as_user, shoot
from tests.samples import JPEG

pytestmark = pytest.mark.browser


def photo(name):
    return {"name": name, "mimeType": "image/jpeg", "buffer": JPEG}


def record_item(page, base, household, item):
    page.goto(f"{base}/points/households/{household.pk}/")
    with page.expect_navigation():
        page.click("#record-link")
    page.select_option("#id_item", str(item.pk))
    page.set_input_files("#id_photo", files=[photo("evidence.jpg")])
    with page.expect_navigation():
        page.click("#submit")
    assert page.url == f"{base}/points/households/{household.pk}/", page.locator(
        ".field-error, .error"
    ).all_inner_texts()


def approve_and_let_the_notice_pass(page, base, village):
    page.goto(f"{base}/points/villages/{village.pk}/")
    with page.expect_navigation():
        page.click("#approve-button")
    assert not PointRecord.objects.filter(status=RecordStatus.PENDING).exists()
    assert page.locator("#on-notice tbody tr").count() >= 1
    # The notice period passes: time moves on, and the periodic sweep runs.
    later = timezone.now() + timedelta(days=30)
    assert points_count_due(now=later) >= 1


def test_village_points_from_recording_to_redemption_and_a_veto(browser, live_server, live_demo):
    demo, base = live_demo, live_server.url
    staff = demo.user("village1")
    first, second = (
        household_add(
            actor=staff,
            data=HouseholdInput(grid=demo.grid1, head_name=name, address=address, members=4),
        )
        for name, address in (("王建国", "一组12号"), ("李秀英", "二组3号"))
    )

    page = as_user(browser, live_server, "village1", DESKTOP)
    page.goto(f"{base}/points/")
    with page.expect_navigation():
        page.click(f"#points-villages a[href='/points/villages/{demo.village1.pk}/']")
    with page.expect_navigation():
        page.click("#rules-link")
    with page.expect_navigation():
        page.click("#adopt-defaults")
    assert page.locator("#rule-items tbody tr").count() == 21
    rules = current_rules(village=demo.village1)
    positive = RuleItem.objects.filter(rule_set=rules, kind=ItemKind.POSITIVE).first()
    negative = RuleItem.objects.filter(rule_set=rules, kind=ItemKind.NEGATIVE).first()
    veto = RuleItem.objects.filter(rule_set=rules, kind=ItemKind.VETO).first()

    record_item(page, base, first, positive)
    record_item(page, base, second, negative)
    assert PointRecord.objects.filter(status=RecordStatus.PENDING).count() == 2
    page.goto(f"{base}/points/villages/{demo.village1.pk}/")
    shoot(page, "points-approve")
    approve_and_let_the_notice_pass(page, base, demo.village1)

    page.goto(f"{base}/points/villages/{demo.village1.pk}/")
    balances = page.locator("#households td.balance")
    assert page.locator(
        f"#households tr[data-household='{first.pk}'] td.balance"
    ).inner_text() == str(positive.points)
    assert page.locator(
        f"#households tr[data-household='{second.pk}'] td.balance"
    ).inner_text() == str(negative.points)
    assert balances.count() == 2

    # The fund: a donation in, then a redemption out.
    page.goto(f"{base}/points/villages/{demo.village1.pk}/fund/")
    with page.expect_navigation():
        page.click("#donate-link")
    page.fill("#id_donor", "乡贤张先生")
    page.fill("#id_amount", "1000.50")
    page.fill("#id_receipt", "XF-2026-001")
    with page.expect_navigation():
        page.click("#submit")
    page.goto(f"{base}/points/households/{first.pk}/")
    with page.expect_navigation():
        page.click("#redeem-link")
    page.fill("#id_points", str(positive.points + 1))  # more than it has: refused
    page.fill("#id_goods", "大米一袋")
    page.fill("#id_amount", "35.20")
    page.click("#submit")
    assert page.locator(".field-error").first.is_visible()
    assert not Redemption.objects.exists()
    page.fill("#id_points", "6")
    with page.expect_navigation():
        page.click("#submit")
    assert Redemption.objects.get().amount_fen == 3520
    assert f"{positive.points - 6}" in page.locator("#household-balance").inner_text()

    page.goto(f"{base}/points/villages/{demo.village1.pk}/fund/")
    ledger = page.locator("#fund-ledger")
    assert "大米一袋" in ledger.inner_text() and "965.30" in ledger.inner_text()
    assert "965.30" in page.locator("#fund-totals").inner_text()
    shoot(page, "points-fund")
    page.goto(f"{base}/points/villages/{demo.village1.pk}/board/")
    top = page.locator("#board tbody tr").first
    assert top.get_attribute("data-household") == str(first.pk)
    assert top.locator("td.points").inner_text() == str(positive.points)
    shoot(page, "points-board")

    # A veto item for the second household: its redemption is refused, with the reason.
    record_item(page, base, second, veto)
    approve_and_let_the_notice_pass(page, base, demo.village1)
    page.goto(f"{base}/points/households/{second.pk}/")
    assert veto.text in page.locator("#veto-reason").inner_text()
    with page.expect_navigation():
        page.click("#redeem-link")
    page.fill("#id_points", "1")
    page.fill("#id_goods", "洗衣粉")
    page.fill("#id_amount", "5")
    page.click("#submit")
    assert veto.text in page.locator(".error, .field-error").first.inner_text()
    assert Redemption.objects.count() == 1
