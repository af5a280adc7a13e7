"""Performance pay 绩效补贴: each village's annual amount is paid quarterly, in proportion to
its monthly evaluation scores, and split among its evaluated people by their scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Evaluation, PayRate
from governance.platform.xlsx import Column, Export, LedgerWorkbook, export_filename
from grids import tree
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to
from personnel.models import PostKind, User

# A village's annual performance pay when the county has set no PayRate for it.
DEFAULT_ANNUAL_AMOUNT = Decimal(3000)
YUAN = Decimal(1)


@dataclass
class PayRow:
    staff_id: int
    name: str
    post: str
    scores: list[Decimal | None]  # one per month of the quarter
    total: Decimal  # the sum of the person's scores in the quarter
    share: Decimal = Decimal(0)  # of the village's amount, 0–1
    amount: int = 0  # yuan


@dataclass
class VillagePay:
    village: Area
    annual_amount: Decimal
    means: list[Decimal | None]  # the village's mean score each month
    amount: int = 0  # the village's quarter amount, yuan
    rows: list[PayRow] = field(default_factory=list)


@dataclass
class PaySheet:
    township: Area
    year: int
    quarter: int
    months: list[date]
    villages: list[VillagePay]

    @property
    def total(self) -> int:
        return sum(village.amount for village in self.villages)


def quarter_months(year: int, quarter: int) -> list[date]:
    return [date(year, 3 * (quarter - 1) + offset, 1) for offset in (1, 2, 3)]


def last_finished_quarter(today: date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    current = (today.month - 1) // 3 + 1
    return (today.year - 1, 4) if current == 1 else (today.year, current - 1)


def pay_townships_for(user: User) -> QuerySet[Area]:
    """The townships whose pay sheet the user may see."""
    return tree.in_order(areas_visible_to(user).filter(level=AreaLevel.TOWNSHIP))


def _split(amount: int, weights: list[Decimal]) -> list[int]:
    """Whole yuan in proportion to `weights`, summing exactly to `amount` (largest
    remainders get the yuan left over)."""
    total = sum(weights)
    if not total:
        return [0] * len(weights)
    exact = [Decimal(amount) * weight / total for weight in weights]
    whole = [int(value) for value in exact]
    left = amount - sum(whole)
    by_remainder = sorted(range(len(exact)), key=lambda i: (exact[i] - whole[i], -i), reverse=True)
    for index in by_remainder[:left]:
        whole[index] += 1
    return whole


def pay_sheet(*, township: Area, year: int, quarter: int) -> PaySheet:
    """The quarter's pay of every evaluated person in the township's villages.

    A village's quarter amount = annual amount / 12 × Σ over the three months of (its mean
    score that month / 100); each person's share is their quarter's score sum over the
    village's. Three queries whatever the township's size. `township` must come from
    `pay_townships_for(user)`: everything below it is then in the user's jurisdiction."""
    months = quarter_months(year, quarter)
    rows = (
        Evaluation.objects.filter(month__in=months)
        .filter(tree.subtree_q(township, "area__"))
        .order_by("area__code", "staff__name", "staff_id", "kind")
        .values_list("area_id", "staff_id", "staff__name", "kind", "month", "score")
    )
    people: dict[int, dict[tuple[int, str], PayRow]] = defaultdict(dict)
    for area_id, staff_id, name, kind, month, score in rows:
        person = people[area_id].get((staff_id, kind))
        if person is None:
            person = PayRow(staff_id, name, str(PostKind(kind).label), [None] * 3, Decimal(0))
            people[area_id][(staff_id, kind)] = person
        person.scores[months.index(month)] = score
        person.total += score
    villages = tree.in_order(Area.objects.filter(pk__in=list(people)))
    rates = dict(
        PayRate.objects.filter(area_id__in=list(people), year=year).values_list(
            "area_id", "annual_amount"
        )
    )
    sheet = PaySheet(township=township, year=year, quarter=quarter, months=months, villages=[])
    for village in villages:
        persons = list(people[village.pk].values())
        means: list[Decimal | None] = []
        for index in range(3):
            scores = [p.scores[index] for p in persons if p.scores[index] is not None]
            means.append(sum(scores) / len(scores) if scores else None)
        annual = rates.get(village.pk, DEFAULT_ANNUAL_AMOUNT)
        exact = annual / 12 * sum((mean / 100 for mean in means if mean is not None), Decimal(0))
        amount = int(exact.quantize(YUAN, rounding=ROUND_HALF_UP))
        village_total = sum(p.total for p in persons)
        for person, share in zip(persons, _split(amount, [p.total for p in persons]), strict=True):
            person.amount = share
            person.share = person.total / village_total if village_total else Decimal(0)
        sheet.villages.append(
            VillagePay(
                village=village,
                annual_amount=annual,
                means=[m.quantize(Decimal("0.1")) if m is not None else None for m in means],
                amount=amount,
                rows=persons,
            )
        )
    return sheet


def pay_sheet_title(sheet: PaySheet) -> str:
    return _("%(township)s performance pay, %(year)s quarter %(quarter)s") % {
        "township": sheet.township.name,
        "year": sheet.year,
        "quarter": sheet.quarter,
    }


def pay_sheet_export(sheet: PaySheet, *, user: User) -> Export:
    title = pay_sheet_title(sheet)
    workbook = LedgerWorkbook(title=title, user=user)
    period = _("%(year)s quarter %(quarter)s") % {"year": sheet.year, "quarter": sheet.quarter}
    ledger = workbook.ledger(
        title=title,
        sheet_title=_("Performance pay"),
        period=period,
        area=sheet.township.name,
        columns=[
            Column(_("Village"), 16),
            Column(_("Full name"), 12),
            Column(_("Post"), 16),
            *[Column(_("%(month)s score") % {"month": f"{m:%Y-%m}"}, 10) for m in sheet.months],
            Column(_("Quarter total"), 10),
            Column(_("Share"), 10),
            Column(_("Amount (yuan)"), 10),
        ],
    )
    for village in sheet.villages:
        for row in village.rows:
            ledger.append(
                [
                    village.village.name,
                    row.name,
                    row.post,
                    *[float(s) if s is not None else None for s in row.scores],
                    float(row.total),
                    float(round(row.share, 4)),
                    row.amount,
                ]
            )
        ledger.append(
            [
                _("%(village)s subtotal") % {"village": village.village.name},
                "",
                "",
                *[float(m) if m is not None else None for m in village.means],
                "",
                "",
                village.amount,
            ],
            numbered=False,
            bold=True,
        )
    ledger.append([_("Total"), *[""] * 7, sheet.total], numbered=False, bold=True)
    return Export(
        content=workbook.content(),
        filename=export_filename(_("Performance pay"), sheet.township.name, period),
        fallback=f"pay-{sheet.township.code}-{sheet.year}-Q{sheet.quarter}",
    )
