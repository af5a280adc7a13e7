"""Reads of village points, every one through the jurisdiction (grids.jurisdiction.scope).

An item counts once its notice 公示 has ended with no objection open or upheld (an upheld
one voids it): `counted_q` says so at any moment, whether or not the periodic sweep has
marked it COUNTED yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from grids import tree
from grids.jurisdiction import scope, scope_with_own_line
from grids.models import Area, AreaLevel
from personnel.models import User
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


def counted_q(*, now: datetime | None = None, prefix: str = "") -> Q:
    now = now or timezone.now()
    open_objection = Objection.objects.filter(
        record=OuterRef(f"{prefix}pk"),
        status=ObjectionStatus.OPEN,
    )
    on_notice_done = Q(
        **{f"{prefix}status": RecordStatus.PUBLISHED, f"{prefix}notice_ends_at__lte": now}
    ) & ~Q(Exists(open_objection))
    return Q(**{f"{prefix}status": RecordStatus.COUNTED}) | on_notice_done


def villages_visible_to(user: User) -> QuerySet[Area]:
    """The villages the user works in: those of their jurisdiction, and a grid worker's own."""
    return scope_with_own_line(user, Area.objects.filter(level=AreaLevel.VILLAGE))


def village_for(*, user: User, pk: int) -> Area | None:
    return villages_visible_to(user).select_related("parent").filter(pk=pk).first()


def townships_visible_to(user: User) -> QuerySet[Area]:
    return scope(user, Area.objects.filter(level=AreaLevel.TOWNSHIP))


def bank_list_areas(*, user: User) -> QuerySet[Area]:
    areas = Area.objects.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
    return tree.in_order(scope(user, areas))


def households_visible_to(user: User) -> QuerySet[Household]:
    return scope(user, Household.objects.all(), via="grid")


def household_for(*, user: User, pk: int) -> Household | None:
    return households_visible_to(user).select_related("village", "grid").filter(pk=pk).first()


def records_visible_to(user: User) -> QuerySet[PointRecord]:
    return scope(user, PointRecord.objects.all(), via="household__grid")


def record_for(*, user: User, pk: int) -> PointRecord | None:
    return (
        records_visible_to(user)
        .select_related("household", "village", "item", "created_by")
        .filter(pk=pk)
        .first()
    )


def objection_for(*, user: User, pk: int) -> Objection | None:
    return (
        scope(user, Objection.objects.all(), via="record__household__grid")
        .select_related("record", "record__household", "record__village")
        .filter(pk=pk)
        .first()
    )


def donations_visible_to(user: User) -> QuerySet[Donation]:
    return scope(user, Donation.objects.all(), via="village")


def redemptions_visible_to(user: User) -> QuerySet[Redemption]:
    return scope(user, Redemption.objects.all(), via="village")


def current_rules(*, village: Area) -> RuleSet | None:
    return RuleSet.objects.filter(area=village).order_by("-version").first()


def rule_items(*, rule_set: RuleSet) -> QuerySet[RuleItem]:
    return rule_set.items.order_by("kind", "position", "pk")


def with_balance(households: QuerySet[Household], *, now: datetime | None = None):
    """Each household with `earned` (counted items), `spent` (redeemed) and `balance`."""
    earned = (
        PointRecord.objects.filter(counted_q(now=now), household=OuterRef("pk"))
        .values("household")
        .annotate(total=Sum("points"))
        .values("total")
    )
    spent = (
        Redemption.objects.filter(household=OuterRef("pk"))
        .values("household")
        .annotate(total=Sum("points"))
        .values("total")
    )
    households = households.annotate(
        earned=Coalesce(Subquery(earned, output_field=IntegerField()), 0),
        spent=Coalesce(Subquery(spent, output_field=IntegerField()), 0),
    )
    return households.annotate(balance=F("earned") - F("spent"))


def household_balance(*, household: Household) -> int:
    earned = PointRecord.objects.filter(counted_q(), household=household).aggregate(
        total=Sum("points")
    )["total"]
    spent = Redemption.objects.filter(household=household).aggregate(total=Sum("points"))["total"]
    return (earned or 0) - (spent or 0)


def household_veto(*, household: Household, year: int | None = None) -> PointRecord | None:
    """The counted veto item that blocks the household's rewards this year, if any."""
    year = year or timezone.localdate().year
    return (
        PointRecord.objects.filter(
            counted_q(), household=household, kind=ItemKind.VETO, occurred_on__year=year
        )
        .select_related("item")
        .order_by("occurred_on", "pk")
        .first()
    )


def fund_totals(*, village: Area) -> tuple[int, int]:
    """(donations, redemptions) of the village's fund, in fen."""
    donated = Donation.objects.filter(village=village).aggregate(t=Sum("amount_fen"))["t"] or 0
    spent = Redemption.objects.filter(village=village).aggregate(t=Sum("amount_fen"))["t"] or 0
    return donated, spent


