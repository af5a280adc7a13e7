"""The demo county (or city): its places, an account for every role, and a year of cases.

Deterministic for a seed (and, for the cases, the moment they end). `places` builds the
area tree and the demo accounts; `cases` replays about a year of cases through the case
services: `stories` deals what happens to each, `casebook` and `people` say what they are
about and who is involved, `cast` who acts where, and `history` runs it all at historical
times.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from governance.demo.cases import CASES_PER_COUNTY, case_counts, case_summary, seed_cases
from governance.demo.places import (
    DEMO_PASSWORD,
    SHAPES,
    DemoNames,
    Shape,
    demo_tree,
    demo_users,
)
from grids import tree

__all__ = [
    "CASES_PER_COUNTY",
    "DEMO_PASSWORD",
    "SHAPES",
    "DemoNames",
    "Shape",
    "case_counts",
    "case_summary",
    "demo_tree",
    "demo_users",
    "seed_cases",
    "seed_demo",
]


def seed_demo(
    *,
    scale: str = "county",
    seed: int = 2026,
    cases: bool = True,
    now: datetime | None = None,
    progress: Callable[[datetime], None] | None = None,
) -> dict[str, int]:
    areas = demo_tree(scale=scale, seed=seed)
    with transaction.atomic():
        tree.bulk_insert(areas)
        users = demo_users(root=areas[0], rng=random.Random(seed))
    counts = {"areas": len(areas), "users": len(users)}
    if cases:
        counts |= seed_cases(scale=scale, seed=seed, now=now, progress=progress)
    return counts
