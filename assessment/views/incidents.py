""" "三零" incident pages: the list every role reads for its own subtree, and the form the
county records an incident with."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessment.forms.incidents import IncidentFilterForm, IncidentForm
from assessment.services.incidents import incident_list, incident_record
from governance.platform.pages import add_service_errors, page_of
from grids.jurisdiction import can_record_incidents
from grids.selectors import area_for


@login_required
def incident_list_page(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET, user=request.user)
    month, kind, area = None, "", None
    if form.is_valid():
        month, kind = form.month_value(), form.cleaned_data["kind"]
        if form.cleaned_data["area"] is not None:
            area = area_for(user=request.user, pk=form.cleaned_data["area"])
    incidents = incident_list(user=request.user, month=month, kind=kind, area=area)
    return render(
        request,
        "assessment/incident_list.html",
        {
            "form": form,
            "page": page_of(request, incidents),
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
