""" "三零" incident pages: the list every role reads for its own subtree, and the form the
county records an incident with."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import IncidentKind
from governance.platform.months import month_options, month_parse, months_back
from grids import tree
from grids.forms import AreaChoiceField, chooser_if_long
from grids.models import AreaLevel
from grids.selectors import area_filter_options, areas_visible_to

MONTHS_SHOWN = 24  # how far back the month select goes


class IncidentFilterForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Month"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        months = months_back(timezone.localdate(), MONTHS_SHOWN)
        self.fields["month"].choices = [("", _("All months")), *month_options(months)]
        self.fields["kind"].choices = [("", _("All kinds")), *IncidentKind.choices]
        self.fields["area"].choices = area_filter_options(user=user)

    def month_value(self) -> date | None:
        return month_parse(self.cleaned_data.get("month"))


class IncidentForm(forms.Form):
    area = AreaChoiceField(
        top=AreaLevel.TOWNSHIP,
        label=gettext_lazy("Township or village"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— choose —"),
    )
    area_code = forms.CharField(
        label=gettext_lazy("Or a grid's division code"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=gettext_lazy("For an incident in one grid or micro-grid: its full code."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Occurred at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = areas_visible_to(user)
        self.fields["area"].queryset = tree.in_order(
            self.visible.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
        )
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose an area in your jurisdiction."
        )
        self.fields["area"] = chooser_if_long(
            self.fields["area"], levels=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
        )

    def clean(self):
        data = super().clean()
        code = (data.get("area_code") or "").strip()
        if code:
            area = self.visible.filter(code=code).first()
            if area is None:
                self.add_error("area_code", _("No area with this code in your jurisdiction."))
            else:
                data["area"] = area
        elif not data.get("area") and "area" not in self.errors:
            self.add_error("area", _("Choose the township or village, or type a grid's code."))
        return data
