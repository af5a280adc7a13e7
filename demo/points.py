"""The demo's village points 积分管理 in township 1 of each county: every village adopts the
county's default rules, lists its households (about 30 a village), and has a year of items
recorded with the committee's approval and notice, a few objections (some upheld, which void
the item), a couple of veto items, donations into the happiness fund and redemptions out of
it. The last fortnight's items are still awaiting approval or on notice.

Everything goes in with `bulk_create`; redemptions are drawn so that no household spends more
counted points than it has, no vetoed household redeems in the year of its veto, and the
fund never pays out more than it holds at the time."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from demo.places import DemoNames
from demo.roster import counties_under
from governance.platform.roles import Role
from grids import tree
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
from points.services import county_defaults_ensure

HOUSEHOLDS = (24, 36)  # per village
ITEMS_PER_HOUSEHOLD = (2, 9)  # over the year
OBJECTION_RATE = 0.03
GOODS = [("大米一袋", 5, 3500), ("食用油一桶", 6, 6900), ("洗衣粉两袋", 3, 1800),
         ("理发一次", 2, 1500), ("农资化肥一袋", 10, 12000), ("家电小维修", 4, 3000)]  # fmt: skip
DONORS = ["乡贤联谊会", "本村在外创业人士", "县农商银行", "爱心企业", "村集体经济"]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _actor(village: Area, township: Area) -> User | None:
    return (
        User.objects.filter(role=Role.VILLAGE_STAFF, area=village, is_active=True).first()
        or User.objects.filter(role=Role.TOWNSHIP_CENTRE, area=township, is_active=True).first()
    )


def seed_points(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    counts: Counter = Counter()
    people = DemoNames(rng)
    notice = timedelta(days=settings.POINTS_NOTICE_DAYS)
    for county in counties_under(root):
        township = tree.in_order(county.children.filter(level=AreaLevel.TOWNSHIP)).first()
        if township is None:
            continue
        defaults = county_defaults_ensure(county=county)
        default_items = list(defaults.items.order_by("kind", "position"))
        for village in tree.in_order(township.children.filter(level=AreaLevel.VILLAGE)):
            actor = _actor(village, township)
            grids = list(village.children.filter(level=AreaLevel.GRID))
            if actor is None or not grids:
                continue
            rules = RuleSet.objects.create(
                area=village, version=1, note="采用县级默认村规民约", created_by=actor
            )
            items = RuleItem.objects.bulk_create(
                RuleItem(rule_set=rules, kind=i.kind, position=i.position, text=i.text,
                         points=i.points, evidence=i.evidence)
                for i in default_items
            )  # fmt: skip
            by_kind = defaultdict(list)
            for item in items:
                by_kind[item.kind].append(item)
            households = Household.objects.bulk_create(
                Household(
                    village=village, grid=rng.choice(grids), head_name="".join(people.person()),
                    address=f"{rng.randint(1, 9)}组{rng.randint(1, 60)}号",
                    members=rng.randint(1, 7),
                )
                for _n in range(rng.randint(*HOUSEHOLDS))
            )  # fmt: skip
            counts["households"] += len(households)
            records = []
            vetoed: set[int] = set()
            for household in households:
                for _n in range(rng.randint(*ITEMS_PER_HOUSEHOLD)):
                    kind = ItemKind.POSITIVE if rng.random() < 0.85 else ItemKind.NEGATIVE
                    item = rng.choice(by_kind[kind])
                    day = today - timedelta(days=rng.randint(0, 364))
                    records.append((household, item, day))
            for household in rng.sample(households, k=1 if rng.random() < 0.6 else 0):
                latest = max(20, min(200, today.timetuple().tm_yday))
                day = today - timedelta(days=rng.randint(20, latest))
                records.append((household, rng.choice(by_kind[ItemKind.VETO]), day))
                vetoed.add(household.pk)
            rows = []
            for household, item, day in records:
                age = (today - day).days
                if age < 4:
                    status, approved, ends = RecordStatus.PENDING, None, None
                else:
                    approved = _at(day + timedelta(days=2), 16)
                    ends = approved + notice
                    status = RecordStatus.COUNTED if ends.date() < today else RecordStatus.PUBLISHED
                rows.append(
                    PointRecord(
                        household=household, village=village, item=item, kind=item.kind,
                        points=item.points, occurred_on=day, status=status, notice_ends_at=ends,
                        approved_by=actor if approved else None, approved_at=approved,
                        created_by=actor,
                    )
                )  # fmt: skip
            rows = PointRecord.objects.bulk_create(rows, batch_size=2000)
            counts["point_records"] += len(rows)
            objections, voided = [], []
            for record in rows:
                if record.status != RecordStatus.COUNTED or record.kind == ItemKind.VETO:
                    continue
                if rng.random() >= OBJECTION_RATE:
                    continue
                upheld = rng.random() < 0.4
                objections.append(
                    Objection(
                        record=record, text="该户情况与登记不符",
                        raised_by_name="".join(people.person()),
                        status=ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED,
                        decision="经村委会核实，异议成立" if upheld else "经村委会核实，登记属实",
                        created_by=actor, decided_by=actor,
                        decided_at=record.approved_at + timedelta(days=2),
                    )
                )  # fmt: skip
                if upheld:
                    voided.append(record.pk)
            Objection.objects.bulk_create(objections)
            PointRecord.objects.filter(pk__in=voided).update(status=RecordStatus.VOIDED)
            counts["objections"] += len(objections)
            # The fund: donations through the year, redemptions drawn against what is counted.
            donations = [
                Donation(
                    village=village, donor=rng.choice(DONORS),
                    amount_fen=rng.randint(20, 300) * 1000,
                    receipt=f"XF{today.year}-{village.code[-4:]}-{n + 1:03d}",
                    received_on=today - timedelta(days=rng.randint(30, 360)), created_by=actor,
                )
                for n in range(rng.randint(2, 5))
            ]  # fmt: skip
            Donation.objects.bulk_create(donations)
            counts["donations"] += len(donations)
            fund_by_day = sorted((d.received_on, d.amount_fen) for d in donations)
            counted: dict[int, list[tuple[date, int]]] = defaultdict(list)
            for record in rows:
                if record.status == RecordStatus.COUNTED and record.pk not in voided:
                    counted[record.household_id].append(
                        (record.notice_ends_at.date(), record.points)
                    )
            wishes = sorted(
                (today - timedelta(days=rng.randint(1, 40)), household.pk, household)
                for household in households
                if household.pk not in vetoed and rng.random() < 0.35
            )
            paid, redemptions = 0, []
            for day, _pk, household in wishes:
                balance = sum(p for ended, p in counted[household.pk] if ended <= day)
                goods, points, fen = rng.choice(GOODS)
                fund = sum(amount for received, amount in fund_by_day if received <= day) - paid
                if balance < points or fund < fen:
                    continue
                paid += fen
                redemptions.append(
                    Redemption(village=village, household=household, points=points, goods=goods,
                               amount_fen=fen, redeemed_on=day, created_by=actor)
                )  # fmt: skip
            Redemption.objects.bulk_create(redemptions)
            counts["redemptions"] += len(redemptions)
    return dict(counts)
