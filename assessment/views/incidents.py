""" "三零" incident pages: the list every role reads for its own subtree, and the form the
county records an incident with."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import IncidentKind
from assessment.services.incidents import incident_list, incident_record
from governance.platform.pages import add_service_errors
from grids import tree
from grids.jurisdiction import can_record_incidents
from grids.models import AreaLevel
from grids.selectors import area_filter_options, areas_visible_to

PAGE_SIZE = 30
MONTHS_SHOWN = 24
INDENT = {AreaLevel.TOWNSHIP: "", AreaLevel.VILLAGE: "\u3000"}


def recent_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _step in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return months


class IncidentFilterForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Month"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        months = recent_months(timezone.localdate())
        self.fields["month"].choices = [("", _("All months"))] + [
            (f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *IncidentKind.choices]
        self.fields["area"].choices = area_filter_options(user=user)

    def month_value(self) -> date | None:
        value = self.cleaned_data.get("month")
        if not value:
            return None
        year, month = value.split("-")
        return date(int(year), int(month), 1)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{INDENT.get(obj.level, '')}{obj.name}"


class IncidentForm(forms.Form):
    area = AreaChoiceField(
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


@login_required
def incident_list_page(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET, user=request.user)
    month, kind, area = None, "", None
    if form.is_valid():
        month, kind = form.month_value(), form.cleaned_data["kind"]
        if form.cleaned_data["area"] is not None:
            area = areas_visible_to(request.user).filter(pk=form.cleaned_data["area"]).first()
    incidents = incident_list(user=request.user, month=month, kind=kind, area=area)
    return render(
        request,
        "assessment/incident_list.html",
        {
            "form": form,
            "page": Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page")),
            "can_record": can_record_incidents(request.user),
            "filtered": any(request.GET.get(key) for key in ("month", "kind", "area")),
        },
    )


@login_required
def incident_create(request: HttpRequest) -> HttpResponse:
    if not can_record_incidents(request.user):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident_record(
                area=data["area"],
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                description=data["description"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The incident is recorded."))
            return redirect("incident_list")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "assessment/incident_form.html", {"form": form}, status=status)