def fund_balance(*, village: Area) -> int:
    donated, spent = fund_totals(village=village)
    return donated - spent


@dataclass
class LedgerLine:
    day: date
    kind: str  # "donation" or "redemption"
    text: str
    inflow: int
    outflow: int
    balance: int


def fund_ledger(*, village: Area) -> list[LedgerLine]:
    """The fund's entries in order, each with the balance after it (fen)."""
    entries = [
        (d.received_on, d.created_at, "donation", f"{d.donor}（{d.receipt}）", d.amount_fen, 0)
        for d in Donation.objects.filter(village=village)
    ] + [
        (r.redeemed_on, r.created_at, "redemption", f"{r.household.head_name}：{r.goods}", 0,
         r.amount_fen)
        for r in Redemption.objects.filter(village=village).select_related("household")
    ]  # fmt: skip
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    balance, lines = 0, []
    for day, _at, kind, text, inflow, outflow in entries:
        balance += inflow - outflow
        lines.append(LedgerLine(day, kind, text, inflow, outflow, balance))
    return lines


def village_board(*, village: Area, month: date) -> QuerySet[Household]:
    """The month's ranking of the village's households by the points counted in it."""
    start = month.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    in_month = Q(records__occurred_on__gte=start, records__occurred_on__lt=end)
    counted = counted_q(prefix="records__")
    return (
        Household.objects.filter(village=village)
        .annotate(
            month_points=Coalesce(Sum("records__points", filter=in_month & counted), 0),
            month_items=Count("records", filter=in_month & counted),
        )
        .order_by("-month_points", "head_name", "pk")
    )


def records_awaiting(*, user: User, village: Area) -> QuerySet[PointRecord]:
    return (
        records_visible_to(user)
        .filter(village=village, status=RecordStatus.PENDING)
        .select_related("household", "item")
        .order_by("occurred_on", "pk")
    )


def records_on_notice(*, user: User, village: Area) -> QuerySet[PointRecord]:
    return (
        records_visible_to(user)
        .filter(village=village, status=RecordStatus.PUBLISHED)
        .select_related("household", "item")
        .prefetch_related("objections")
        .order_by("notice_ends_at", "pk")
    )


@dataclass
class VillageFigures:
    village: Area
    households: int
    participating: int
    points: int
    fund_balance: int

    @property
    def per_household(self) -> float:
        return round(self.points / self.households, 1) if self.households else 0.0


def township_overview(*, user: User, township: Area, year: int) -> list[VillageFigures]:
    """Per village of the township: households, those with a counted item this year, the
    year's counted points, per household, and the fund's balance. One GROUP BY each."""
    villages = list(tree.in_order(scope(user, Area.objects.filter(parent=township))))
    ids = [v.pk for v in villages]
    households = dict(
        Household.objects.filter(village__in=ids)
        .values("village")
        .annotate(n=Count("pk"))
        .values_list("village", "n")
    )
    counted = PointRecord.objects.filter(counted_q(), village__in=ids, occurred_on__year=year)
    figures = {
        row["village"]: row
        for row in counted.values("village").annotate(
            points=Sum("points"), participating=Count("household", distinct=True)
        )
    }
    donated = dict(
        Donation.objects.filter(village__in=ids)
        .values("village")
        .annotate(t=Sum("amount_fen"))
        .values_list("village", "t")
    )
    spent = dict(
        Redemption.objects.filter(village__in=ids)
        .values("village")
        .annotate(t=Sum("amount_fen"))
        .values_list("village", "t")
    )
    return [
        VillageFigures(
            village=village,
            households=households.get(village.pk, 0),
            participating=figures.get(village.pk, {}).get("participating", 0),
            points=figures.get(village.pk, {}).get("points") or 0,
            fund_balance=(donated.get(village.pk) or 0) - (spent.get(village.pk) or 0),
        )
        for village in villages
    ]


def households_above(*, user: User, area: Area, threshold: int) -> QuerySet[Household]:
    """The households of `area` (a village or township) whose balance reaches `threshold`:
    the list for the partner bank 积分贷."""
    households = households_visible_to(user).filter(tree.subtree_q(area, "grid__"))
    return (
        with_balance(households.select_related("village", "village__parent", "grid"))
        .filter(balance__gte=threshold)
        .order_by("-balance", "village__code", "head_name")
    )


def rule_item_for(*, user: User, pk: int) -> RuleItem | None:
    """An item of the rules of a village the user works in."""
    villages = villages_visible_to(user).values("pk")
    return (
        RuleItem.objects.filter(pk=pk, rule_set__area__in=villages)
        .select_related("rule_set", "rule_set__area")
        .first()
    )
