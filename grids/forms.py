"""Form fields of areas, shared by every app's forms."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.platform.choosers import ChooserField, needs_chooser
from grids.models import Area, AreaLevel


class AreaLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        parent = getattr(obj, "parent", None)
        return (
            f"{parent.name} · {obj.name}"
            if parent and obj.level != AreaLevel.TOWNSHIP
            else obj.name
        )


LEVELS = list(AreaLevel.values)  # from the top of the tree down


class AreaChoiceField(forms.ModelChoiceField):
    """Areas in tree order, each indented under its parent by its depth below `top`, with
    its division code where `with_code`."""

    def __init__(self, *args, top: str = AreaLevel.COUNTY, with_code: bool = False, **kwargs):
        self.top, self.with_code = top, with_code
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        depth = max(LEVELS.index(obj.level) - LEVELS.index(self.top), 0)
        label = "\u3000" * depth + obj.name
        return f"{label} ({obj.code})" if self.with_code else label


def area_choice_label(area: Area) -> str:
    """How a chooser lists an area: its parent's name, its own, and its division code."""
    parent = area.parent.name if area.parent_id and area.level != AreaLevel.COUNTY else ""
    return f"{parent} · {area.name} ({area.code})" if parent else f"{area.name} ({area.code})"


def chooser_if_long(
    field: forms.ModelChoiceField, *, levels: list[str] | tuple[str, ...]
) -> forms.ModelChoiceField:
    """`field` (its queryset already scoped to the user) as it is, or, when it offers more
    areas than a select should hold, a chooser searching the same levels by name or code."""
    areas = field.queryset.select_related("parent")
    if not needs_chooser(areas):
        return field
    chooser = ChooserField(
        queryset=areas,
        url=reverse("choose_areas"),
        params={"level": ",".join(levels)},
        key_field="code",
        name_field="name",
        label_from=area_choice_label,
        label=field.label,
        required=field.required,
        initial=field.initial,
        help_text=field.help_text
        or _("Type the area's name or division code and pick it from the list."),
        placeholder=_("Name or division code"),
    )
    chooser.error_messages["invalid_choice"] = field.error_messages["invalid_choice"]
    return chooser


def grid_chooser_field(grids) -> ChooserField:
    """A county's thousands of grids: searched by name or division code, not listed."""
    return ChooserField(
        label=_("Grid"),
        queryset=grids,
        url=reverse("choose_grids"),
        key_field="code",
        name_field="name",
        label_from=lambda grid: f"{grid.parent.name} · {grid.name} ({grid.code})",
        help_text=_(
            "Type the grid's name or its division code (as printed on the grid board) "
            "and pick it from the list."
        ),
        placeholder=_("Grid name or code"),
        error_messages={"invalid_choice": _("No grid with this code in your jurisdiction.")},
    )
