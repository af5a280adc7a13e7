"""Village points 积分管理: an item counts only after approval and a notice with no
objection standing; the fund balances to the fen; no household spends more points than it
has, nor redeems under a veto; resends make one record; outsiders see nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.utils import timezone

from audit.models import AuditEntry
from points import selectors
from points.models import (
    Donation,
    Household,
    ItemKind,
    PointRecord,
    RecordStatus,
    Redemption,
    RuleSet,
)
from points.services import (
    DonationInput,
    RecordInput,
    RedemptionInput,
    RuleItemInput,
    award_all,
    donation_record,
    objection_decide,
    objection_raise,
    points_count_due,
    record_create,
    records_approve,
    redemption_record,
    rule_item_change,
)
from tests.samples import JPEG

TODAY = timezone.localdate()


def photo():
    return SimpleUploadedFile("evidence.jpg", JPEG, content_type="image/jpeg")


def item_of(rules, kind, n=0):
    return rules.items.filter(kind=kind).order_by("position")[n]


def record(demo, household, item, *, actor="grid1", client_uuid=None):
    return record_create(
        actor=demo.user(actor),
        data=RecordInput(
            household=household, item=item, occurred_on=TODAY, photo=photo(),
            client_uuid=client_uuid or uuid.uuid4(),
        ),
    )  # fmt: skip


def counted(demo, *records):
    staff = demo.user("village1")
    records_approve(actor=staff, village=demo.village1, record_ids=[r.pk for r in records])
    PointRecord.objects.filter(pk__in=[r.pk for r in records]).update(
        notice_ends_at=timezone.now() - timedelta(minutes=1)
    )


def donate(demo, fen=100_000):
    return donation_record(
        actor=demo.user("village1"),
        data=DonationInput(
            village=demo.village1, donor="乡贤张某", amount_fen=fen, receipt="No.001",
            received_on=TODAY,
        ),
    )  # fmt: skip


def redeem(demo, household, points, fen=1_000, client_uuid=None):
    return redemption_record(
        actor=demo.user("village1"),
        data=RedemptionInput(
            household=household, points=points, goods="大米一袋", amount_fen=fen,
            redeemed_on=TODAY, client_uuid=client_uuid,
        ),
    )  # fmt: skip


def test_county_defaults_have_twelve_six_and_three_items(demo, village_points):
    rules, _households = village_points
    kinds = list(rules.items.values_list("kind", flat=True))
    assert kinds.count(ItemKind.POSITIVE) == 12
    assert kinds.count(ItemKind.NEGATIVE) == 6
    assert kinds.count(ItemKind.VETO) == 3


def test_an_item_counts_only_once_its_notice_has_ended(demo, village_points):
    rules, (first, second) = village_points
    good = record(demo, first, item_of(rules, ItemKind.POSITIVE))
    bad = record(demo, second, item_of(rules, ItemKind.NEGATIVE))
    assert selectors.household_balance(household=first) == 0
    records_approve(
        actor=demo.user("village1"), village=demo.village1, record_ids=[good.pk, bad.pk]
    )
    assert selectors.household_balance(household=first) == 0  # on notice
    later = timezone.now() + timedelta(days=8)
    assert points_count_due(now=later) == 2
    assert points_count_due(now=later) == 0  # safe to run twice
    assert selectors.household_balance(household=first) == good.points > 0
    assert selectors.household_balance(household=second) == bad.points < 0


def test_an_upheld_objection_voids_the_item_and_an_open_one_holds_it(demo, village_points):
    rules, (first, _second) = village_points
    item = record(demo, first, item_of(rules, ItemKind.POSITIVE))
    records_approve(actor=demo.user("village1"), village=demo.village1, record_ids=[item.pk])
    objection = objection_raise(
        actor=demo.user("grid1"), record=item, text="并未参加", raised_by_name="村民赵某"
    )
    PointRecord.objects.filter(pk=item.pk).update(notice_ends_at=timezone.now())
    assert points_count_due() == 0
    assert selectors.household_balance(household=first) == 0
    objection_decide(actor=demo.user("village1"), objection=objection, upheld=True, decision="属实")
    item.refresh_from_db()
    assert item.status == RecordStatus.VOIDED
    assert selectors.household_balance(household=first) == 0


def test_fund_balance_is_donations_minus_redemptions(demo, village_points):
    rules, (first, _second) = village_points
    counted(demo, record(demo, first, item_of(rules, ItemKind.POSITIVE)))
    donate(demo, 50_000)
    donate(demo, 12_345)
    redeem(demo, first, 5, fen=2_999)
    donated = Donation.objects.filter(village=demo.village1).aggregate(t=Sum("amount_fen"))["t"]
    spent = Redemption.objects.filter(village=demo.village1).aggregate(t=Sum("amount_fen"))["t"]
    assert selectors.fund_balance(village=demo.village1) == donated - spent == 59_346
    assert selectors.fund_ledger(village=demo.village1)[-1].balance == 59_346


def test_a_household_cannot_spend_more_points_than_it_has(demo, village_points):
    rules, (first, _second) = village_points
    counted(demo, record(demo, first, item_of(rules, ItemKind.POSITIVE)))  # 10 points
    donate(demo)
    with pytest.raises(ValidationError) as error:
        redeem(demo, first, 11)
    assert "points" in error.value.message_dict
    redeem(demo, first, 10)
    with pytest.raises(ValidationError):
        redeem(demo, first, 1)
    assert selectors.household_balance(household=first) == 0


def test_the_fund_cannot_pay_more_than_it_holds(demo, village_points):
    rules, (first, _second) = village_points
    counted(demo, record(demo, first, item_of(rules, ItemKind.POSITIVE)))
    donate(demo, 500)
    with pytest.raises(ValidationError) as error:
        redeem(demo, first, 5, fen=501)
    assert "amount" in error.value.message_dict


def test_a_veto_item_blocks_redemption_with_its_reason(demo, village_points):
    rules, (first, _second) = village_points
    veto = item_of(rules, ItemKind.VETO)
    counted(demo, record(demo, first, item_of(rules, ItemKind.POSITIVE)), record(demo, first, veto))
    donate(demo)
    with pytest.raises(ValidationError) as error:
        redeem(demo, first, 5)
    assert veto.text in error.value.message_dict["household"][0]


def test_a_resend_makes_one_record_and_one_redemption(demo, village_points):
    rules, (first, _second) = village_points
    sent = uuid.uuid4()
    item = item_of(rules, ItemKind.POSITIVE)
    assert (
        record(demo, first, item, client_uuid=sent).pk
        == record(demo, first, item, client_uuid=sent).pk
    )
    assert PointRecord.objects.count() == 1
    counted(demo, PointRecord.objects.get())
    donate(demo)
    again = uuid.uuid4()
    assert (
        redeem(demo, first, 3, client_uuid=again).pk == redeem(demo, first, 3, client_uuid=again).pk
    )
    assert selectors.household_balance(household=first) == 7


def test_bad_input_is_refused_field_by_field(demo, village_points):
    rules, (first, _second) = village_points
    with pytest.raises(ValidationError) as error:
        record_create(
            actor=demo.user("grid1"),
            data=RecordInput(
                household=first, item=item_of(rules, ItemKind.POSITIVE),
                occurred_on=TODAY + timedelta(days=3), photo=None,
            ),
        )  # fmt: skip
    assert set(error.value.message_dict) == {"occurred_on", "photo"}


def test_township2_cannot_record_for_township1(demo, village_points):
    rules, (first, _second) = village_points
    with pytest.raises(PermissionDenied):
        record(demo, first, item_of(rules, ItemKind.POSITIVE), actor="township2")
    assert selectors.households_visible_to(demo.user("township2")).count() == 0


def test_editing_an_item_makes_a_new_version_and_old_records_keep_theirs(demo, village_points):
    rules, (first, _second) = village_points
    item = item_of(rules, ItemKind.POSITIVE)
    old = record(demo, first, item)
    new_rules = rule_item_change(
        actor=demo.user("village1"), item=item,
        data=RuleItemInput(text=item.text, points=15, evidence=item.evidence),
    )  # fmt: skip
    assert new_rules.version == rules.version + 1
    assert RuleSet.objects.filter(area=demo.village1).count() == 2
    old.refresh_from_db()
    assert old.item.rule_set_id == rules.pk and old.points == 10
    with pytest.raises(ValidationError):
        record(demo, first, item)  # the old version is no longer offered


def test_awarding_every_household_is_one_insert(
    demo, village_points, django_assert_max_num_queries
):
    rules, _households = village_points
    Household.objects.bulk_create(
        Household(village=demo.village1, grid=demo.grid1, head_name=f"户{n}", address=f"{n}号")
        for n in range(200)
    )
    with django_assert_max_num_queries(12):
        made = award_all(
            actor=demo.user("village1"), village=demo.village1,
            item=item_of(rules, ItemKind.POSITIVE, 3), occurred_on=TODAY,
        )  # fmt: skip
    assert made == 202 == PointRecord.objects.count()
    assert AuditEntry.objects.filter(action="points.award_all").count() == 1
