"""Reads of the camera network, every one through the jurisdiction's scope; the monthly
online rate is summed per township or village in one GROUP BY over the daily figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cameras.models import Camera, CameraStatus, MaintenanceTask
from governance.platform.months import month_end, month_start
from grids.jurisdiction import scope
from grids.models import Area
from personnel.models import User

MINUTES_PER_DAY = 1440
# The county's standard: a township below this is named in the bulletin.
TARGET_RATE = Decimal(95)
# Retired cameras are gone from the network; cameras under repair still count as offline.
COUNTED = ~Q(status=CameraStatus.RETIRED)


def cameras_visible_to(user: User) -> QuerySet[Camera]:
    return scope(user, Camera.objects.all(), via="area")


def camera_for(*, user: User, pk: int) -> Camera | None:
    return (
        cameras_visible_to(user).select_related("area", "township", "village").filter(pk=pk).first()
    )


def cameras_list(
    *,
    user: User,
    query: str = "",
    township: Area | None = None,
    status: str = "",
    kind: str = "",
    online: bool | None = None,
) -> QuerySet[Camera]:
    found = cameras_visible_to(user).select_related("area", "township")
    if query:
        found = found.filter(
            Q(code__startswith=query) | Q(name__icontains=query) | Q(owner_unit__icontains=query)
        )
    if township is not None:
        found = found.filter(township=township)
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if online is not None:
        found = found.filter(online=online)
    return found.order_by("code")


def measured_period(month: date, *, today: date | None = None) -> tuple[date, date, int]:
    """The days of the month the rate covers (first, last, how many): all of a past month;
    in this one, the days before today (today is not over)."""
    today = today or timezone.localdate()
    start = month_start(month)
    last = min(month_end(month), today - timedelta(days=1))
    return start, last, max(0, (last - start).days + 1)


def measured_days(month: date, *, today: date | None = None) -> int:
    return measured_period(month, today=today)[2]


def rate(online_minutes: int, cameras: int, days: int) -> Decimal | None:
    expected = cameras * days * MINUTES_PER_DAY
    if not expected:
        return None
    return (Decimal(online_minutes) * 100 / expected).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass
class RateLine:
    area_id: int
    name: str
    cameras: int
    online_minutes: int
    rate: Decimal | None
    rank: int = 0

    @property
    def below_target(self) -> bool:
        return self.rate is not None and self.rate < TARGET_RATE


def _grouped(cameras: QuerySet[Camera], start: date, end: date, by: str) -> QuerySet:
    in_month = Q(days__day__gte=start, days__day__lte=end)
    return (
        cameras.filter(COUNTED)
        .values(f"{by}_id", f"{by}__name")
        .annotate(
            cameras=Count("pk", distinct=True),
            minutes=Coalesce(Sum("days__online_minutes", filter=in_month), 0),
        )
        .order_by()
    )


def online_rates(
    *, user: User, month: date, by: str = "township", today: date | None = None
) -> list[RateLine]:
    """The month's online rate per township (or village) the user sees, ranked best first."""
    if by not in ("township", "village"):
        raise ValueError(by)
    start, last, days = measured_period(month, today=today)
    lines = [
        RateLine(
            area_id=row[f"{by}_id"],
            name=row[f"{by}__name"],
            cameras=row["cameras"],
            online_minutes=row["minutes"],
            rate=rate(row["minutes"], row["cameras"], days),
        )
        for row in _grouped(cameras_visible_to(user), start, last, by)
    ]
    lines.sort(key=lambda line: (-(line.rate or 0), line.name))
    for position, line in enumerate(lines, start=1):
        line.rank = position
    return lines


def rate_figures(
    *, county: Area, month: date, today: date | None = None
) -> dict[int, Decimal | None]:
    """The month's online rate of every township and village of the county that has cameras
    in its register (the assessment's camera indicator): one GROUP BY per village, summed up
    to the townships."""
    start, end, days = measured_period(month, today=today)
    totals: dict[int, list[int]] = {}
    rows = (
        Camera.objects.filter(COUNTED, county=county)
        .values_list("township_id", "village_id")
        .annotate(
            cameras=Count("pk", distinct=True),
            minutes=Coalesce(
                Sum("days__online_minutes", filter=Q(days__day__gte=start, days__day__lte=end)),
                0,
            ),
        )
        .order_by()
    )
    for township_id, village_id, cameras, minutes in rows:
        for area_id in (township_id, village_id):
            before = totals.setdefault(area_id, [0, 0])
            before[0] += cameras
            before[1] += minutes
    return {area_id: rate(minutes, cameras, days) for area_id, (cameras, minutes) in totals.items()}


def areas_with_register(*, county: Area) -> set[int]:
    """Townships and villages with at least one camera in the register."""
    pairs = Camera.objects.filter(county=county).values_list("township_id", "village_id")
    return {area_id for pair in pairs.distinct() for area_id in pair}


@dataclass
class OfflineCamera:
    camera: Camera
    offline_hours: int


def offline_cameras(
    *, user: User, month: date, min_hours: int = 0, today: date | None = None
) -> list[OfflineCamera]:
    """Cameras offline in the month (expected minutes minus online minutes), by owner unit."""
    start, end, days = measured_period(month, today=today)
    expected = days * MINUTES_PER_DAY
    found = (
        cameras_visible_to(user)
        .filter(COUNTED)
        .select_related("township", "village")
        .annotate(
            minutes=Coalesce(
                Sum("days__online_minutes", filter=Q(days__day__gte=start, days__day__lte=end)),
                0,
            )
        )
        .filter(minutes__lt=expected - min_hours * 60)
        .order_by("owner_unit", "code")
    )
    return [OfflineCamera(camera=c, offline_hours=(expected - c.minutes) // 60) for c in found]


def tasks_visible_to(user: User) -> QuerySet[MaintenanceTask]:
    return scope(user, MaintenanceTask.objects.all(), via="camera__area")


def tasks_list(*, user: User, status: str = "") -> QuerySet[MaintenanceTask]:
    found = tasks_visible_to(user).select_related("camera", "camera__township", "closed_by")
    if status:
        found = found.filter(status=status)
    return found
