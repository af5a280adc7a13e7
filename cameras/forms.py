"""Forms of the camera pages: they parse input; cameras.services and cameras.selectors hold
the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cameras.models import CameraKind, CameraStatus, TaskStatus
from cameras.services.inspection import OFFLINE_HOURS_LIMIT
from governance.platform.months import month_format, months_back
from grids.models import AreaLevel
from grids.selectors import areas_visible_to

MONTHS_SHOWN = 13


def month_choices() -> list[tuple[str, str]]:
    return [(month_format(m), month_format(m)) for m in months_back(timezone.localdate(), 13)]


class CameraFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=100, required=False)
    township = forms.TypedChoiceField(
        label=gettext_lazy("Township"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *CameraStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All")), *CameraKind.choices],
        required=False,
    )
    online = forms.ChoiceField(
        label=gettext_lazy("Last report"),
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Online")),
            ("no", gettext_lazy("Offline")),
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        townships = areas_visible_to(user).filter(level=AreaLevel.TOWNSHIP).order_by("code")
        self.fields["township"].choices = [("", gettext_lazy("All"))] + [
            (t.pk, t.name) for t in townships.only("pk", "name")
        ]


class MonthForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()


class InspectionForm(MonthForm):
    min_hours = forms.IntegerField(
        label=gettext_lazy("Offline longer than (hours)"),
        min_value=1,
        max_value=744,
        initial=OFFLINE_HOURS_LIMIT,
        required=False,
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The video platform's export (XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *TaskStatus.choices], required=False
    )


class TaskCloseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
