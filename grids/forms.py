"""Page forms for evaluations, the pay sheet, trainings and spot checks. They parse input
and give field messages; the rules live in assessment.services.evaluations, .pay and .training."""

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
