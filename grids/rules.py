"""The rules an area must keep: code shape, level order, kind, boundary, centre.

Every entry point (admin, import, API, demo seeding) checks areas through `area_errors`, so
one message per broken rule reads the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from grids.models import Area, AreaKind, AreaLevel

CODE_LENGTH = {
    AreaLevel.CITY: 12,
    AreaLevel.COUNTY: 12,
    AreaLevel.TOWNSHIP: 12,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GRID: 15,
    AreaLevel.MICROGRID: 18,
}
# The digits each level adds to its parent's code (统计用区划代码: 2 province, 2 city,
# 2 county, 3 township, 3 village; grids and micro-grids 3 more each).
OWN_DIGITS = {
    AreaLevel.CITY: (2, 4),
    AreaLevel.COUNTY: (4, 6),
    AreaLevel.TOWNSHIP: (6, 9),
    AreaLevel.VILLAGE: (9, 12),
    AreaLevel.GRID: (12, 15),
    AreaLevel.MICROGRID: (15, 18),
}
ROOT_LEVELS = (AreaLevel.CITY, AreaLevel.COUNTY)
GEOJSON_AREA_TYPES = ("Polygon", "MultiPolygon")


def level_label(level: str) -> str:
    return str(AreaLevel(level).label) if level in AreaLevel.values else level


def area_errors(
    *,
    code: str,
    level: str,
    parent: Area | None,
    kind: str = "",
    boundary: Any = None,
    centre_lat: Any = None,
    centre_lng: Any = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if level not in AreaLevel.values:
        choices = ", ".join(AreaLevel.values)
        add(
            "level",
            _("Unknown level “%(level)s”; use one of: %(choices)s.")
            % {
                "level": level,
                "choices": choices,
            },
        )
        return errors
    level = AreaLevel(level)

    if parent is None and level not in ROOT_LEVELS:
        add(
            "parent",
            _("A %(level)s needs a parent area: only a city or a county can be a root.")
            % {"level": level.label},
        )
    if parent is not None:
        expected = AreaLevel.below(parent.level)
        if expected != level:
            if expected is None:
                add("parent", _("A micro-grid is the lowest level and cannot have children."))
            else:
                add(
                    "level",
                    _(
                        "A child area must be exactly one level below its parent: under the "
                        "%(parent_level)s “%(parent)s” only a %(expected)s can be added, "
                        "not a %(level)s."
                    )
                    % {
                        "parent_level": level_label(parent.level),
                        "parent": parent.name,
                        "expected": level_label(expected),
                        "level": level.label,
                    },
                )

    length = CODE_LENGTH[level]
    start, end = OWN_DIGITS[level]
    if not (code.isascii() and code.isdigit() and len(code) == length):
        add(
            "code",
            _("A %(level)s code has exactly %(length)s digits; “%(code)s” does not.")
            % {
                "level": level.label,
                "length": length,
                "code": code,
            },
        )
    else:
        if set(code[start:end]) == {"0"}:
            add(
                "code",
                _("Digits %(first)s–%(last)s of a %(level)s code identify it and cannot all be 0.")
                % {"first": start + 1, "last": end, "level": level.label},
            )
        if length == 12 and set(code[end:]) - {"0"}:
            add(
                "code",
                _("A %(level)s code ends in zeros after digit %(last)s (e.g. %(example)s).")
                % {"level": level.label, "last": end, "example": code[:end] + "0" * (12 - end)},
            )
        if parent is not None and code[:start] != parent.code[:start]:
            add(
                "code",
                _(
                    "The code must start with its parent's prefix %(prefix)s (from %(parent)s, "
                    "%(parent_code)s)."
                )
                % {
                    "prefix": parent.code[:start],
                    "parent": parent.name,
                    "parent_code": parent.code,
                },
            )

    if kind and kind not in AreaKind.values:
        add("kind", _("Unknown kind “%(kind)s”; use urban or rural.") % {"kind": kind})
    elif level == AreaLevel.VILLAGE and not kind:
        add("kind", _("A village or community must say whether it is urban or rural."))
    elif kind and level != AreaLevel.VILLAGE:
        add("kind", _("Only villages and communities have a kind (urban or rural)."))

    if boundary not in (None, "") and not (
        isinstance(boundary, dict)
        and boundary.get("type") in GEOJSON_AREA_TYPES
        and isinstance(boundary.get("coordinates"), list)
    ):
        add("boundary", _("The boundary must be a GeoJSON Polygon or MultiPolygon."))

    for field, value, limit in (("centre_lat", centre_lat, 90), ("centre_lng", centre_lng, 180)):
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            add(field, _("Enter a number of degrees, e.g. 28.123456."))
            continue
        if not -limit <= number <= limit:
            add(field, _("Must lie between -%(limit)s and %(limit)s degrees.") % {"limit": limit})
    if (centre_lat in (None, "")) != (centre_lng in (None, "")):
        add("centre_lng", _("Give both latitude and longitude of the centre, or neither."))
    return errors


def area_object_errors(area: Area) -> dict[str, list[str]]:
    return area_errors(
        code=area.code,
        level=area.level,
        parent=area.parent,
        kind=area.kind,
        boundary=area.boundary,
        centre_lat=area.centre_lat,
        centre_lng=area.centre_lng,
    )
