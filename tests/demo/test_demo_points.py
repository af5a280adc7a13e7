"""The demo's village points (demo.points) over the tiny demo: township 1's villages have
households, a year of items, objections, donations and redemptions; every village's fund
balances to the fen (donations minus redemptions, checked against the database's own sums),
no household has spent more counted points than it had, and no vetoed household redeemed."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from demo.points import seed_points
from grids.models import AreaLevel
from points import selectors
from points.models import Household, ItemKind, Objection, PointRecord, Redemption


@pytest.fixture
def seeded(demo):
    return seed_points(root=demo.county, rng=random.Random(2026), today=timezone.localdate())


def test_township_one_has_a_year_of_points(demo, seeded):
    assert seeded["households"] > 0 and seeded["point_records"] > seeded["households"]
    assert seeded["donations"] > 0 and seeded["redemptions"] > 0
    assert Objection.objects.exists()
    villages = set(Household.objects.values_list("village__parent", flat=True))
    assert villages == {demo.township1.pk}
    assert not Household.objects.exclude(village__level=AreaLevel.VILLAGE).exists()


def test_every_villages_fund_is_donations_minus_redemptions(demo, seeded):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT v.id,
                   COALESCE((SELECT SUM(amount_fen) FROM points_donation d
                             WHERE d.village_id = v.id), 0)
                 - COALESCE((SELECT SUM(amount_fen) FROM points_redemption r
                             WHERE r.village_id = v.id), 0)
            FROM grids_area v WHERE v.parent_id = %s
            """,
            [demo.township1.pk],
        )
        by_sql = dict(cursor.fetchall())
    assert by_sql
    for village in demo.township1.children.all():
        balance = selectors.fund_balance(village=village)
        assert balance == by_sql[village.pk] >= 0
        ledger = selectors.fund_ledger(village=village)
        assert (ledger[-1].balance if ledger else 0) == balance
        assert all(line.balance >= 0 for line in ledger)


def test_no_household_overspent_and_no_vetoed_household_redeemed(demo, seeded):
    for redemption in Redemption.objects.select_related("household"):
        household = redemption.household
        # What it had when it redeemed: the items counted by then (later deductions may take
        # the balance below zero since; they never reach back to a redemption made).
        had = PointRecord.objects.filter(
            selectors.counted_q(now=timezone.now()),
            household=household,
            notice_ends_at__date__lte=redemption.redeemed_on,
        ).aggregate(total=Sum("points"))["total"]
        assert (had or 0) >= redemption.points
        assert (
            selectors.household_veto(household=household, year=redemption.redeemed_on.year) is None
        )
    assert PointRecord.objects.filter(kind=ItemKind.VETO).exists() or seeded["households"] < 40
