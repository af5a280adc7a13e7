"""Form fields of areas, shared by every app's forms."""

from __future__ import annotations

from django import forms

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
