"""Pages of the staff section's second half: monthly evaluations and their follow-ups, the
quarterly pay sheet, trainings and phone spot checks. Reads are scoped to the user's
jurisdiction; writes need a centre that keeps the roster (can_manage_roster)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.platform.filters import as_id
from governance.platform.pages import add_service_errors, page_of
from grids.jurisdiction import (
    can_manage_roster,
    jurisdiction_root,
    require_roster_manager,
)
from grids.models import AreaLevel
from grids.selectors import area_for, areas_visible_to
from personnel.forms.training import SpotCheckForm, TrainingForm, YearForm
from personnel.services import training

# --- Evaluations -----------------------------------------------------------------------


# --- Performance pay -------------------------------------------------------------------


# --- Trainings and spot checks ---------------------------------------------------------


def _year_form(request: HttpRequest) -> YearForm:
    return YearForm(request.GET or None, years=training.training_years(user=request.user))


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    year = form.chosen_year()
    return render(
        request,
        "personnel/training_list.html",
        {
            "subnav": "trainings",
            "form": form,
            "year": year,
            "counts": training.training_counts(user=request.user, year=year),
            "page": page_of(request, training.training_list(user=request.user, year=year)),
            "can_manage": can_manage_roster(request.user),
        },
    )


def _roster_area(request: HttpRequest):
    """The area whose roster a form lists (?roster_area=), else the user's jurisdiction."""
    pk = as_id(request.GET.get("roster_area"))
    chosen = area_for(user=request.user, pk=pk)
    return chosen or jurisdiction_root(request.user)


def _roster_areas(request: HttpRequest):
    return (
        areas_visible_to(request.user)
        .filter(level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
        .order_by("tree_id", "lft")
    )


@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    require_roster_manager(request.user)
    roster_area = _roster_area(request)
    query = request.GET.get("q", "").strip()
    roster = list(training.training_roster(user=request.user, area=roster_area, query=query))
    form = TrainingForm(
        request.POST or None,
        user=request.user,
        roster=roster,
        initial={"area": roster_area},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = training.training_create(
                area=form.cleaned_data["area"],
                day=form.cleaned_data["day"],
                topic=form.cleaned_data["topic"],
                hours=form.cleaned_data["hours"],
                attendees=[person.pk for person in form.cleaned_data["attendees"]],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Training “%(topic)s” recorded with %(n)s attendees.")
                % {"topic": session.topic, "n": len(form.cleaned_data["attendees"])},
            )
            return redirect("training_list")
    return render(
        request,
        "personnel/training_form.html",
        {
            "subnav": "trainings",
            "can_manage": True,
            "form": form,
            "roster_area": roster_area,
            "roster_areas": _roster_areas(request),
            "roster_full": len(roster) >= training.MAX_ATTENDEES,
            "query": query,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def spot_check_list(request: HttpRequest) -> HttpResponse:
    form = _year_form(request)
    year = form.chosen_year()
    checks = training.spot_check_list(user=request.user, year=year)
    return render(
        request,
        "personnel/spot_check_list.html",
        {
            "subnav": "spot_checks",
            "form": form,
            "year": year,
            "counts": training.training_counts(user=request.user, year=year),
            "page": page_of(request, checks),
            "can_manage": can_manage_roster(request.user),
        },
    )


@login_required
def spot_check_create(request: HttpRequest) -> HttpResponse:
    require_roster_manager(request.user)
    roster_area = _roster_area(request)
    query = request.GET.get("q", "").strip()
    roster = list(training.training_roster(user=request.user, area=roster_area, query=query))
    initial = {"staff": request.GET.get("staff") or None}
    form = SpotCheckForm(request.POST or None, user=request.user, roster=roster, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            check = training.spot_check_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Spot check of %(name)s recorded.") % {"name": check.staff.name}
            )
            return redirect("spot_check_list")
    return render(
        request,
        "personnel/spot_check_form.html",
        {
            "subnav": "spot_checks",
            "can_manage": True,
            "form": form,
            "roster_area": roster_area,
            "roster_areas": _roster_areas(request),
            "roster_full": len(roster) >= training.MAX_ATTENDEES,
            "query": query,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
