"""Writes of village points 积分管理: each atomic and audited (audit_record in its
transaction). Guards: an item is recorded from the village's current rules; approvals move
only pending items; objections are raised only during the notice; a household never spends
more points than it has, nor redeems in a year a veto item blocks; the fund never pays out
more than it holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from disputes.services.attachments import photo_checked
from governance.platform.resends import once
from grids.jurisdiction import can_record_points, can_run_points, can_see
from grids.models import Area, AreaLevel
from personnel.models import User
from points import selectors
from points.models import (
    Donation,
    Household,
    ItemKind,
    Objection,
    ObjectionStatus,
    PointRecord,
    RecordStatus,
    Redemption,
    RuleItem,
    RuleSet,
)

# The reference county's lists (12 positive, 6 negative, 3 veto items), in its own words:
# rules are the village's data, which it copies and edits.
COUNTY_DEFAULTS: list[tuple[str, str, int, str]] = [
    (ItemKind.POSITIVE, "遵纪守法，全年无违法犯罪记录", 10, "村委会核实"),
    (ItemKind.POSITIVE, "参与矛盾纠纷调解并成功化解", 5, "调解记录照片"),
    (ItemKind.POSITIVE, "见义勇为、救人于危难", 20, "现场或表彰照片"),
    (ItemKind.POSITIVE, "参加志愿服务活动", 2, "活动照片"),
    (ItemKind.POSITIVE, "庭院整洁，门前三包落实", 3, "庭院照片"),
    (ItemKind.POSITIVE, "孝老爱亲，获评好媳妇好婆婆", 5, "评选公示照片"),
    (ItemKind.POSITIVE, "移风易俗，婚丧事简办", 5, "现场照片"),
    (ItemKind.POSITIVE, "按时参加村民会议", 1, "签到表照片"),
    (ItemKind.POSITIVE, "提供有效治安线索", 5, "派出所确认照片"),
    (ItemKind.POSITIVE, "参与巡逻守护", 2, "巡逻照片"),
    (ItemKind.POSITIVE, "子女考取大学或参军入伍", 10, "录取通知书或入伍通知照片"),
    (ItemKind.POSITIVE, "捐资捐物支持村内公益", 5, "捐赠收据照片"),
    (ItemKind.NEGATIVE, "乱堆乱放、污水乱排", -3, "现场照片"),
    (ItemKind.NEGATIVE, "无理缠访闹访", -10, "信访记录照片"),
    (ItemKind.NEGATIVE, "参与赌博", -10, "处罚决定照片"),
    (ItemKind.NEGATIVE, "大操大办、高价彩礼", -5, "现场照片"),
    (ItemKind.NEGATIVE, "邻里纠纷中寻衅滋事", -5, "调解或处警记录照片"),
    (ItemKind.NEGATIVE, "不履行赡养义务", -10, "村委会核实照片"),
    (ItemKind.VETO, "违法犯罪被依法追究刑事责任", 0, "判决书照片"),
    (ItemKind.VETO, "参与邪教或非法宗教活动", 0, "公安机关认定照片"),
    (ItemKind.VETO, "违规建房拒不整改", 0, "责令整改通知照片"),
]


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _village_checked(*, actor: User, village: Area) -> None:
    if village.level != AreaLevel.VILLAGE or not can_see(actor, village):
        raise PermissionDenied(_("This village lies outside your jurisdiction."))


# Households ---------------------------------------------------------------------------


@dataclass
class HouseholdInput:
    grid: Area
    head_name: str
    address: str
    members: int = 1
    client_uuid: uuid.UUID | None = None


@transaction.atomic
def household_add(*, actor: User, data: HouseholdInput) -> Household:
    _require(can_record_points(actor), _("Households are kept by the village and its grids."))
    errors: dict[str, list[str]] = {}
    if data.grid.level != AreaLevel.GRID or not can_see(actor, data.grid):
        errors["grid"] = [_("Choose a grid in your jurisdiction.")]
    if not data.head_name.strip():
        errors["head_name"] = [_("Give the name of the head of household.")]
    if not data.address.strip():
        errors["address"] = [_("Give the household's address.")]
    if not 1 <= data.members <= 50:
        errors["members"] = [_("A household has between 1 and 50 members.")]
    if errors:
        raise ValidationError(errors)
    household = Household.objects.create(
        village_id=data.grid.parent_id,
        grid=data.grid,
        head_name=data.head_name.strip(),
        address=data.address.strip(),
        members=data.members,
    )
    audit_record(
        action="household.add", actor=actor, obj=household, area_id=data.grid.pk,
        new={"village": household.village_id, "members": household.members},
    )  # fmt: skip
    return household


# Rules --------------------------------------------------------------------------------


@transaction.atomic
def county_defaults_ensure(*, county: Area) -> RuleSet:
    """The county's default rules (version 1), made once."""
    existing = RuleSet.objects.filter(area=county).order_by("-version").first()
    if existing is not None:
        return existing
    rule_set = RuleSet.objects.create(area=county, version=1, note="县级默认村规民约")
    RuleItem.objects.bulk_create(
        RuleItem(rule_set=rule_set, kind=kind, position=n, text=text, points=points,
                 evidence=evidence)
        for n, (kind, text, points, evidence) in enumerate(COUNTY_DEFAULTS)
    )  # fmt: skip
    audit_record(action="rules.defaults", obj=rule_set, area_id=county.pk)
    return rule_set


