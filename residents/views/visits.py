"""Pages of visits 走访 to residents of concern: the phone form at the door, the worker's own
list of visits due, and the centres' overdue report by area."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from disputes.services.attachments import photo_content_type
from governance.platform.filters import as_id
from governance.platform.pages import LONG_PAGE_SIZE, error_dict, page_of
from governance.platform.uploads import protected_file
from grids import selectors
from grids.jurisdiction import can_register_residents, can_report, jurisdiction_root
from grids.models import Area
from residents.forms.visits import VisitForm
from residents.models import AccessAction, Visit
from residents.selectors import resident_for, visit_for
from residents.services import visits
from residents.services.residents import residents_visible_to

RECENT_DAYS = 7
TOTALS = ("active", "overdue", "due_soon")


@never_cache
@login_required
def visit_record(request: HttpRequest, resident_pk: int) -> HttpResponse:
    resident = resident_for(user=request.user, pk=resident_pk, action=AccessAction.VIEW)
    if resident is None:
        raise Http404
    if not visits.can_record_visit(request.user, resident):
        raise PermissionDenied(_("You cannot record visits to this person."))
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            result = visits.visit_record(
                resident=resident, actor=request.user, data=form.visit_input()
            )
        except ValidationError as error:
            form.add_service_errors(error_dict(error))
        else:
            _tell(request, result)
            return redirect("my_visits")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "residents/visit_form.html",
        {"form": form, "resident": resident, "today": timezone.localdate()},
        status=status,
    )


def _tell(request: HttpRequest, result: visits.VisitResult) -> None:
    if not result.created:
        messages.info(request, _("This visit had already been recorded."))
        return
    due = result.visit.resident.next_visit_due
    text = _("Visit recorded; next visit due %(date)s.") % {"date": due.isoformat() if due else "—"}
    if result.visit.case_id:
        text += " " + _("Case No. %(number)s filed.") % {"number": result.visit.case_id}
    messages.success(request, text)


@never_cache
@login_required
def my_visits(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = page_of(request, visits.visits_due_for(user=request.user), size=LONG_PAGE_SIZE)
    for resident in page.object_list:
        resident.days_overdue = (today - resident.next_visit_due).days
    recent = (
        Visit.objects.filter(
            recorded_by=request.user,
            visited_on__gte=today - timedelta(days=RECENT_DAYS),
            resident__in=residents_visible_to(request.user),
        )
        .select_related("resident__grid", "case")
        .order_by("-visited_on", "-id")[:20]
    )
    return render(
        request,
        "residents/my_visits.html",
        {
            "page": page,
            "sections": [
                ("overdue", _("Overdue"), [r for r in page if r.days_overdue > 0]),
                ("due-soon", _("Due this week"), [r for r in page if r.days_overdue <= 0]),
            ],
            "recent": recent,
            "can_record": can_report(request.user),
            "can_see_report": can_register_residents(request.user),
            "today": today,
            # The lists' "due soon" window: the deadline mark is amber inside it.
            "due_soon_days": visits.DUE_SOON_DAYS,
        },
    )


@never_cache
@login_required
def visits_overdue(request: HttpRequest) -> HttpResponse:
    if not can_register_residents(request.user):
        raise PermissionDenied(_("The overdue report is for the centres; see My visits."))
    area = _report_area(request)
    rows = visits.overdue_by_area(user=request.user, parent=area)
    for row in rows:
        row["percent"] = round(100 * row["overdue"] / row["active"]) if row["active"] else None
    today = timezone.localdate()
    page = page_of(
        request, visits.visits_overdue(user=request.user, area=area), size=LONG_PAGE_SIZE
    )
    for resident in page.object_list:
        resident.days_overdue = (today - resident.next_visit_due).days
    return render(
        request,
        "residents/visits_overdue.html",
        {
            "area": area,
            "ancestors": selectors.area_ancestors(user=request.user, area=area),
            "rows": rows,
            "totals": {key: sum(row[key] for row in rows) for key in TOTALS},
            "page": page,
        },
    )


def _report_area(request: HttpRequest) -> Area:
    """The area asked for (one the user may see), else the user's jurisdiction."""
    wanted = request.GET.get("area", "")
    if wanted:
        area = selectors.area_for(user=request.user, pk=as_id(wanted))
    else:
        area = jurisdiction_root(request.user) or selectors.area_roots_for(request.user).first()
    if area is None:
        raise Http404
    return area


@never_cache
@login_required
def visit_photo(request: HttpRequest, visit_pk: int) -> HttpResponse:
    visit = visit_for(user=request.user, pk=visit_pk)  # logged when refused
    if visit is None or not visit.photo:
        raise Http404
    return protected_file(visit.photo, content_type=photo_content_type)
