"""Fixtures of village points: village 1's rules adopted and two households in grid 1."""

from __future__ import annotations

import pytest

from points.services import HouseholdInput, household_add, rules_adopt_defaults


@pytest.fixture
def village_points(demo):
    staff = demo.user("village1")
    rules = rules_adopt_defaults(actor=staff, village=demo.village1)
    households = [
        household_add(
            actor=staff,
            data=HouseholdInput(grid=demo.grid1, head_name=name, address=address, members=4),
        )
        for name, address in (("王建国", "一组12号"), ("李秀英", "二组3号"))
    ]
    return rules, households