def _copy(*, source: RuleSet, village: Area, actor: User, note: str) -> RuleSet:
    latest = selectors.current_rules(village=village)
    rule_set = RuleSet.objects.create(
        area=village, version=(latest.version + 1) if latest else 1, note=note, created_by=actor
    )
    RuleItem.objects.bulk_create(
        RuleItem(rule_set=rule_set, kind=item.kind, position=item.position, text=item.text,
                 points=item.points, evidence=item.evidence)
        for item in source.items.all()
    )  # fmt: skip
    return rule_set


@transaction.atomic
def rules_adopt_defaults(*, actor: User, village: Area) -> RuleSet:
    """The village takes the county's defaults as its own rules (a new version)."""
    _require(can_run_points(actor), _("The village committee keeps the village's rules."))
    _village_checked(actor=actor, village=village)
    Area.objects.select_for_update().get(pk=village.pk)
    county = village.get_ancestors().filter(level=AreaLevel.COUNTY).first() or village
    rule_set = _copy(
        source=county_defaults_ensure(county=county), village=village, actor=actor,
        note=_("The county's defaults adopted"),
    )  # fmt: skip
    audit_record(
        action="rules.adopt", actor=actor, obj=rule_set, area_id=village.pk,
        new={"version": rule_set.version},
    )  # fmt: skip
    return rule_set


@dataclass
class RuleItemInput:
    text: str
    points: int
    evidence: str = ""


@transaction.atomic
def rule_item_change(*, actor: User, item: RuleItem, data: RuleItemInput) -> RuleSet:
    """Edit one item of the village's current rules: a new version, the old one kept with
    the items recorded under it."""
    _require(can_run_points(actor), _("The village committee keeps the village's rules."))
    village = item.rule_set.area
    _village_checked(actor=actor, village=village)
    Area.objects.select_for_update().get(pk=village.pk)
    current = selectors.current_rules(village=village)
    errors: dict[str, list[str]] = {}
    if current is None or current.pk != item.rule_set_id:
        errors["__all__"] = [_("Only the current version of the rules can be edited.")]
    if not data.text.strip():
        errors["text"] = [_("Describe the item.")]
    if item.kind == ItemKind.POSITIVE and not 0 < data.points <= 100:
        errors["points"] = [_("A positive item is worth between 1 and 100 points.")]
    if item.kind == ItemKind.NEGATIVE and not -100 <= data.points < 0:
        errors["points"] = [_("A negative item takes between 1 and 100 points: write it as -5.")]
    if item.kind == ItemKind.VETO and data.points != 0:
        errors["points"] = [_("A veto item carries no points: it blocks the year's rewards.")]
    if errors:
        raise ValidationError(errors)
    rule_set = _copy(
        source=current, village=village, actor=actor,
        note=_("Item changed: %(text)s") % {"text": data.text.strip()[:150]},
    )  # fmt: skip
    changed = rule_set.items.get(kind=item.kind, position=item.position, text=item.text)
    old = {"text": item.text, "points": item.points, "evidence": item.evidence}
    changed.text, changed.points = data.text.strip(), data.points
    changed.evidence = data.evidence.strip()
    changed.save(update_fields=["text", "points", "evidence"])
    audit_record(
        action="rules.change", actor=actor, obj=rule_set, area_id=village.pk, old=old,
        new={"text": changed.text, "points": changed.points, "evidence": changed.evidence,
             "version": rule_set.version},
    )  # fmt: skip
    return rule_set


