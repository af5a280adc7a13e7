"""Case pages: the phone report form, my cases, the centres' list and triage queue, the
case detail with its timeline and the actions the user may take now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from disputes.exporting import EXPORT_LIMIT, case_filter
from disputes.filters import CaseFilter
from disputes.forms import CaseReportForm, document_field, photo_field
from disputes.models import (
    AssignmentLine,
    AssignmentStatus,
    AttachmentKind,
    Case,
    CaseStatus,
    Severity,
)
from disputes.selectors import cases as selectors
from disputes.services.attachments import case_report_with_files, case_transition_with_files
from disputes.transitions import ACTION_KINDS, TransitionInput, available_actions
from exports.answers import export_answer
from governance.platform.pages import error_dict, page_of
from governance.platform.uploads import protected_file
from grids.jurisdiction import can_act_on_case, can_report
from grids.selectors import area_filter_options, areas_visible_to
from personnel.selectors import line_routing

# Quick views of the list; each is only a preset of the filters.
TABS = [
    ("triage", {"status": [CaseStatus.REPORTED]}),
    ("handling", {"status": [CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS]}),
    ("to_close", {"status": [CaseStatus.RESOLVED, CaseStatus.STABILISED]}),
    ("overdue", {"overdue": ["true"]}),
    ("supervised", {"supervised": ["true"]}),
]


@login_required
def case_report(request: HttpRequest) -> HttpResponse:
    if not can_report(request.user):
        raise PermissionDenied
    form = CaseReportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        grids=areas_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = case_report_with_files(
                reporter=request.user,
                photos=form.cleaned_data["photos"],
                documents=form.cleaned_data["documents"],
                **form.report_data(),
            )
        except ValidationError as error:
            for field, problems in error_dict(error).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if result.created:
                messages.success(
                    request,
                    _("Report No. %(number)s is filed. The centre will take it from here.")
                    % {"number": result.case.pk},
                )
            else:
                messages.info(request, _("This report had already been filed; here it is."))
            return redirect("case_detail", result.case.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "disputes/case_report.html", {"form": form}, status=status)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    handling = selectors.cases_handled_by(user=request.user)
    reported = selectors.cases_reported_by(user=request.user)
    tab = request.GET.get("tab")
    if tab not in ("handling", "reported"):
        tab = "handling" if handling.exists() else "reported"
    cases = handling.order_by("deadline", "-id") if tab == "handling" else reported
    return render(
        request,
        "disputes/my_cases.html",
        {
            "tab": tab,
            "page": page_of(request, cases),
            "can_report": can_report(request.user),
            "now": timezone.now(),
        },
    )


def _filtered(request: HttpRequest) -> CaseFilter:
    return CaseFilter(
        request.GET or None, queryset=selectors.case_list(user=request.user), request=request
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    filterset.form.fields["area"].widget.choices = area_filter_options(user=request.user)
    current = {key: request.GET.getlist(key) for key in request.GET if key != "page"}
    tabs = [(name, preset, preset == current) for name, preset in TABS]
    return render(
        request,
        "disputes/case_list.html",
        {
            "filter": filterset,
            "tabs": tabs,
            "all_tab": not current,
            "tab_active": any(active for _name, _preset, active in tabs),
            "page": page_of(request, filterset.qs),
            "now": timezone.now(),
        },
    )


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    total = case_filter(user=request.user, query=request.GET).qs.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            _("%(total)s cases match; narrow the filters to at most %(limit)s to export.")
            % {"total": total, "limit": EXPORT_LIMIT},
        )
        return redirect(f"{reverse('case_list')}?{request.GET.urlencode()}")
    return export_answer(request, kind="cases", total=total)


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_detail(user=request.user, pk=pk)
    if case is None:
        raise Http404
    return case


def _detail_context(request: HttpRequest, case: Case) -> dict:
    actions = available_actions(request.user, case)
    assignments = list(selectors.case_assignments(case=case))
    active = [a for a in assignments if a.status == AssignmentStatus.ACTIVE]
    mine = [a for a in active if a.handler_id == request.user.pk]
    return {
        "case": case,
        "events": selectors.case_events(case=case),
        "assignments": assignments,
        "attachments": list(case.attachments.all()),
        "actions": actions,
        # A handler acts on their own line; a centre on any active line.
        "action_lines": mine or active,
        "line_choices": AssignmentLine.choices,
        "candidates": (
            list(selectors.case_handler_candidates(case=case, actor=request.user))
            if "assign" in actions
            else []
        ),
        # Where the roster would send each line, shown before the centre assigns.
        "routing": (
            {value: line_routing(case=case, line=value) for value in AssignmentLine.values}
            if "assign" in actions
            else {}
        ),
        "action_kinds": ACTION_KINDS,
        "severity_choices": Severity.choices,
        # The next step of the loop opens by itself; rarer steps stay folded.
        "forward_actions": ("accept", "assign", "record", "resolve", "close", "evaluate"),
        "photo_field": photo_field(),
        "document_field": document_field(),
        "now": timezone.now(),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    return render(request, "disputes/case_detail.html", _detail_context(request, case))


def _transition_data(post) -> dict:
    """The page's action form as the transition input the API takes."""
    data = {key: post.get(key) for key in post if key not in ("csrfmiddlewaretoken", "lines")}
    data = {key: value for key, value in data.items() if value not in (None, "")}
    if data.get("action") == "assign":
        data["lines"] = [
            {
                "line": line,
                "unit": post.get(f"unit_{line}", "").strip(),
                "handler": post.get(f"handler_{line}") or None,
            }
            for line in post.getlist("lines")
        ]
    return data


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    data = TransitionInput(data=_transition_data(request.POST))
    errors: dict[str, list[str]] = {}
    uploads: dict[str, list] = {}
    if data.is_valid():
        action = data.validated_data["action"]
        if not can_act_on_case(request.user, case, action, line=data.validated_data.get("line")):
            raise PermissionDenied
        for field, make in (("photos", photo_field), ("documents", document_field)):
            try:
                uploads[field] = make().clean(request.FILES.getlist(field))
            except ValidationError as error:
                errors[field] = error.messages
        if not errors:
            try:
                case_transition_with_files(
                    case=case,
                    actor=request.user,
                    data=data.validated_data,
                    photos=uploads["photos"],
                    documents=uploads["documents"],
                )
            except ValidationError as error:
                errors = error_dict(error)
            else:
                messages.success(request, _("Done: the case's timeline records it."))
                return redirect("case_detail", case.pk)
    else:
        errors = {field: [str(m) for m in problems] for field, problems in data.errors.items()}
    context = _detail_context(request, case)
    context.update(
        {
            "failed_action": request.POST.get("action"),
            "action_errors": errors,
            "posted": request.POST,
        }
    )
    return render(request, "disputes/case_detail.html", context, status=400)


@login_required
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    attachment = get_object_or_404(case.attachments, pk=attachment_pk)
    return protected_file(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.name,
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
    )
