"""Camera status ingestion 雪亮工程: a video platform's batch of 4,000 statuses (every
camera of the county, as sent every 5 minutes) through `cameras.services.ingestion.
statuses_ingest`, against a bare baseline in the same run: ONE UPDATE that sets the 4,000
cameras' last report from an array, the least a batch can write.

Each run sends the batch 5 minutes after the previous one, so every run credits minutes
to the day rows (the upsert's update path, as on a working day). Everything happens in one
transaction rolled back at the end."""

from __future__ import annotations

from benchmarks.harness import Context, Row, measure_side_by_side, ms, ratio

CAMERAS = 4_000
TARGET_RATIO = 3.0
BATCH_MS = 500  # a batch every 5 minutes: half a second is a thousandth of the database's time
BARE_SQL = """
UPDATE cameras_camera SET last_report_at = %s
WHERE id = ANY(%s)
"""


def run(context: Context) -> list[Row]:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cameras.models import Camera, CameraKind
    from cameras.services.ingestion import StatusReport, platform_create, statuses_ingest
    from grids.models import Area, AreaLevel

    county = Area.objects.get(pk=context.info["county"])
    count = 200 if context.smoke else CAMERAS
    with transaction.atomic():
        villages = list(
            Area.objects.filter(
                tree_id=county.tree_id, lft__gte=county.lft, lft__lte=county.rght,
                level=AreaLevel.VILLAGE,
            ).values_list("pk", "parent_id")
        )  # fmt: skip
        cameras = Camera.objects.bulk_create(
            [
                Camera(
                    code=f"{county.code[:6]}0000131{n:07d}", name=f"点位{n}",
                    kind=CameraKind.BULLET, lat=Decimal("27.5"), lng=Decimal("111.5"),
                    area_id=villages[n % len(villages)][0], county=county,
                    township_id=villages[n % len(villages)][1],
                    village_id=villages[n % len(villages)][0], owner_unit="县公安局",
                )
                for n in range(count)
            ],
            batch_size=2000,
        )  # fmt: skip
        platform, _key = platform_create(county=county, name="县视频平台", actor=None)
        codes = [camera.code for camera in cameras]
        ids = [camera.pk for camera in cameras]
        start = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0)
        clock = {"at": start}

        def batch():
            clock["at"] += timedelta(minutes=5)
            moment = clock["at"]
            reports = [
                StatusReport(code=code, online=n % 20 != 0, at=moment)
                for n, code in enumerate(codes)
            ]
            return statuses_ingest(platform=platform, reports=reports)

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(BARE_SQL, [clock["at"], ids])

        first = batch()  # the day rows exist from here on: later runs update them
        with CaptureQueriesContext(connection) as queries:
            second = batch()
        statements = len(queries)
        timings = measure_side_by_side(
            {"ingest": batch, "bare": bare}, runs=context.runs, warmup=context.warmup
        )
        transaction.set_rollback(True)
    ingest, floor = timings["ingest"], timings["bare"]
    return [
        Row(
            workload="camera_ingest",
            case=f"a batch of {count:,} camera statuses ({statements} statements)",
            value=ms(ingest.median),
            spread=ingest.spread,
            baseline=f"one bare UPDATE of the {count:,} cameras {ms(floor.median)}",
            ratio=ratio(ingest.median, floor.median),
            target=f"≤ {TARGET_RATIO:g}× bare UPDATE; < {BATCH_MS} ms",
            passed=ingest.median <= TARGET_RATIO * floor.median and ingest.median < BATCH_MS,
            note=(f"stored {first.stored:,} then {second.stored:,}; rolled back after the run"),
        )
    ]
