"""Status batches from a county's video platform: each camera's latest report in the batch
is credited to its online minutes of the day, set-based in a fixed number of statements
whatever the batch's size (one read of the cameras, one upsert of the day rows, one update of
the cameras). A report no newer than the camera's last one is skipped, so the same batch
sent twice changes nothing."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from cameras.models import Camera, Platform
from grids.models import Area
from personnel.models import User

# The platform reports every camera every 5 minutes; one report stands for at most that long.
REPORT_MINUTES = 5
MAX_BATCH = 10_000


def key_hash(key: str) -> str:
    # The key is a random 256-bit token, so a plain digest is as strong as a slow hash.
    return hashlib.sha256(key.encode()).hexdigest()


def platform_for_key(*, key: str) -> Platform | None:
    if not key:
        return None
    return (
        Platform.objects.select_related("county")
        .filter(key_hash=key_hash(key), is_active=True)
        .first()
    )


def platform_create(*, county: Area, name: str, actor: User | None) -> tuple[Platform, str]:
    """A platform and its API key, shown once: only its hash is kept."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        platform = Platform.objects.create(county=county, name=name, key_hash=key_hash(key))
        audit_record(
            action="camera.platform_create",
            actor=actor,
            obj=platform,
            area_id=county.pk,
            new={"name": name},
        )
    return platform, key


@dataclass(frozen=True)
class StatusReport:
    code: str
    online: bool
    at: datetime


@dataclass
class IngestResult:
    stored: int = 0  # cameras credited
    skipped: int = 0  # reports no newer than the camera's last (a resent batch)
    refused: int = 0  # cameras of another county than the platform's
    unknown: int = 0  # device codes not in the register


def _credit(report: StatusReport, last: datetime | None) -> int:
    """Minutes one online report adds to its day: the time since the camera's last report,
    at most REPORT_MINUTES, and never reaching back before the day's local midnight."""
    if not report.online:
        return 0
    local = timezone.localtime(report.at)
    midnight = timezone.make_aware(datetime.combine(local.date(), time.min))
    since = report.at - max(last, midnight) if last is not None else report.at - midnight
    return max(0, min(REPORT_MINUTES, int(since.total_seconds() // 60)))


def _sql_time(moment: datetime) -> str:
    if connection.vendor == "sqlite":  # Django keeps UTC without an offset there
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return moment.isoformat()


UPSERT_DAYS = {
    "postgresql": """
        INSERT INTO cameras_cameraday (camera_id, day, online_minutes, last_online, last_report_at)
        SELECT d.camera_id, d.day, d.minutes, d.online, d.at
        FROM json_to_recordset(%s::json)
            AS d(camera_id bigint, day date, minutes integer, online boolean, at timestamptz)
        ON CONFLICT (camera_id, day) DO UPDATE SET
            online_minutes = cameras_cameraday.online_minutes + EXCLUDED.online_minutes,
            last_online = EXCLUDED.last_online,
            last_report_at = EXCLUDED.last_report_at
    """,
    "sqlite": """
        INSERT INTO cameras_cameraday (camera_id, day, online_minutes, last_online, last_report_at)
        SELECT json_extract(value, '$.camera_id'), json_extract(value, '$.day'),
            json_extract(value, '$.minutes'), json_extract(value, '$.online'),
            json_extract(value, '$.at')
        FROM json_each(%s) WHERE true
        ON CONFLICT (camera_id, day) DO UPDATE SET
            online_minutes = online_minutes + excluded.online_minutes,
            last_online = excluded.last_online,
            last_report_at = excluded.last_report_at
    """,
}
UPDATE_CAMERAS = {
    "postgresql": """
        UPDATE cameras_camera AS c SET online = d.online, last_report_at = d.at
        FROM json_to_recordset(%s::json) AS d(camera_id bigint, online boolean, at timestamptz)
        WHERE c.id = d.camera_id
    """,
    "sqlite": """
        UPDATE cameras_camera SET online = json_extract(d.value, '$.online'),
            last_report_at = json_extract(d.value, '$.at')
        FROM json_each(%s) AS d
        WHERE cameras_camera.id = json_extract(d.value, '$.camera_id')
    """,
}


def statuses_ingest(*, platform: Platform, reports: list[StatusReport]) -> IngestResult:
    """Not audited entry by entry: machine telemetry every 5 minutes, not a person's change;
    the day rows are its record."""
    latest: dict[str, StatusReport] = {}
    for report in reports:
        if report.code not in latest or report.at > latest[report.code].at:
            latest[report.code] = report
    result = IngestResult()
    rows = []
    with transaction.atomic():
        cameras = (
            Camera.objects.select_for_update()
            .filter(code__in=list(latest))
            .values_list("pk", "code", "county_id", "last_report_at")
        )
        found = set()
        for pk, code, county_id, last in cameras:
            found.add(code)
            report = latest[code]
            if county_id != platform.county_id:
                result.refused += 1
            elif last is not None and report.at <= last:
                result.skipped += 1
            else:
                rows.append(
                    {
                        "camera_id": pk,
                        "day": timezone.localtime(report.at).date().isoformat(),
                        "minutes": _credit(report, last),
                        "online": report.online,
                        "at": _sql_time(report.at),
                    }
                )
        result.unknown = len(latest) - len(found)
        result.stored = len(rows)
        if rows:
            payload = json.dumps(rows)
            with connection.cursor() as cursor:
                cursor.execute(UPSERT_DAYS[connection.vendor], [payload])
                cursor.execute(UPDATE_CAMERAS[connection.vendor], [payload])
    return result
