"""The camera register 监控点位台账, imported from the video platform's Excel export: every
row checked first (a preview of the bad rows), then all written at once or nothing,
idempotent on the device code, only into the importer's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from cameras.models import Camera, CameraKind, CameraStatus, device_code_validator
from grids.jurisdiction import can_manage_cameras, scope
from grids.models import Area, AreaLevel
from personnel.models import User

# The columns of the platform's export, in order (a header row is expected first).
COLUMNS = [
    "设备编码",
    "设备名称",
    "类型",
    "纬度",
    "经度",
    "所属区域编码",
    "权属单位",
    "建设单位",
    "安装日期",
    "状态",
]
MAX_ROWS = 20_000
PLACED_LEVELS = (AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID)
UPDATED_FIELDS = [
    "name",
    "kind",
    "lat",
    "lng",
    "area",
    "county",
    "township",
    "village",
    "owner_unit",
    "builder",
    "installed_on",
    "status",
]


class CameraImportError(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors  # (row number in the sheet, message)


@dataclass
class ImportResult:
    created: int
    updated: int


def read_xlsx(stream: IO[bytes]) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise CameraImportError([(0, _("The file is not a readable XLSX workbook."))]) from error
    table = []
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        table.append([_cell(value) for value in values])
        if len(table) > MAX_ROWS + 1:
            workbook.close()
            raise CameraImportError(
                [(0, _("At most %(count)s cameras per file.") % {"count": MAX_ROWS})]
            )
    workbook.close()
    return table


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(text: str, choices) -> str | None:
    for value, label in choices.choices:
        if text in (value, str(label)):
            return value
    return None


KIND_WORDS = {"枪机": CameraKind.BULLET, "球机": CameraKind.DOME, "人脸": CameraKind.FACE}
KIND_WORDS |= {"人脸抓拍": CameraKind.FACE, "卡口": CameraKind.CHECKPOINT}
STATUS_WORDS = {"在用": CameraStatus.IN_SERVICE, "维修": CameraStatus.REPAIR}
STATUS_WORDS |= {"维修中": CameraStatus.REPAIR, "拆除": CameraStatus.RETIRED}
STATUS_WORDS |= {"已拆除": CameraStatus.RETIRED}


def _decimal(text: str, low: int, high: int) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return number.quantize(Decimal("0.000001"))


def _ancestry(areas: dict[int, tuple[int | None, str]], pk: int) -> dict[str, int]:
    found: dict[str, int] = {}
    current: int | None = pk
    while current is not None and current in areas:
        parent, level = areas[current]
        found[level] = current
        current = parent
    return found


def cameras_check(*, actor: User, table: list[list[str]]) -> tuple[list[Camera], list]:
    """The cameras of the sheet (unsaved) and its bad rows as (row number, message)."""
    errors: list[tuple[int, str]] = []
    if not table or [c.strip() for c in table[0][: len(COLUMNS)]] != COLUMNS:
        return [], [(1, _("The first row must name the columns: %s") % "、".join(COLUMNS))]
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(row)]
    codes = {row[5].strip() for _n, row in body if len(row) > 5}
    visible = scope(actor, Area.objects.all())
    placed = dict(visible.filter(code__in=codes, level__in=PLACED_LEVELS).values_list("code", "pk"))
    # The importer's whole tree, to find each area's village, township and county.
    tree = {
        pk: (parent, level)
        for pk, parent, level in scope(
            actor, Area.objects.exclude(level=AreaLevel.MICROGRID)
        ).values_list("pk", "parent_id", "level")
    }
    tree |= {
        pk: (parent, level)
        for pk, parent, level in Area.objects.filter(
            pk__in={parent for parent, _level in tree.values()} - set(tree)
        ).values_list("pk", "parent_id", "level")
    }
    existing = dict(
        Camera.objects.filter(code__in=[row[0].strip() for _n, row in body]).values_list(
            "code", "county_id"
        )
    )
    cameras: list[Camera] = []
    seen: set[str] = set()
    for number, raw in body:
        row = [*raw, *[""] * len(COLUMNS)][: len(COLUMNS)]
        code, name, kind, lat, lng, area_code, owner, builder, installed, status = row
        problems = []
        try:
            device_code_validator(code)
        except ValidationError:
            problems.append(_("the device code must be the 20-digit GB/T 28181 id"))
        if code in seen:
            problems.append(_("the device code appears twice in the file"))
        seen.add(code)
        if not name or len(name) > 100:
            problems.append(_("name is required (at most 100 characters)"))
        kind_value = KIND_WORDS.get(kind) or _choice(kind, CameraKind)
        if kind_value is None:
            problems.append(_("unknown kind %(kind)r") % {"kind": kind})
        lat_value, lng_value = _decimal(lat, -90, 90), _decimal(lng, -180, 180)
        if lat_value is None or lng_value is None:
            problems.append(_("latitude and longitude must be decimal degrees"))
        area_pk = placed.get(area_code)
        ancestry = _ancestry(tree, area_pk) if area_pk else {}
        if area_pk is None or AreaLevel.COUNTY not in ancestry:
            problems.append(
                _("area %(code)r is not a village or grid in your jurisdiction")
                % {"code": area_code}
            )
        elif code in existing and existing[code] != ancestry[AreaLevel.COUNTY]:
            problems.append(_("this device code is registered in another county"))
        if not owner or len(owner) > 100 or len(builder) > 100:
            problems.append(_("owner unit is required (at most 100 characters)"))
        installed_on = None
        if installed:
            try:
                installed_on = date.fromisoformat(installed[:10])
            except ValueError:
                problems.append(_("installed on must be a date such as 2024-05-01"))
        status_value = (
            STATUS_WORDS.get(status) or _choice(status, CameraStatus)
            if status
            else CameraStatus.IN_SERVICE
        )
        if status_value is None:
            problems.append(_("unknown status %(status)r") % {"status": status})
        if problems:
            errors.append((number, "；".join(problems)))
            continue
        cameras.append(
            Camera(
                code=code,
                name=name,
                kind=kind_value,
                lat=lat_value,
                lng=lng_value,
                area_id=area_pk,
                county_id=ancestry[AreaLevel.COUNTY],
                township_id=ancestry[AreaLevel.TOWNSHIP],
                village_id=ancestry[AreaLevel.VILLAGE],
                owner_unit=owner,
                builder=builder,
                installed_on=installed_on,
                status=status_value,
            )
        )
    if not body:
        errors.append((2, _("The file lists no cameras.")))
    return cameras, errors


def cameras_import(*, actor: User, table: list[list[str]]) -> ImportResult:
    if not can_manage_cameras(actor):
        raise PermissionDenied(_("The camera register is kept by the county."))
    cameras, errors = cameras_check(actor=actor, table=table)
    if errors:
        raise CameraImportError(errors)
    codes = [camera.code for camera in cameras]
    with transaction.atomic():
        before = Camera.objects.filter(code__in=codes).count()
        Camera.objects.bulk_create(
            cameras,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=UPDATED_FIELDS,
            batch_size=2000,
        )
        result = ImportResult(created=len(cameras) - before, updated=before)
        audit_record(
            action="camera.import",
            actor=actor,
            object_type="cameras.camera",
            area_id=actor.area_id,
            new={"created": result.created, "updated": result.updated},
        )
    return result
