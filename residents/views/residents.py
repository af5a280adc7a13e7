"""Pages of the register of residents of concern 重点人员与特殊人群: the list and the ID
lookup, a person's page (every opening logged; the full ID number and phone only for a
stated purpose), registering and correcting, leaving management, the watermarked export,
the access log and the county's visit cycles. Every read goes through
residents.services.residents and residents.selectors; no response with personal data may be
cached."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from disputes.selectors.cases import cases_visible_to
from exports.answers import export_answer
from governance.platform.pages import (
    LONG_PAGE_SIZE,
    add_service_errors,
    export_response,
    page_of,
    too_many_to_export,
)
from grids import tree
from grids.jurisdiction import (
    can_export_residents,
    can_read_access_log,
    can_register_residents,
    is_committee_administrator,
    jurisdiction_root,
    scope,
)
from grids.models import Area, AreaLevel
from grids.selectors import area_filter_options, area_for, areas_visible_to
from personnel.selectors import staff_visible_to
from residents import selectors as access
from residents.exporting import access_log_entries, residents_export
from residents.forms.residents import (
    AccessLogFilterForm,
    CyclesForm,
    LookupForm,
    ReasonForm,
    ResidentFilterForm,
    ResidentForm,
    StatusForm,
)
from residents.models import KEY_PERSON_CATEGORIES, AccessAction, Resident
from residents.services import residents
from residents.services.cycles import visit_cycles as cycles_of
from residents.services.cycles import visit_cycles_set
from residents.services.visits import can_record_visit, visits_of

LOG_EXPORT_LIMIT = 50_000


def refusals_as_pages(view):
    """A refusal (no right, or the hourly limit of detail views) as a page that says why,
    with status 403."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return render(
                request, "residents/resident_denied.html", {"message": str(error)}, status=403
            )

    return wrapped


