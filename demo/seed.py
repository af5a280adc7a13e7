"""The demo county (or city): its places, an account for every role, its roster, and a
year of cases and of the roster's work.

Deterministic for a seed (and, for the cases, the moment they end). `places` builds the
area tree and the demo accounts; `roster` the people of 一警三专N员 and their posts, with a
handful of gaps; `cases` replays about a year of cases through the case services: `stories`
deals what happens to each, `casebook` and `people` say what they are about and who is
involved, `cast` who acts where (the roster in the field), and `history` runs it all at
historical times. After the cases, `roster` adds the year's trainings, phone spot checks,
coverage records and monthly evaluations; `meetings` the year's supervision inspections
(before the rankings, which average their scores) and analysis meetings; `assessment` the
year's "三零" incidents, entered values and twelve published monthly rankings; `campaigns`
last summer's drowning-prevention home visits, today's campaign and the urgent
instructions of the last months.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from demo.assessment import seed_assessment
from demo.cameras import seed_cameras
from demo.campaigns import seed_campaigns
from demo.cases import (
    CASES_PER_COUNTY,
    Progress,
    case_counts,
    case_summary,
    inbox_mostly_read,
    seed_cases,
)
from demo.meetings import seed_inspections, seed_meetings
from demo.places import (
    DEMO_PASSWORD,
    SHAPES,
    DemoNames,
    Shape,
    demo_tree,
    demo_users,
)
from demo.points import seed_points
from demo.residents import seed_residents
from demo.roster import RosterSeed, seed_roster
from demo.staffwork import seed_roster_year
from disputes.services import categories_ensure_defaults
from grids import tree
from grids.models import AreaLevel

__all__ = [
    "CASES_PER_COUNTY",
    "DEMO_PASSWORD",
    "SHAPES",
    "DemoNames",
    "DemoSeed",
    "RosterSeed",
    "Shape",
    "case_counts",
    "case_summary",
    "demo_tree",
    "demo_users",
    "seed_campaigns",
    "seed_cases",
    "seed_demo",
    "seed_inspections",
    "seed_meetings",
    "seed_roster",
    "seed_roster_year",
]


@dataclass
class DemoSeed:
    counts: dict[str, int]  # areas, users, cases; the roster year's trainings, evaluations…
    roster: RosterSeed
    seconds: dict[str, float] = field(default_factory=dict)  # per step


def seed_demo(
    *,
    scale: str = "county",
    seed: int = 2026,
    cases: bool = True,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoSeed:
    """The places, accounts and roster; with `cases`, the year of cases and then the year's
    trainings, spot checks, coverage records, evaluations, residents of concern and their
    visits, inspections, rankings, campaigns, instructions and meetings."""
    today = timezone.localdate(now) if now else timezone.localdate()

    def part(name: str) -> None:
        if progress:
            progress(name, 0, 0)  # a part without counts begins

    part("places")
    areas = demo_tree(scale=scale, seed=seed)
    with transaction.atomic():
        tree.bulk_insert(areas)
        # Each county starts with the default case categories.
        for county in areas:
            if county.level == AreaLevel.COUNTY:
                categories_ensure_defaults(county=county)
        users = demo_users(root=areas[0], rng=random.Random(seed))
    part("roster")
    started = time.monotonic()
    with transaction.atomic():
        roster = seed_roster(root=areas[0], rng=random.Random(f"roster-{seed}"), today=today)
    result = DemoSeed({"areas": len(areas), "users": len(users)}, roster)
    result.seconds["roster"] = time.monotonic() - started
    if cases:
        started = time.monotonic()
        result.counts |= seed_cases(scale=scale, seed=seed, now=now, progress=progress)
        result.seconds["cases"] = time.monotonic() - started
        # The rest of the year, each part in one transaction with its own random stream.
        moment = now or timezone.now()
        for name, seed_part, when in (
            ("roster_year", seed_roster_year, {"today": today}),
            ("residents", seed_residents, {"today": today}),
            ("inspections", seed_inspections, {"today": today}),
            ("cameras", seed_cameras, {"today": today}),
            ("assessment", seed_assessment, {"today": today}),
            ("campaigns", seed_campaigns, {"now": moment, "seconds": result.seconds}),
            ("meetings", seed_meetings, {"now": moment}),
            ("points", seed_points, {"today": today}),
        ):
            part(name)
            started = time.monotonic()
            stream = random.Random(f"{name.replace('_', '-')}-{seed}")
            with transaction.atomic():
                result.counts |= seed_part(root=areas[0], rng=stream, **when)
            result.seconds[name] = time.monotonic() - started
        # The notices of today's campaign and meeting as the cases' are: read, but for each
        # demo account's latest few.
        with transaction.atomic():
            inbox_mostly_read(moment)
    fresh_statistics()
    return result


def fresh_statistics() -> None:
    """PostgreSQL's planner statistics for the tables just filled. Without them (autovacuum
    off, or not yet come round) it guessed one row where there were thousands: the county's
    campaign page took 30 s until an ANALYZE (benchmarks/RESULTS.md, "Campaign progress")."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
