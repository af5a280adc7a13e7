from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import AuditInput, audit_record, audit_record_many, changes, snapshot
from grids import tree
from grids.jurisdiction import can_administer, can_see_area, sees_everything
from grids.models import Area, AreaLevel
from grids.rules import area_errors, area_object_errors, level_label

if TYPE_CHECKING:
    from personnel.models import User

# Fields an import or an edit may change on an existing area; code, level and parent define
# its place in the tree and are not changed by re-importing.
ATTRIBUTE_FIELDS = ("name", "kind", "households", "residents")
# What an edit in the administration pages may change besides (the place and the shape).
EDITABLE_FIELDS = (*ATTRIBUTE_FIELDS, "boundary", "centre_lat", "centre_lng")
# What the audit log keeps of a new area.
RECORDED_FIELDS = ("code", "name", "level", "parent", *ATTRIBUTE_FIELDS)


def _restricted(actor: User | None) -> bool:
    """Whether `actor` writes only inside a jurisdiction. None is the operator at the
    console (`import_areas`, the demo), who may write anywhere, as may a superuser
    without an area."""
    return actor is not None and not sees_everything(actor)


def _require_administrator(actor: User | None) -> None:
    if actor is not None and not can_administer(actor):
        raise PermissionDenied(_("Only the county's administrators change the area tree."))


def area_create(
    *,
    actor: User | None = None,
    code: str,
    name: str,
    level: str,
    parent: Area | None,
    kind: str = "",
    households: int = 0,
    residents: int = 0,
    boundary: dict | None = None,
    centre_lat: Any = None,
    centre_lng: Any = None,
) -> Area:
    area = Area(
        code=code,
        name=name,
        level=level,
        parent=parent,
        kind=kind,
        households=households,
        residents=residents,
        boundary=boundary,
        centre_lat=centre_lat,
        centre_lng=centre_lng,
    )
    _require_administrator(actor)
    errors = area_object_errors(area)
    if _restricted(actor):
        if parent is None:
            errors.setdefault("parent", []).append(
                _("Choose the parent area within your jurisdiction.")
            )
        elif not can_see_area(actor, parent):
            errors.setdefault("parent", []).append(_("This area lies outside your jurisdiction."))
    if Area.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(
            _("An area with code %(code)s exists already.") % {"code": code}
        )
    if errors:
        raise ValidationError(errors)
    with tree.locked():
        tree.insert(area)
        audit_record(
            action="area.create",
            actor=actor,
            obj=area,
            area_id=area.pk,
            new=snapshot(area, RECORDED_FIELDS),
        )
    return area


def area_update(*, area: Area, actor: User | None, **values: Any) -> Area:
    """Change what an edit may change of an area inside the actor's jurisdiction; its
    code, level and parent (its place in the tree) stay as they are."""
    _require_administrator(actor)
    if _restricted(actor) and not can_see_area(actor, area):
        raise PermissionDenied(_("This area lies outside your jurisdiction."))
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"area_update cannot change {sorted(unknown)}")
    before = snapshot(area, values)
    for name, value in values.items():
        setattr(area, name, value)
    errors = area_object_errors(area)
    if errors:
        raise ValidationError(errors)
    old, new = changes(before, snapshot(area, values))
    if new:
        with transaction.atomic():
            area.save(update_fields=[*new, "updated_at"])
            audit_record(
                action="area.update", actor=actor, obj=area, area_id=area.pk, old=old, new=new
            )
    return area