def no_store(view):
    """never_cache, with the one Cache-Control directive the API's responses carry too."""
    cached_never = never_cache(view)

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = cached_never(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def resident_page(view):
    return no_store(login_required(refusals_as_pages(view)))


def _require_registrar(user) -> None:
    if not can_register_residents(user):
        raise PermissionDenied(_("Only the centres, the village staff and the police do this."))


# --- The list, the lookup and the export ---------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[ResidentFilterForm, object]:
    form = ResidentFilterForm(request.GET, area_choices=area_filter_options(user=request.user))
    if not form.is_valid():
        return form, Resident.objects.none()
    data = form.cleaned_data
    area = None
    if data["area"] is not None:
        area = area_for(user=request.user, pk=data["area"])
    found = residents.resident_list(
        user=request.user,
        category=data["category"],
        risk=data["risk"],
        status=data["status"],
        area=area,
        query=data["q"].strip(),
    )
    if data["overdue"]:
        found = found.filter(next_visit_due__lt=timezone.localdate())
    return form, found


def _list_page(
    request: HttpRequest,
    *,
    lookup_error: str = "",
    export_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    form, found = _filtered(request)
    return render(
        request,
        "residents/resident_list.html",
        {
            "form": form,
            "page": page_of(request, found),
            "filtered": any(key != "page" for key in request.GET),
            # Always a fresh, empty lookup form: a typed ID number is never sent back.
            "lookup_form": LookupForm(),
            "lookup_error": lookup_error,
            "export_form": export_form or ReasonForm(),
            "can_register": can_register_residents(request.user),
            "can_export": can_export_residents(request.user),
            "can_audit": can_read_access_log(request.user),
            "key_categories": list(KEY_PERSON_CATEGORIES),
            "today": timezone.localdate(),
        },
        status=status,
    )


@resident_page
def resident_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@resident_page
def resident_lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _list_page(request, lookup_error=_("Enter the full 18-digit ID number."), status=400)
    resident = access.resident_lookup(user=request.user, id_number=form.cleaned_data["id_number"])
    if resident is None:
        return _list_page(
            request,
            lookup_error=_("No resident with this ID number in your jurisdiction."),
            status=404,
        )
    return redirect("resident_detail", resident.pk)


@require_POST
@resident_page
def resident_export(request: HttpRequest) -> HttpResponse:
    """The filtered register (filters in the query string, the purpose in the body)."""
    form, found = _filtered(request)
    if form.errors:
        return _list_page(request, status=400)
    reason = request.POST.get("reason", "").strip()
    export_form = ReasonForm(request.POST)
    export_form.is_valid()
    try:
        rows = access.residents_export(user=request.user, residents=found, reason=reason)
    except ValidationError as error:
        add_service_errors(export_form, error)
        return _list_page(request, export_form=export_form, status=400)
    return export_response(residents_export(rows, user=request.user, reason=reason))


# --- One person ----------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    resident: Resident,
    *,
    revealed: dict | None = None,
    reveal_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    visits = list(visits_of(resident=resident))
    case_ids = {visit.case_id for visit in visits if visit.case_id}
    visible_cases = set(
        cases_visible_to(request.user).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    return render(
        request,
        "residents/resident_detail.html",
        {
            "resident": resident,
            "visits": visits,
            "visible_cases": visible_cases,
            "cases": [v.case for v in visits if v.case_id in visible_cases],
            "changes": resident.status_changes.select_related("actor"),
            "revealed": revealed,
            "reveal_form": reveal_form or ReasonForm(),
            "can_edit": can_register_residents(request.user),
            "can_visit": can_record_visit(request.user, resident),
            "key_categories": list(KEY_PERSON_CATEGORIES),
            "today": timezone.localdate(),
        },
        status=status,
    )


@resident_page
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = access.resident_detail(user=request.user, pk=pk)  # logged; may be limited
    if resident is None:
        raise Http404
    return _detail_page(request, resident)


@require_POST
@resident_page
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full numbers in this one response only: never in the session, never in a URL."""
    resident = access.resident_for(user=request.user, pk=pk, action=AccessAction.REVEAL)
    if resident is None:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        revealed = access.resident_reveal(
            resident=resident, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        add_service_errors(form, error)
        # Shown again with the error, the person's page is an opening like any other:
        # logged and counted against the hourly limit.
        resident = access.resident_detail(user=request.user, pk=pk)
        if resident is None:
            raise Http404 from None
        return _detail_page(request, resident, reveal_form=form, status=400)
    return _detail_page(request, resident, revealed=revealed)


def _form_page(request: HttpRequest, form: ResidentForm, resident: Resident | None):
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "resident": resident}
    return render(request, "residents/resident_form.html", context, status=status)


def _resident_form(request: HttpRequest, resident: Resident | None = None) -> ResidentForm:
    return ResidentForm(
        request.POST or None,
        user=request.user,
        grids=areas_visible_to(request.user),
        staff=staff_visible_to(request.user),
        resident=resident,
    )


@resident_page
def resident_create(request: HttpRequest) -> HttpResponse:
    _require_registrar(request.user)
    form = _resident_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            resident = residents.resident_register(data=form.resident_input(), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": resident.name})
            return redirect("resident_detail", resident.pk)
    return _form_page(request, form, None)


@resident_page
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_registrar(request.user)
    if request.method == "POST":
        resident = access.resident_for(user=request.user, pk=pk, action=AccessAction.VIEW)
    else:  # the form shows the person's details: an opening like the detail page's
        resident = access.resident_detail(user=request.user, pk=pk)
    if resident is None:
        raise Http404
    form = _resident_form(request, resident)
    if request.method == "POST" and form.is_valid():
        try:
            residents.resident_update(
                resident=resident, data=form.resident_input(), actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("resident_detail", resident.pk)
    return _form_page(request, form, resident)


@resident_page
def resident_status(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for the new status, the reason and a confirmation; only the POST acts."""
    _require_registrar(request.user)
    resident = access.resident_for(user=request.user, pk=pk, action=AccessAction.VIEW)
    if resident is None:
        raise Http404
    form = StatusForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            resident = residents.resident_set_status(
                resident=resident,
                actor=request.user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s: %(status)s.")
                % {"name": resident.name, "status": resident.get_status_display()},
            )
            return redirect("resident_detail", resident.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "resident": resident}
    return render(request, "residents/resident_status.html", context, status=status)


# --- The access log ------------------------------------------------------------------------


def _log_entries(request: HttpRequest) -> tuple[AccessLogFilterForm, object]:
    return access_log_entries(user=request.user, query=request.GET)


@require_GET
@resident_page
def access_log(request: HttpRequest) -> HttpResponse:
    form, entries = _log_entries(request)
    return render(
        request,
        "residents/access_log.html",
        {
            "form": form,
            "filtered": any(key != "page" for key in request.GET),
            "page": page_of(request, entries, size=LONG_PAGE_SIZE),
        },
    )


@require_GET
@resident_page
def access_log_export(request: HttpRequest) -> HttpResponse:
    _form, entries = _log_entries(request)
    total = entries.count()
    if refused := too_many_to_export(request, total, limit=LOG_EXPORT_LIMIT, back="access_log"):
        return refused
    return export_answer(request, kind="access_log", total=total)


# --- Visit cycles --------------------------------------------------------------------------


def _counties(request: HttpRequest) -> tuple[Area, list[Area]]:
    """The county asked for (?county=), by default the user's own; 404 outside their reach."""
    counties = list(tree.in_order(scope(request.user, Area.objects.filter(level=AreaLevel.COUNTY))))
    root = jurisdiction_root(request.user)
    wanted = request.GET.get("county")
    if wanted:
        county = next((c for c in counties if str(c.pk) == wanted), None)
    elif root is not None and root.level == AreaLevel.COUNTY:
        county = root
    else:
        county = counties[0] if counties else None
    if county is None:
        raise Http404
    return county, counties


@resident_page
def visit_cycles(request: HttpRequest) -> HttpResponse:
    if not is_committee_administrator(request.user):
        raise PermissionDenied(_("The visit cycles are set by the committee's administrators."))
    county, counties = _counties(request)
    form = CyclesForm(request.POST or None, cycles=cycles_of(county=county))
    if request.method == "POST" and form.is_valid():
        try:
            moved = visit_cycles_set(county=county, days=form.days(), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The visit cycles are saved; %(count)s person's next visit moved.",
                    "The visit cycles are saved; %(count)s people's next visits moved.",
                    moved,
                )
                % {"count": moved},
            )
            here = reverse("visit_cycles")
            if len(counties) > 1:
                here += "?" + urlencode({"county": county.pk})
            return redirect(here)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "county": county, "counties": counties if len(counties) > 1 else []}
    return render(request, "residents/visit_cycles.html", context, status=status)
