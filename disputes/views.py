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
from disputes.filters import CaseFilter, IdListField
from disputes.forms import (
    BatchAssignForm,
    CaseReportForm,
    assign_proposals,
    case_status_words,
    document_field,
    photo_field,
)
from disputes.models import (
    OPEN_STATUSES,
    AssignmentLine,
    AssignmentStatus,
    AttachmentKind,
    Case,
    CaseStatus,
    Severity,
)
from disputes.selectors import cases as selectors
from disputes.services.attachments import case_report_with_files, case_transition_with_files
from disputes.services.batch import cases_assign_batch
from disputes.services.contacts import NoNumber, case_handler_call, case_party_call
from disputes.transitions import ACTION_KINDS, TransitionInput, available_actions
from exports.answers import export_answer
from governance.platform.calls import call_response
from governance.platform.filters import as_id
from governance.platform.pages import error_dict, page_of
from governance.platform.uploads import protected_file
from grids.jurisdiction import CENTRE_ROLES, can_act_on_case, can_call_parties, can_report
from grids.selectors import area_filter_options, areas_visible_to

# Quick views of the list; each is only a preset of the filters.
TABS = [
    ("triage", {"status": [CaseStatus.REPORTED]}),
    ("handling", {"status": [CaseStatus.ACCEPTED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS]}),
    ("to_close", {"status": [CaseStatus.RESOLVED, CaseStatus.STABILISED]}),
    # Only the open ones: a closed case was overdue once, it is no work now.
    ("overdue", {"status": list(OPEN_STATUSES), "overdue": ["true"]}),
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
            "page": page_of(request, selectors.with_active_lines(filterset.qs)),
            # Batch actions on the ticked rows, for those who assign.
            "can_assign": request.user.role in CENTRE_ROLES["village"],
            "now": timezone.now(),
        },
    )


def _selected(request: HttpRequest, data) -> list[Case]:
    """The ticked cases (?ids=…) among those the user may see, in the list's order."""
    field = IdListField()
    try:
        ids = field.clean(data.getlist("ids"))
    except ValidationError:
        return []
    return list(selectors.case_list(user=request.user).filter(pk__in=ids))


@login_required
def case_batch_assign(request: HttpRequest) -> HttpResponse:
    """交办 several cases at once: the ticked cases, a confirmation page with the line and the
    handler, then each assigned through the assign service, all or none."""
    data = request.POST if request.method == "POST" else request.GET
    cases = _selected(request, data)
    ready = [case for case in cases if "assign" in available_actions(request.user, case)]
    not_ready = [case for case in cases if case not in ready]
    form = BatchAssignForm(
        request.POST if request.method == "POST" else None,
        handlers=selectors.batch_handler_candidates(cases=ready, actor=request.user),
        initial={"line": AssignmentLine.POLITICAL_LEGAL},
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and ready and form.is_valid():
        try:
            assigned = cases_assign_batch(
                cases=ready,
                actor=request.user,
                line=form.cleaned_data["line"],
                unit=form.cleaned_data["unit"].strip(),
                handler=form.cleaned_data["handler"],
                note=form.cleaned_data["note"].strip(),
            )
        except ValidationError as error:
            errors = error_dict(error)
        else:
            messages.success(
                request,
                _("%(count)s cases assigned: their timelines record it.")
                % {"count": len(assigned)},
            )
            return redirect("case_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "disputes/case_batch_assign.html",
        {
            "form": form,
            "ready": ready,
            "not_ready": not_ready,
            "case_errors": errors,
            "now": timezone.now(),
        },
        status=status,
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


# The next step of the loop opens by itself and comes first; rarer steps stay folded below
# it (merging as a duplicate, escalating, supervising, reopening).
FORWARD_ACTIONS = ("accept", "assign", "record", "resolve", "close", "evaluate")


def _detail_context(request: HttpRequest, case: Case) -> dict:
    actions = available_actions(request.user, case)
    actions = [a for a in actions if a in FORWARD_ACTIONS] + [
        a for a in actions if a not in FORWARD_ACTIONS
    ]
    assignments = list(selectors.case_assignments(case=case))
    active = [a for a in assignments if a.status == AssignmentStatus.ACTIVE]
    mine = [a for a in active if a.handler_id == request.user.pk]
    events = list(selectors.case_events(case=case))
    return {
        "case": case,
        "status_words": case_status_words(case, assignments, events),
        "events": events,
        "assignments": assignments,
        "attachments": list(case.attachments.all()),
        "actions": actions,
        "open_action": next((a for a in actions if a in FORWARD_ACTIONS), None),
        # A handler acts on their own line; a centre on any active line.
        "action_lines": mine or active,
        "candidates": (
            list(selectors.case_handler_candidates(case=case, actor=request.user))
            if "assign" in actions
            else []
        ),
        # Both lines as the roster would route them, proposed before the centre assigns.
        "assign_lines": assign_proposals(case) if "assign" in actions else [],
        "action_kinds": ACTION_KINDS,
        # Tap to call: the parties for those who may call them, a line's handler for all.
        "can_call_parties": can_call_parties(request.user, case),
        "call_url": reverse("case_call", args=[case.pk]),
        "severity_choices": Severity.choices,
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
            "posted_lines": request.POST.getlist("lines"),
        }
    )
    return render(request, "disputes/case_detail.html", context, status=400)


@login_required
@require_POST
def case_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Tap to call a party (?party=index) or a line's handler (?line=assignment id) of a
    case the user sees: the full number for the dialler, logged with its purpose."""
    case = _visible_case(request, pk)
    try:
        if "party" in request.POST:
            raw = request.POST["party"]
            if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
                raise NoNumber
            name, phone = case_party_call(case=case, actor=request.user, index=int(raw))
        else:
            line = as_id(request.POST.get("line"))
            if line is None:
                raise NoNumber
            name, phone = case_handler_call(case=case, actor=request.user, assignment_id=line)
    except NoNumber as missing:
        raise Http404 from missing
    return call_response(
        request, name=name, phone=phone, back=reverse("case_detail", args=[case.pk])
    )


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