@dataclass
class ImportRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    kind: str
    households: str
    residents: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class AreaImportError(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad rows")


LEVEL_ALIASES = {
    **{level.value: level.value for level in AreaLevel},
    **{str(level.label): level.value for level in AreaLevel},
    "市": "city",
    "地级市": "city",
    "县": "county",
    "区": "county",
    "县/区": "county",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "乡镇": "township",
    "乡镇/街道": "township",
    "村": "village",
    "社区": "village",
    "村/社区": "village",
    "网格": "grid",
    "微网格": "microgrid",
}
KIND_ALIASES = {
    "": "",
    "urban": "urban",
    "rural": "rural",
    "城市社区": "urban",
    "社区": "urban",
    "农村": "rural",
    "村": "rural",
}


def areas_import(*, rows: list[ImportRow], actor: User | None) -> ImportResult:
    """Create or update the areas in `rows`, all or nothing.

    Every bad row is reported with its line and reason; if any row is bad nothing is
    written. Rows that match what is stored change nothing, so a re-import is a no-op.
    A county's administrator imports only inside their jurisdiction: each row's area, and
    each new area's parent, must lie in their subtree, and a new root (a county or city)
    is the operators' (`actor=None` at the console, or a superuser without an area). A
    parent outside the jurisdiction reads exactly as one that does not exist.
    """
    _require_administrator(actor)
    restricted = _restricted(actor)
    result = ImportResult()
    errors = result.errors
    seen: dict[str, int] = {}
    parsed: list[tuple[ImportRow, dict]] = []
    for row in rows:
        values, problems = _parse_row(row)
        if row.code in seen:
            problems.append(
                _("code %(code)s appears again (first on line %(line)s)")
                % {"code": row.code, "line": seen[row.code]}
            )
        seen.setdefault(row.code, row.line)
        if problems:
            errors.extend((row.line, problem) for problem in problems)
        else:
            parsed.append((row, values))

    codes = {row.code for row, _v in parsed} | {row.parent_code for row, _v in parsed}
    stored = {
        area.code: area
        for area in Area.objects.filter(code__in=codes - {""})
        if not restricted or can_see_area(actor, area)
    }
    # Codes taken outside the jurisdiction: such a row is refused, whether it would create
    # or change the area (the code rules place it under a parent the importer cannot see).
    taken_outside = (
        set(
            Area.objects.filter(code__in={row.code for row, _v in parsed}).values_list(
                "code", flat=True
            )
        )
        - set(stored)
        if restricted
        else set()
    )
    in_file = {row.code: (row, values) for row, values in parsed}
    new_areas: dict[str, Area] = {}
    changed: list[tuple[Area, dict, dict]] = []

    # Parents before children, whatever order the file has.
    order = AreaLevel.order()
    for row, values in sorted(parsed, key=lambda item: order.index(item[1]["level"])):
        parent: Area | None = None
        if row.parent_code:
            parent = new_areas.get(row.parent_code) or stored.get(row.parent_code)
            if parent is None:
                if row.parent_code in in_file:
                    message = _(
                        "its parent %(code)s (line %(line)s) cannot be imported as its parent"
                    ) % {"code": row.parent_code, "line": in_file[row.parent_code][0].line}
                elif restricted:
                    message = _(
                        "parent code %(code)s is neither in the file nor in your jurisdiction"
                    ) % {"code": row.parent_code}
                else:
                    message = _("parent code %(code)s is neither in the file nor in the system") % {
                        "code": row.parent_code
                    }
                errors.append((row.line, message))
                continue
        elif restricted and row.code not in stored:
            errors.append(
                (
                    row.line,
                    _(
                        "only the system's operators add a county or city (an area without a "
                        "parent); give the parent code of an area in your jurisdiction"
                    ),
                )
            )
            continue
        if row.code in taken_outside:
            errors.append(
                (row.line, _("code %(code)s lies outside your jurisdiction") % {"code": row.code})
            )
            continue
        problems = area_errors(
            code=row.code, level=values["level"], parent=parent, kind=values["kind"]
        )
        if problems:
            errors.extend(
                (row.line, message) for messages in problems.values() for message in messages
            )
            continue
        current = stored.get(row.code)
        if current is None:
            new_areas[row.code] = Area(code=row.code, parent=parent, **values)
            continue
        if current.level != values["level"] or current.parent_id != (parent and parent.pk):
            errors.append(
                (
                    row.line,
                    _(
                        "area %(code)s exists already as a %(level)s under another parent; "
                        "move areas in the administration pages, not by import"
                    )
                    % {"code": row.code, "level": level_label(current.level)},
                )
            )
            continue
        before = snapshot(current, ATTRIBUTE_FIELDS)
        old, new = changes(before, {k: values[k] for k in ATTRIBUTE_FIELDS})
        if new:
            for key, value in new.items():
                setattr(current, key, value)
            changed.append((current, old, new))
        else:
            result.unchanged += 1

    if errors:
        errors.sort()
        raise AreaImportError(errors)
    result.created = len(new_areas)
    result.updated = len(changed)
    with tree.locked():
        tree.bulk_insert(list(new_areas.values()))
        Area.objects.bulk_update(
            [area for area, _old, _new in changed],
            list(ATTRIBUTE_FIELDS),
            batch_size=tree.BATCH_SIZE,
        )
        # One entry per area created or changed, with what it was and became (a city is
        # 100,000 rows: written in one statement), and one with the counts.
        audit_record_many(
            [
                *(
                    AuditInput(
                        action="area.import",
                        object_type="area",
                        object_id=str(area.pk),
                        actor=actor,
                        area_id=area.pk,
                        new=snapshot(area, RECORDED_FIELDS),
                    )
                    for area in new_areas.values()
                ),
                *(
                    AuditInput(
                        action="area.import",
                        object_type="area",
                        object_id=str(area.pk),
                        actor=actor,
                        area_id=area.pk,
                        old=old,
                        new=new,
                    )
                    for area, old, new in changed
                ),
            ]
        )
        if new_areas or changed:
            audit_record(
                action="area.import",
                actor=actor,
                new={"created": result.created, "updated": result.updated},
            )
    return result


def _parse_row(row: ImportRow) -> tuple[dict, list[str]]:
    problems: list[str] = []
    if not row.code:
        problems.append(_("code is empty"))
    if not row.name:
        problems.append(_("name is empty"))
    elif len(row.name) > 100:
        problems.append(_("name is longer than 100 characters"))
    level = LEVEL_ALIASES.get(row.level)
    if level is None:
        problems.append(_("unknown level “%(level)s”") % {"level": row.level})
    kind = KIND_ALIASES.get(row.kind)
    if kind is None:
        problems.append(_("unknown kind “%(kind)s” (use urban or rural)") % {"kind": row.kind})
    numbers = {}
    for name, label, raw in (
        ("households", _("households"), row.households),
        ("residents", _("residents"), row.residents),
    ):
        text = raw.replace(",", "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        if text == "":
            numbers[name] = 0
        elif text.isascii() and text.isdigit() and len(text) < 10:
            numbers[name] = int(text)
        else:
            problems.append(
                _("%(field)s must be a whole number of 0 or more, not “%(value)s”")
                % {"field": label, "value": raw}
            )
    values = {"name": row.name, "level": level, "kind": kind, **numbers}
    return values, problems
