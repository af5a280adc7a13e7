"""Pages of supervision inspections 督导检查: the list, the county's record of a visit (the
checklist, the score, the problems found), the inspection with its problems, the inspected
area's report that a problem is fixed, and the list of problems to follow up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from governance.platform.pages import LONG_PAGE_SIZE, add_service_errors, error_dict, page_of
from grids.jurisdiction import can_fix_problems, can_record_inspections
from grids.selectors import area_for
from supervision.forms.inspections import (
    InspectionFilterForm,
    InspectionForm,
    ProblemFilterForm,
    ProblemFixForm,
    checklist_formset,
    inspection_input,
    problem_formset,
)
from supervision.models import ProblemStatus
from supervision.services import inspections


@never_cache
@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    form = InspectionFilterForm(request.GET, user=request.user)
    area, query = None, ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if form.cleaned_data["area"] is not None:
            area = area_for(user=request.user, pk=form.cleaned_data["area"])
    found = inspections.inspections_list(user=request.user, area=area, query=query)
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "form": form,
            "page": page_of(request, found, size=LONG_PAGE_SIZE),
            "can_record": can_record_inspections(request.user),
            "filtered": any(request.GET.get(key) for key in ("q", "area")),
        },
    )


@never_cache
@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    if not can_record_inspections(request.user):
        raise PermissionDenied(_("Supervision inspections are recorded by the county."))
    data = request.POST if request.method == "POST" else None
    form = InspectionForm(data, user=request.user)
    items, problems = checklist_formset(data), problem_formset(data)
    if data is not None and all([form.is_valid(), items.is_valid(), problems.is_valid()]):
        inspection_data, item_rows, problem_rows = inspection_input(form, items, problems)
        try:
            inspection = inspections.inspection_record(actor=request.user, data=inspection_data)
        except ValidationError as error:
            rows = {"items": (items, item_rows), "problems": (problems, problem_rows)}
            _add_errors(form, rows, error)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("inspection_detail", pk=inspection.pk)
    status = 400 if data is not None else 200
    return render(
        request,
        "supervision/inspection_form.html",
        {"form": form, "items": items, "problems": problems},
        status=status,
    )


def _add_errors(form, rows: dict, error: ValidationError) -> None:
    """The service's messages: "items-<n>" and "problems-<n>" on their rows, the rest
    (and "items": no item at all) on the form."""
    for key, messages_ in error_dict(error).items():
        name, _dash, index = key.partition("-")
        if name in rows and index.isdigit() and int(index) < len(rows[name][1]):
            formset, positions = rows[name]
            formset.forms[positions[int(index)]].add_error(None, messages_)
        else:
            form.add_error(key if key in form.fields else None, messages_)


@never_cache
@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspections.inspection_for(user=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return _detail_page(request, inspection)


def _detail_page(request: HttpRequest, inspection, bound: ProblemFixForm | None = None):
    today = timezone.localdate()
    fixer = can_fix_problems(request.user)
    problems = list(inspection.problems.select_related("fixed_by"))
    for problem in problems:
        problem.overdue = problem.status == ProblemStatus.OPEN and problem.fix_by < today
        if fixer and problem.status == ProblemStatus.OPEN:
            mine = bound is not None and bound.prefix == f"fix-{problem.pk}"
            problem.fix_form = bound if mine else ProblemFixForm(problem=problem)
    items = list(inspection.items.all())
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "items": items,
            "problems": problems,
            "failed": sum(1 for item in items if not item.passed),
        },
        status=400 if bound is not None else 200,
    )


@never_cache
@login_required
@require_POST
def problem_fix(request: HttpRequest, pk: int) -> HttpResponse:
    problem = (
        inspections.problems_visible_to(request.user)
        .select_related("inspection__area", "inspection__created_by")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404
    if not can_fix_problems(request.user):
        raise PermissionDenied(_("Only the inspected area's centres report problems fixed."))
    form = ProblemFixForm(request.POST, problem=problem)
    back = reverse("inspection_detail", args=[problem.inspection_id]) + f"#problem-{problem.pk}"
    if problem.status != ProblemStatus.OPEN:
        messages.info(request, _("This problem has already been closed."))
        return redirect(back)
    if form.is_valid():
        try:
            inspections.problem_fix(
                problem=problem,
                actor=request.user,
                note=form.cleaned_data["fix_note"],
                fixed_on=form.cleaned_data["fixed_on"],
            )
        except ValidationError as error:
            if "status" in error_dict(error):  # closed by someone else meanwhile
                messages.info(request, " ".join(error_dict(error)["status"]))
                return redirect(back)
            add_service_errors(form, error)
        else:
            messages.success(request, _("The problem is reported fixed."))
            return redirect(back)
    return _detail_page(request, problem.inspection, bound=form)


@never_cache
@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    form = ProblemFilterForm(request.GET)
    show = form.cleaned_data["show"] if form.is_valid() else ""
    found = inspections.problems_list(
        user=request.user,
        status=show if show in ProblemStatus.values else "",
        overdue=show == "overdue",
    )
    page = page_of(request, found, size=LONG_PAGE_SIZE)
    today = timezone.localdate()
    for problem in page.object_list:
        problem.overdue = problem.status == ProblemStatus.OPEN and problem.fix_by < today
    return render(
        request,
        "supervision/problem_list.html",
        {"form": form, "page": page, "show": show},
    )
