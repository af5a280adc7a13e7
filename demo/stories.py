"""What happens in the demo year: a `Story` per case, saying where and when it is reported,
what it is about, and its fate (handled at village level, escalated to the township or the
county, left to go overdue, supervised, reopened, merged as a duplicate).

Reports fall on days and categories weighted by season and weekday, on villages weighted by
residents. Fates are dealt as quotas over the whole year, weighted by severity and category,
so that even the tiny demo has some of each.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from django.utils import timezone

from demo import casebook
from disputes.models import Case, CaseLevel, Category, Severity
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from personnel.models import User

DAYS = 365
LEVELS = (CaseLevel.VILLAGE, CaseLevel.TOWNSHIP, CaseLevel.COUNTY)
# Fates, as shares of all cases (小事不出村、大事不出镇).
TO_TOWNSHIP = 0.165  # escalated by decision to the township (county ones included)
TO_COUNTY = 0.035
# Left untouched at a level until the overdue sweep moves them on: the share of all cases,
# and how long before the end they are reported (so the sweep has run on them by then).
STALLED = {
    CaseLevel.VILLAGE: (0.012, timedelta(days=7)),
    CaseLevel.TOWNSHIP: (0.004, timedelta(days=20)),
    CaseLevel.COUNTY: (0.003, timedelta(days=45)),  # flagged overdue at county level
}
# Of the cases of the last few days, some are left untouched in the village: open, and
# soon (or already) overdue, so the first sweep on a fresh demo has work.
LEFT_UNTOUCHED = (0.1, timedelta(days=6))
SUPERVISED = 0.025
REOPENED = 0.004
DUPLICATES = 0.01
REPORT_HOURS = [1, 1, 1, 1, 1, 2, 4, 10, 22, 30, 30, 26, 14, 18, 26, 26, 22, 18, 14, 12, 9, 6, 4, 2]


@dataclass(eq=False)
class Story:
    code: str
    category: Category
    pattern: casebook.Pattern
    grid: Area
    reported_at: datetime
    severity: str = Severity.ORDINARY
    risk: bool = False
    final_level: str = CaseLevel.VILLAGE
    stall_level: str = ""
    supervise_level: str = ""
    reopen: bool = False
    duplicate_of: Story | None = None
    case: Case | None = None
    handlers: dict[str, User] = field(default_factory=dict)  # active line → who acts

    @property
    def village(self) -> Area:
        return self.grid.parent

    def behaviour(self, level: str) -> str:
        if level == self.stall_level:
            return "stall"
        if LEVELS.index(level) < LEVELS.index(self.final_level):
            return "escalate"
        return "handle"


def county_places(county: Area) -> tuple[list[Area], dict[int, list[Area]]]:
    """The county's villages and their grids, each knowing its parents without a query."""
    inside = Area.objects.filter(tree.subtree_q(county))
    townships = {a.pk: a for a in inside.filter(level=AreaLevel.TOWNSHIP)}
    villages = list(tree.in_order(inside.filter(level=AreaLevel.VILLAGE)))
    by_id = {village.pk: village for village in villages}
    for village in villages:
        village.parent = townships[village.parent_id]
    grids: dict[int, list[Area]] = {}
    for grid in tree.in_order(inside.filter(level=AreaLevel.GRID)):
        grid.parent = by_id[grid.parent_id]
        grids.setdefault(grid.parent_id, []).append(grid)
    return villages, grids