# Recording, approval, notice, objections --------------------------------------------------


@dataclass
class RecordInput:
    household: Household
    item: RuleItem
    occurred_on: date
    photo: Any = None
    note: str = ""
    client_uuid: uuid.UUID | None = None


def record_errors(*, data: RecordInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    current = selectors.current_rules(village=data.household.village)
    if current is None or data.item.rule_set_id != current.pk:
        errors["item"] = [_("Choose an item of the village's current rules.")]
    today = timezone.localdate()
    if data.occurred_on > today:
        errors["occurred_on"] = [_("Record an item once it has happened.")]
    elif data.occurred_on < today - timedelta(days=366):
        errors["occurred_on"] = [_("Items older than a year are no longer recorded.")]
    if not data.photo:
        errors["photo"] = [_("Add a photo as evidence.")]
    else:
        try:
            photo_checked(data.photo)
        except ValidationError as error:
            errors["photo"] = error.messages
    return errors


def record_create(*, actor: User, data: RecordInput) -> PointRecord:
    """A grid worker or the village staff records an item for a household, with a photo;
    it awaits the committee's approval. The same client UUID again returns it."""
    _require(can_record_points(actor), _("Items are recorded by grid workers and the village."))
    if not can_see(actor, data.household, via="grid"):
        raise PermissionDenied(_("This household lies outside your jurisdiction."))

    def make() -> PointRecord:
        errors = record_errors(data=data)
        if errors:
            raise ValidationError(errors)
        record = PointRecord(
            household=data.household, village_id=data.household.village_id, item=data.item,
            kind=data.item.kind, points=data.item.points, occurred_on=data.occurred_on,
            note=data.note.strip(), client_uuid=data.client_uuid, created_by=actor,
        )  # fmt: skip
        record.photo.save(data.photo.name, data.photo, save=False)
        try:
            record.save()
            audit_record(
                action="points.record", actor=actor, obj=record,
                area_id=data.household.grid_id,
                new={"household": data.household.pk, "item": data.item.pk,
                     "points": record.points, "kind": record.kind},
            )  # fmt: skip
        except BaseException:
            record.photo.storage.delete(record.photo.name)
            raise
        return record

    return once(
        selectors.records_visible_to(actor), client_uuid=data.client_uuid, actor=actor, make=make
    )


@transaction.atomic
def award_all(
    *, actor: User, village: Area, item: RuleItem, occurred_on: date, note: str = ""
) -> int:
    """One item for every household of the village (a campaign's reward): one INSERT of
    pending items, approved like any other."""
    _require(can_run_points(actor), _("The village committee awards items to every household."))
    _village_checked(actor=actor, village=village)
    current = selectors.current_rules(village=village)
    if current is None or item.rule_set_id != current.pk:
        raise ValidationError({"item": [_("Choose an item of the village's current rules.")]})
    rows = [
        PointRecord(
            household_id=pk,
            village=village,
            item=item,
            kind=item.kind,
            points=item.points,
            occurred_on=occurred_on,
            note=note,
            created_by=actor,
        )
        for pk in Household.objects.filter(village=village).values_list("pk", flat=True)
    ]
    PointRecord.objects.bulk_create(rows, batch_size=2000)
    audit_record(
        action="points.award_all", actor=actor, object_type="area", object_id=village.pk,
        area_id=village.pk, new={"item": item.pk, "households": len(rows)},
    )  # fmt: skip
    return len(rows)


@transaction.atomic
def records_approve(*, actor: User, village: Area, record_ids: list[int]) -> int:
    """The committee approves pending items: they go on the notice 公示 for the set days.
    One UPDATE over the items chosen; those no longer pending are left as they are."""
    _require(can_run_points(actor), _("Items are approved by the village committee."))
    _village_checked(actor=actor, village=village)
    now = timezone.now()
    ends = now + timedelta(days=settings.POINTS_NOTICE_DAYS)
    chosen = selectors.records_visible_to(actor).filter(
        pk__in=record_ids, village=village, status=RecordStatus.PENDING
    )
    ids = list(chosen.values_list("pk", flat=True))
    moved = PointRecord.objects.filter(pk__in=ids, status=RecordStatus.PENDING).update(
        status=RecordStatus.PUBLISHED, notice_ends_at=ends, approved_by=actor, approved_at=now
    )
    audit_record(
        action="points.approve", actor=actor, object_type="area", object_id=village.pk,
        area_id=village.pk, old={"status": RecordStatus.PENDING},
        new={"status": RecordStatus.PUBLISHED, "records": ids, "notice_ends": ends.isoformat()},
    )  # fmt: skip
    return moved


@transaction.atomic
def record_reject(*, actor: User, record: PointRecord, reason: str) -> PointRecord:
    _require(can_run_points(actor), _("Items are approved by the village committee."))
    record = PointRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.PENDING:
        raise ValidationError({"__all__": [_("Only an item awaiting approval can be rejected.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the item is not approved.")]})
    record.status = RecordStatus.REJECTED
    record.save(update_fields=["status"])
    audit_record(
        action="points.reject", actor=actor, obj=record, area_id=record.village_id,
        old={"status": RecordStatus.PENDING},
        new={"status": RecordStatus.REJECTED, "reason": reason.strip()},
    )  # fmt: skip
    return record


@transaction.atomic
def objection_raise(
    *, actor: User, record: PointRecord, text: str, raised_by_name: str
) -> Objection:
    """A villager's objection to an item on notice, written down by the village or grid."""
    _require(can_record_points(actor), _("Objections are written down by the village."))
    record = PointRecord.objects.select_for_update().get(pk=record.pk)
    errors: dict[str, list[str]] = {}
    if record.status != RecordStatus.PUBLISHED or record.notice_ends_at <= timezone.now():
        errors["__all__"] = [_("Objections are raised while the item is on notice.")]
    if not text.strip():
        errors["text"] = [_("Write down the objection.")]
    if not raised_by_name.strip():
        errors["raised_by_name"] = [_("Say who raises it.")]
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        record=record, text=text.strip(), raised_by_name=raised_by_name.strip(), created_by=actor
    )
    audit_record(
        action="points.objection", actor=actor, obj=objection, area_id=record.village_id,
        new={"record": record.pk}, old={},
    )  # fmt: skip
    return objection


