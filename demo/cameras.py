"""The demo county's camera network 雪亮工程: about 4,000 cameras across its villages, a
platform for each county, and the daily online minutes from the first day of last month to
yesterday, written in bulk (one INSERT per table). Most townships keep above the 95 %
standard; about a quarter fall below it, with cameras down for days on end, so the ranking,
the inspection and the assessment's camera indicator have something to show."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from cameras.models import Camera, CameraDay, CameraKind, CameraStatus, Platform
from cameras.services.ingestion import key_hash
from demo.roster import counties_under
from governance.platform.bulk import insert_rows
from grids import tree
from grids.models import Area, AreaLevel

COUNTY_CAMERAS = 4_000
PER_VILLAGE_MAX = 40  # the tiny demo's few villages get a few dozen each, not 4,000
KINDS = [CameraKind.BULLET] * 6 + [CameraKind.DOME] * 2 + [CameraKind.FACE, CameraKind.CHECKPOINT]
OWNERS = ["县公安局", "乡镇综治中心", "县交通运输局", "县教育局", "村委会"]
BUILDERS = ["中国电信", "中国移动", "中国联通"]
PLACES = ["路口", "村部", "学校门口", "桥头", "集市", "卡点", "广场", "河堤"]
MINUTES = 1440


def _days(today: date) -> list[date]:
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return [first + timedelta(days=n) for n in range((today - first).days)]


def seed_cameras(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    counts: Counter = Counter()
    days = _days(today)
    for county in counties_under(root):
        villages = list(
            tree.in_order(
                Area.objects.filter(tree.subtree_q(county), level=AreaLevel.VILLAGE)
            ).only("pk", "code", "name", "parent_id", "centre_lat", "centre_lng")
        )
        if not villages:
            continue
        Platform.objects.create(
            county=county, name=f"{county.name}视频监控平台", key_hash=key_hash(f"demo-{county.pk}")
        )
        townships = sorted({v.parent_id for v in villages})
        # A quarter of the townships (at least one) below the standard this month and last.
        weak = set(rng.sample(townships, max(1, len(townships) // 4)))
        per_village = min(PER_VILLAGE_MAX, -(-COUNTY_CAMERAS // len(villages)))
        cameras = []
        serial = 0
        for village in villages:
            for _n in range(per_village):
                if serial >= COUNTY_CAMERAS:
                    break
                lat = (village.centre_lat or Decimal("27.5")) + Decimal(
                    rng.randint(-900, 900)
                ) / 100000
                lng = (village.centre_lng or Decimal("111.5")) + Decimal(
                    rng.randint(-900, 900)
                ) / 100000
                cameras.append(
                    {
                        "code": f"{county.code[:6]}0000131{serial:07d}",
                        "name": f"{village.name}{rng.choice(PLACES)}{serial % 100 + 1}号",
                        "kind": rng.choice(KINDS),
                        "lat": lat.quantize(Decimal("0.000001")),
                        "lng": lng.quantize(Decimal("0.000001")),
                        "area_id": village.pk,
                        "county_id": county.pk,
                        "township_id": village.parent_id,
                        "village_id": village.pk,
                        "owner_unit": rng.choice(OWNERS),
                        "builder": rng.choice(BUILDERS),
                        "installed_on": today - timedelta(days=rng.randint(200, 2000)),
                        "status": CameraStatus.IN_SERVICE,
                        "online": True,
                        "last_report_at": None,
                        "created_at": datetime.now(UTC),
                    }
                )
                serial += 1
        ids = insert_rows(Camera, cameras, returning_ids=True)
        rows = []
        last_online: dict[int, bool] = {}
        for camera_id, camera in zip(ids, cameras, strict=True):
            fragile = camera["township_id"] in weak
            # An outage of some days for a few cameras; more of them, longer, in weak townships.
            outage: set[date] = set()
            if rng.random() < (0.35 if fragile else 0.04):
                length = rng.randint(3, 14) if fragile else rng.randint(1, 3)
                begin = rng.randrange(len(days))
                outage = set(days[begin : begin + length])
            for day in days:
                if day in outage:
                    minutes = rng.randint(0, 120)
                else:
                    minutes = MINUTES - (rng.randint(0, 90) if rng.random() < 0.1 else 0)
                rows.append(
                    {
                        "camera_id": camera_id,
                        "day": day,
                        "online_minutes": minutes,
                        "last_online": day not in outage,
                        "last_report_at": timezone.make_aware(datetime.combine(day, time(23, 55))),
                    }
                )
            last_online[camera_id] = days[-1] not in outage if days else True
        insert_rows(CameraDay, rows)
        offline = [pk for pk, online in last_online.items() if not online]
        Camera.objects.filter(pk__in=ids if days else []).update(
            last_report_at=timezone.make_aware(datetime.combine(days[-1], time(23, 55)))
        )
        Camera.objects.filter(pk__in=offline).update(online=False)
        counts["cameras"] += len(ids)
        counts["camera_days"] += len(rows)
    return dict(counts)
