"""Pages of analysis meetings 研判会: the list, the record (first the meeting's level and
area, then the form with the area's queue of open cases to pick from), the record itself
and its printable minutes 会议纪要."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from disputes.models import AssignmentLine, Case
from disputes.selectors.cases import cases_visible_to
from governance.platform.filters import as_id
from governance.platform.pages import LONG_PAGE_SIZE, error_dict, page_of
from grids.jurisdiction import can_record_meetings
from grids.selectors import area_for
from supervision.forms.meetings import (
    CANDIDATES_SHOWN,
    MeetingFilterForm,
    MeetingForm,
    MeetingPlaceForm,
    item_formset,
    meeting_input,
    posted_case_ids,
)
from supervision.models import Decision, MeetingLevel, MeetingUnit, RiskFlag
from supervision.services import meetings


@never_cache
@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET, user=request.user)
    level, query, area = "", "", None
    if form.is_valid():
        level, query = form.cleaned_data["level"], form.cleaned_data["q"].strip()
        if form.cleaned_data["area"] is not None:
            area = area_for(user=request.user, pk=form.cleaned_data["area"])
    found = meetings.meetings_list(user=request.user, level=level, query=query, area=area)
    return render(
        request,
        "supervision/meeting_list.html",
        {
            "form": form,
            "page": page_of(request, found, size=LONG_PAGE_SIZE),
            "can_record": can_record_meetings(request.user),
            "filtered": any(request.GET.get(key) for key in ("q", "level", "area")),
        },
    )


@never_cache
@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not can_record_meetings(request.user):
        raise PermissionDenied(_("Only the county and township centres record meetings."))
    if request.method == "POST":
        return _record(request)
    # Bound once an area is asked for; "change" comes back with the level alone.
    chosen = request.GET if "area" in request.GET else None
    place = MeetingPlaceForm(chosen, initial={"level": request.GET.get("level")}, user=request.user)
    if not place.is_valid():
        status = 400 if place.is_bound else 200
        return render(request, "supervision/meeting_place.html", {"form": place}, status=status)
    area, level = place.cleaned_data["area"], place.cleaned_data["level"]
    queue = meetings.meeting_candidates(user=request.user, area=area)
    candidates = list(queue[: CANDIDATES_SHOWN + 1])
    more = len(candidates) > CANDIDATES_SHOWN
    candidates = candidates[:CANDIDATES_SHOWN]
    form = MeetingForm(initial={"level": level, "area": area.pk}, user=request.user)
    formset = item_formset(candidates=candidates)
    return _form_page(request, form, formset, {case.pk: case for case in candidates}, more=more)


def _record(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST, user=request.user)
    formset = item_formset(data=request.POST)
    cases = {
        case.pk: case
        for case in cases_visible_to(request.user)
        .filter(pk__in=posted_case_ids(formset))
        .select_related("village", "category")
    }
    if form.is_valid() and formset.is_valid():
        data, rows = meeting_input(form, formset, cases)
        if not formset.total_error_count():
            try:
                meeting = meetings.meeting_record(actor=request.user, data=data)
            except ValidationError as error:
                _add_errors(form, formset, rows, error)
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect("meeting_detail", pk=meeting.pk)
    return _form_page(request, form, formset, cases, status=400)


def _add_errors(form, formset, rows: list[int], error: ValidationError) -> None:
    """The service's messages: an item's ("items-<n>") on its row, the rest on the form."""
    for key, problems in error_dict(error).items():
        index = key.removeprefix("items-")
        if index.isdigit() and int(index) < len(rows):
            formset.forms[rows[int(index)]].add_error(None, problems)
        else:
            form.add_error(key if key in form.fields else None, problems)


def _form_page(
    request: HttpRequest, form, formset, cases: dict[int, Case], *, more=False, status=200
) -> HttpResponse:
    for row in formset.forms:
        value = row["case"].value()
        row.case_obj = cases.get(as_id(value))
    area = area_for(user=request.user, pk=as_id(form["area"].value()))
    level = form["level"].value()
    return render(
        request,
        "supervision/meeting_form.html",
        {
            "form": form,
            "formset": formset,
            "area": area,
            "level_label": MeetingLevel(level).label if level in MeetingLevel.values else "",
            "level": level,
            "more": more,
            "shown": CANDIDATES_SHOWN,
        },
        status=status,
    )


@never_cache
@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "supervision/meeting_detail.html", _meeting_context(request, pk))


@never_cache
@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "supervision/meeting_minutes.html", _meeting_context(request, pk))


def _meeting_context(request: HttpRequest, pk: int) -> dict:
    meeting = meetings.meeting_for(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    items = list(meetings.meeting_items(meeting=meeting))
    for item in items:
        item.risk_labels = [RiskFlag(f).label for f in item.risk_flags if f in RiskFlag.values]
        assigned = item.decision == Decision.ASSIGN
        lines = item.lines or ([AssignmentLine.POLITICAL_LEGAL] if assigned else [])
        item.line_labels = [AssignmentLine(x).label for x in lines if x in AssignmentLine.values]
    return {
        "meeting": meeting,
        "items": items,
        "unit_labels": [label for value, label in MeetingUnit.choices if value in meeting.units],
    }