@transaction.atomic
def objection_decide(
    *, actor: User, objection: Objection, upheld: bool, decision: str
) -> Objection:
    """The committee decides: upheld voids the item; dismissed lets it count (once its
    notice has ended)."""
    _require(can_run_points(actor), _("Objections are decided by the village committee."))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.OPEN:
        raise ValidationError({"__all__": [_("This objection has been decided already.")]})
    if not decision.strip():
        raise ValidationError({"decision": [_("Give the committee's decision.")]})
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.decision = decision.strip()
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    if upheld:
        PointRecord.objects.filter(
            pk=objection.record_id, status__in=[RecordStatus.PUBLISHED, RecordStatus.COUNTED]
        ).update(status=RecordStatus.VOIDED)
    audit_record(
        action="points.objection_decide", actor=actor, obj=objection,
        area_id=objection.record.village_id, old={"status": ObjectionStatus.OPEN},
        new={"status": objection.status},
    )  # fmt: skip
    return objection


def points_count_due(*, now=None) -> int:
    """The sweep: items whose notice ended with no objection open become COUNTED. One UPDATE;
    safe to run twice and from two workers (the selectors count them either way)."""
    now = now or timezone.now()
    open_objection = Objection.objects.filter(record=OuterRef("pk"), status=ObjectionStatus.OPEN)
    return (
        PointRecord.objects.filter(status=RecordStatus.PUBLISHED, notice_ends_at__lte=now)
        .exclude(Exists(open_objection))
        .update(status=RecordStatus.COUNTED)
    )


# The happiness fund 幸福基金 --------------------------------------------------------------


@dataclass
class DonationInput:
    village: Area
    donor: str
    amount_fen: int
    receipt: str
    received_on: date
    client_uuid: uuid.UUID | None = None


