"""Cameras for tests: placed in the tiny demo's villages, written in bulk."""

from __future__ import annotations

from decimal import Decimal

from cameras.models import Camera, CameraKind
from grids.models import Area, AreaLevel


def device_code(serial: int, county: Area) -> str:
    # 20 digits: the county's 6-digit code, industry 00, type 131 (camera), serial.
    return f"{county.code[:6]}{0:02d}{0:02d}131{serial:07d}"


def place_cameras(*, county: Area, count: int, start: int = 0, owner: str = "县公安局") -> list:
    villages = list(
        Area.objects.filter(
            tree_id=county.tree_id, lft__gte=county.lft, lft__lte=county.rght,
            level=AreaLevel.VILLAGE,
        ).order_by("code")
    )  # fmt: skip
    cameras = []
    for n in range(count):
        village = villages[n % len(villages)]
        cameras.append(
            Camera(
                code=device_code(start + n, county),
                name=f"{village.name}路口{n}",
                kind=CameraKind.BULLET,
                lat=Decimal("27.5"),
                lng=Decimal("111.5"),
                area=village,
                county=county,
                township_id=village.parent_id,
                village=village,
                owner_unit=owner if n % 2 else "镇综治中心",
            )
        )
    return Camera.objects.bulk_create(cameras)