class Almanac:
    """Deals the stories of one county's year, ending at `end`."""

    def __init__(self, rng: random.Random, end: datetime, county: Area) -> None:
        self.rng = rng
        self.end = end
        self.categories = {
            c.code: c for c in Category.objects.filter(county=county, is_active=True)
        }

    def stories(
        self, villages: list[Area], grids: dict[int, list[Area]], count: int
    ) -> list[Story]:
        days, day_weights = self._days()
        mixes = {
            (kind, month): self._mix(kind, month)
            for kind in AreaKind.values
            for month in range(1, 13)
        }
        village_weights = list(accumulate(max(v.residents, 1) for v in villages))
        stories = []
        for index in range(count):
            # Stratified over the year's weight: even a small demo reaches every month
            # and the last few days.
            share = (index + self.rng.random()) / count
            day = days[bisect.bisect(day_weights, share * day_weights[-1])]
            village = self.rng.choices(villages, cum_weights=village_weights)[0]
            codes, weights = mixes[(village.kind or AreaKind.RURAL, day.month)]
            code = self.rng.choices(codes, cum_weights=weights)[0]
            grid = self.rng.choices(
                grids[village.pk], [g.residents + 1 for g in grids[village.pk]]
            )[0]
            hour = self.rng.choices(range(24), REPORT_HOURS)[0]
            reported_at = timezone.make_aware(datetime.combine(day, time(hour))) + timedelta(
                seconds=self.rng.randrange(3600)
            )
            if reported_at < self.end:
                stories.append(self._story(self.categories[code], grid, reported_at))
        self._deal_fates(stories)
        return stories

    def _days(self) -> tuple[list[date], list[float]]:
        """The year's days, oldest first, weighted by weekday, season and a rising trend."""
        today = timezone.localdate(self.end)
        days = [today - timedelta(days=age) for age in range(DAYS - 1, -1, -1)]
        weights = []
        for day in days:
            trend = 1.2 - 0.4 * (today - day).days / DAYS  # more reports as the system takes root
            weekday = casebook.WEEKEND if day.weekday() >= 5 else 1.0
            season = sum(
                pattern.weight * pattern.season.get(day.month, 1.0)
                for pattern in casebook.PATTERNS.values()
            )
            weights.append(trend * weekday * season)
        return days, list(accumulate(weights))

    def _mix(self, kind: str, month: int) -> tuple[list[str], list[float]]:
        """The categories' weights in a kind of place in a month."""
        codes = [code for code in casebook.PATTERNS if code in self.categories]
        weights = []
        for code in codes:
            pattern = casebook.PATTERNS[code]
            place = pattern.urban if kind == AreaKind.URBAN else pattern.rural
            weights.append(pattern.weight * place * pattern.season.get(month, 1.0))
        return codes, list(accumulate(weights))

    def _story(self, category: Category, grid: Area, reported_at: datetime) -> Story:
        rng = self.rng
        names, shares = zip(*casebook.SEVERITIES, strict=True)
        severity = rng.choices(names, shares)[0]
        if category.kind in ("key_person", "illegal_tip") and severity == Severity.ORDINARY:
            severity = rng.choice((Severity.ORDINARY, Severity.ATTENTION))
        risk_share = {"ordinary": 0.005, "attention": 0.06, "key_attention": 0.25}[severity]
        return Story(
            code=category.code,
            category=category,
            pattern=casebook.PATTERNS[category.code],
            grid=grid,
            reported_at=reported_at,
            severity=severity,
            risk=category.kind == "dispute" and rng.random() < risk_share,
        )

    def _deal_fates(self, stories: list[Story]) -> None:
        rng = self.rng
        total = len(stories)

        def quota(share: float) -> int:
            return max(1, round(total * share))

        def weighted_pick(pool: list[Story], share: float, weight) -> list[Story]:
            # Weighted sampling without replacement: the largest random()**(1/w) win.
            keyed = sorted(pool, key=lambda s: rng.random() ** (1 / weight(s)), reverse=True)
            return keyed[: quota(share)]

        def hardness(story: Story) -> float:
            severity = casebook.SEVERITY_ESCALATION[story.severity]
            return severity * story.pattern.escalation * (2 if story.risk else 1)

        upward = weighted_pick(stories, TO_TOWNSHIP, hardness)
        for story in upward:
            story.final_level = CaseLevel.TOWNSHIP
        for story in weighted_pick(upward, TO_COUNTY, hardness):
            story.final_level = CaseLevel.COUNTY
        for level, (share, before_end) in STALLED.items():
            reaching = [
                s
                for s in stories
                if not s.stall_level
                and LEVELS.index(s.final_level) >= LEVELS.index(level)
                and s.reported_at < self.end - before_end
            ]
            for story in rng.sample(reaching, min(quota(share), len(reaching))):
                story.stall_level = level
        share, within = LEFT_UNTOUCHED
        recent = [s for s in stories if s.reported_at >= self.end - within]
        for story in rng.sample(recent, min(max(1, round(len(recent) * share)), len(recent))):
            story.stall_level = CaseLevel.VILLAGE
        rank = {CaseLevel.VILLAGE: 1, CaseLevel.TOWNSHIP: 6, CaseLevel.COUNTY: 12}
        for story in weighted_pick(
            stories, SUPERVISED, lambda s: rank[s.final_level] * hardness(s)
        ):
            story.supervise_level = story.final_level
        settled = [s for s in stories if s.final_level == CaseLevel.VILLAGE and not s.stall_level]
        for story in rng.sample(settled, min(quota(REOPENED), len(settled))):
            story.reopen = True
        older = [s for s in stories if s.reported_at < self.end - timedelta(days=2)]
        for original in rng.sample(older, min(quota(DUPLICATES), len(older))):
            again = Story(
                code=original.code,
                category=original.category,
                pattern=original.pattern,
                grid=original.grid,
                reported_at=original.reported_at + timedelta(hours=rng.uniform(1, 30)),
                severity=original.severity,
                duplicate_of=original,
            )
            if again.reported_at < self.end:
                stories.append(again)