def donation_record(*, actor: User, data: DonationInput) -> Donation:
    _require(can_run_points(actor), _("The village committee keeps the happiness fund."))
    _village_checked(actor=actor, village=data.village)

    def make() -> Donation:
        errors: dict[str, list[str]] = {}
        if not data.donor.strip():
            errors["donor"] = [_("Name the donor.")]
        if data.amount_fen <= 0:
            errors["amount"] = [_("The amount is more than zero.")]
        if not data.receipt.strip():
            errors["receipt"] = [_("Give the receipt number.")]
        if data.received_on > timezone.localdate():
            errors["received_on"] = [_("Record a donation once it is received.")]
        if errors:
            raise ValidationError(errors)
        donation = Donation.objects.create(
            village=data.village, donor=data.donor.strip(), amount_fen=data.amount_fen,
            receipt=data.receipt.strip(), received_on=data.received_on,
            client_uuid=data.client_uuid, created_by=actor,
        )  # fmt: skip
        audit_record(
            action="fund.donation", actor=actor, obj=donation, area_id=data.village.pk,
            new={"amount_fen": donation.amount_fen, "receipt": donation.receipt},
        )  # fmt: skip
        return donation

    with transaction.atomic():
        return once(
            selectors.donations_visible_to(actor), client_uuid=data.client_uuid, actor=actor,
            make=make,
        )  # fmt: skip


@dataclass
class RedemptionInput:
    household: Household
    points: int
    goods: str
    amount_fen: int
    redeemed_on: date
    client_uuid: uuid.UUID | None = None


def redemption_record(*, actor: User, data: RedemptionInput) -> Redemption:
    """Points spent on goods or services the fund pays for. The household's row is locked
    while its balance is read, so two redemptions at once never overspend it; the village's
    row is locked likewise for the fund."""
    _require(can_run_points(actor), _("The village committee keeps the happiness fund."))
    village = data.household.village
    _village_checked(actor=actor, village=village)

    def make() -> Redemption:
        Area.objects.select_for_update().get(pk=village.pk)
        household = Household.objects.select_for_update().get(pk=data.household.pk)
        errors: dict[str, list[str]] = {}
        veto = selectors.household_veto(household=household, year=data.redeemed_on.year)
        if veto is not None:
            errors["household"] = [
                _("This household's rewards are blocked for %(year)s by a veto item: %(reason)s")
                % {"year": data.redeemed_on.year, "reason": veto.item.text}
            ]
        balance = selectors.household_balance(household=household)
        if data.points <= 0:
            errors["points"] = [_("Spend at least one point.")]
        elif data.points > balance:
            errors["points"] = [
                _("The household has %(balance)s points; it cannot spend %(points)s.")
                % {"balance": balance, "points": data.points}
            ]
        if not data.goods.strip():
            errors["goods"] = [_("Say what the points are redeemed for.")]
        fund = selectors.fund_balance(village=village)
        if data.amount_fen < 0:
            errors["amount"] = [_("The amount cannot be negative.")]
        elif data.amount_fen > fund:
            errors["amount"] = [
                _("The fund holds %(fund)s yuan; it cannot pay %(amount)s yuan.")
                % {"fund": f"{fund / 100:.2f}", "amount": f"{data.amount_fen / 100:.2f}"}
            ]
        if data.redeemed_on > timezone.localdate():
            errors["redeemed_on"] = [_("Record a redemption once it is made.")]
        if errors:
            raise ValidationError(errors)
        redemption = Redemption.objects.create(
            village=village, household=household, points=data.points, goods=data.goods.strip(),
            amount_fen=data.amount_fen, redeemed_on=data.redeemed_on,
            client_uuid=data.client_uuid, created_by=actor,
        )  # fmt: skip
        audit_record(
            action="fund.redemption", actor=actor, obj=redemption, area_id=village.pk,
            old={"balance": balance},
            new={"household": household.pk, "points": data.points,
                 "amount_fen": data.amount_fen, "balance": balance - data.points},
        )  # fmt: skip
        return redemption

    with transaction.atomic():
        return once(
            selectors.redemptions_visible_to(actor), client_uuid=data.client_uuid, actor=actor,
            make=make,
        )  # fmt: skip
