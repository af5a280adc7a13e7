"""Staffing coverage against the standard 一警三专N员.

Rural villages need "1+N" (a police officer or auxiliary police, at least one N member)
plus the three specialists; urban communities need "1+2+N" (one police officer, two
auxiliary police, N grid workers); every grid has exactly one grid worker. A micro-grid
*may* have its party member linking households, so an empty one is not a gap.

The report for a subtree is a handful of queries whatever its size: the areas, the open
posts counted per (area, post), and the last end per (area, post) for "since when".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.months import month_start, next_month
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from personnel.models import CoverageRecord, Post, PostKind
from personnel.selectors import posts_open_on


class Requirement:
    """One line of the standard: at least `count` open posts of `kinds` in the area."""

    def __init__(self, code: str, label, kinds: tuple[str, ...], count: int = 1) -> None:
        self.code = code
        self.label = label
        self.kinds = kinds
        self.count = count


POLICE = Requirement(
    "police",
    _("Village police officer or auxiliary police"),
    (PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE),
)
POLICE_OFFICER = Requirement(
    "police_officer", _("Village police officer"), (PostKind.POLICE_OFFICER,)
)
AUXILIARY_POLICE = Requirement(
    "auxiliary_police", _("Auxiliary police (2)"), (PostKind.AUXILIARY_POLICE,), 2
)
SECURITY_DIRECTOR = Requirement(
    "security_director", _("Security director"), (PostKind.SECURITY_DIRECTOR,)
)
TRAFFIC_CHIEF = Requirement("traffic_chief", _("Traffic road chief"), (PostKind.TRAFFIC_CHIEF,))
MEMBER = Requirement("member", _("N member"), (PostKind.MEMBER,))
GRID_WORKER = Requirement("grid_worker", _("Grid worker"), (PostKind.GRID_WORKER,))

STANDARD: dict[tuple[str, str], list[Requirement]] = {
    (AreaLevel.VILLAGE, AreaKind.RURAL): [POLICE, SECURITY_DIRECTOR, TRAFFIC_CHIEF, MEMBER],
    (AreaLevel.VILLAGE, AreaKind.URBAN): [POLICE_OFFICER, AUXILIARY_POLICE],
    (AreaLevel.GRID, AreaKind.RURAL): [GRID_WORKER],
    (AreaLevel.GRID, AreaKind.URBAN): [GRID_WORKER],
}
REQUIREMENTS = {
    r.code: r
    for r in (
        POLICE,
        POLICE_OFFICER,
        AUXILIARY_POLICE,
        SECURITY_DIRECTOR,
        TRAFFIC_CHIEF,
        MEMBER,
        GRID_WORKER,
    )
}


def requirements_for(level: str, kind: str) -> list[Requirement]:
    # A village without a kind is treated as rural: the standard that asks more of it.
    return STANDARD.get((level, kind or AreaKind.RURAL), [])


@dataclass
class Gap:
    area_id: int
    area_name: str
    area_code: str
    level: str
    village_name: str
    township_id: int | None
    township_name: str
    post: str
    post_label: str
    missing: int
    since: date | None  # the day the last such post ended; None: never filled


@dataclass
class Rate:
    area_id: int
    name: str
    code: str
    level: str
    required: int = 0
    filled: int = 0
    gaps: int = 0

    @property
    def rate(self) -> float:
        return round(100 * self.filled / self.required, 1) if self.required else 100.0


@dataclass
class CoverageReport:
    day: date
    gaps: list[Gap] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)  # per township
    village_rates: list[Rate] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(rate.required for rate in self.rates)

    @property
    def filled(self) -> int:
        return sum(rate.filled for rate in self.rates)

    @property
    def rate(self) -> float:
        return round(100 * self.filled / self.required, 1) if self.required else 100.0


def coverage_report(*, root: Area, day: date | None = None, post: str = "") -> CoverageReport:
    """Every gap under `root` on `day` (today by default) and the rates per township and
    village. `post` narrows the gaps (not the rates) to one requirement code."""
    day = day or timezone.localdate()
    within = tree.subtree_q(root)
    areas = list(
        Area.objects.filter(within | Q(pk__in=tree.ancestors(root).values("pk")))
        .filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID])
        .order_by("tree_id", "lft")
        .values("id", "name", "code", "level", "kind", "parent_id")
    )
    by_id = {area["id"]: area for area in areas}
    in_subtree = set(
        Area.objects.filter(within, level__in=[AreaLevel.VILLAGE, AreaLevel.GRID]).values_list(
            "id", flat=True
        )
    )
    held: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        Post.objects.filter(tree.subtree_q(root, "area__"), posts_open_on(day))
        .values("area_id", "kind")
        .annotate(total=Count("id"))
        .order_by()
    ):
        held[(row["area_id"], row["kind"])] = row["total"]
    last_end: dict[tuple[int, str], date] = {}
    for row in (
        Post.objects.filter(tree.subtree_q(root, "area__"), end__lte=day)
        .values("area_id", "kind")
        .annotate(last=Max("end"))
        .order_by()
    ):
        last_end[(row["area_id"], row["kind"])] = row["last"]

    report = CoverageReport(day=day)
    townships: dict[int, Rate] = {}
    villages: dict[int, Rate] = {}
    for area in areas:
        if area["id"] not in in_subtree:
            continue
        village = area if area["level"] == AreaLevel.VILLAGE else by_id.get(area["parent_id"])
        township = by_id.get(village["parent_id"]) if village else None
        kind = (village or area)["kind"]
        for requirement in requirements_for(area["level"], kind):
            count = sum(held[(area["id"], k)] for k in requirement.kinds)
            filled = min(count, requirement.count)
            for key, owner in ((township, townships), (village, villages)):
                if key is None:
                    continue
                rate = owner.setdefault(
                    key["id"], Rate(key["id"], key["name"], key["code"], key["level"])
                )
                rate.required += requirement.count
                rate.filled += filled
                rate.gaps += filled < requirement.count
            if filled >= requirement.count or (post and requirement.code != post):
                continue
            ends = [last_end.get((area["id"], k)) for k in requirement.kinds]
            report.gaps.append(
                Gap(
                    area_id=area["id"],
                    area_name=area["name"],
                    area_code=area["code"],
                    level=area["level"],
                    village_name=village["name"] if village else "",
                    township_id=township["id"] if township else None,
                    township_name=township["name"] if township else "",
                    post=requirement.code,
                    post_label=str(requirement.label),
                    missing=requirement.count - filled,
                    since=max((end for end in ends if end), default=None),
                )
            )
    report.rates = list(townships.values())
    report.village_rates = list(villages.values())
    return report


@transaction.atomic
def coverage_record(*, day: date | None = None) -> int:
    """Record the day's coverage of every township and village (the daily task): one
    report per county, one upsert. Running it twice on a day rewrites the same rows."""
    day = day or timezone.localdate()
    records = []
    for county in Area.objects.filter(level=AreaLevel.COUNTY):
        report = coverage_report(root=county, day=day)
        records += [
            CoverageRecord(
                day=day, area_id=rate.area_id, required=rate.required, filled=rate.filled
            )
            for rate in (*report.rates, *report.village_rates)
        ]
    CoverageRecord.objects.bulk_create(
        records,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["area", "day"],
        update_fields=["required", "filled"],
    )
    return len(records)


def coverage_monthly(*, area_ids: list[int], month: date) -> dict[int, float]:
    """The month's coverage rate (percent) per area: filled over required slots, summed
    over the month's daily records."""
    start = month_start(month)
    end = next_month(start)
    rows = (
        CoverageRecord.objects.filter(area_id__in=area_ids, day__gte=start, day__lt=end)
        .values("area_id")
        .annotate(required=Sum("required"), filled=Sum("filled"))
        .order_by()
    )
    return {
        row["area_id"]: round(100 * row["filled"] / row["required"], 1)
        if row["required"]
        else 100.0
        for row in rows
    }
