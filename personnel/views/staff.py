"""Roster pages 一警三专N员: the list with its filters and export, a person's profile,
adding and editing people and posts, ending a post (after a confirmation), giving a login.
The coverage report's pages are in coverage_views."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports.answers import export_answer
from governance.platform.calls import call_response
from governance.platform.choosers import chooser_query, chooser_response
from governance.platform.pages import (
    LONG_PAGE_SIZE,
    add_service_errors,
    error_dict,
    export_response,
    page_of,
)
from governance.platform.validators import mask_id_number, mask_phone
from grids import tree
from grids.jurisdiction import (
    can_manage_roster,
    jurisdiction_root,
    require_roster_manager,
    sees_everything,
)
from grids.models import Area, AreaLevel
from grids.selectors import area_for, areas_search, areas_visible_to
from personnel import selectors
from personnel.exporting import EXPORT_LIMIT, coverage_export, roster_filtered
from personnel.forms.staff import (
    ANY,
    CoverageFilterForm,
    LoginGrantForm,
    PostEndForm,
    PostForm,
    RosterFilterForm,
    StaffForm,
)
from personnel.models import PostKind, Staff
from personnel.services import staff as services
from personnel.services.accounts import staff_username
from personnel.services.coverage import CoverageReport, Gap, coverage_report
from personnel.services.training import spot_checks_visible_to, trainings_visible_to

# The person form's first-post fields, named as post_add names them.
FIRST_POST_FIELDS = {
    "kind": "post_kind",
    "member_type": "post_member_type",
    "area": "post_area",
    "start": "post_start",
}


def _visible_staff(request: HttpRequest, pk: int) -> Staff:
    staff = selectors.staff_detail(user=request.user, pk=pk)
    if staff is None:
        raise Http404
    return staff


def staff_page(
    request: HttpRequest, template: str, context: dict, *, subnav: str = "roster", status=200
) -> HttpResponse:
    """Render a page of the staff section: its sub-navigation shows the managers' links."""
    context = {"subnav": subnav, "can_manage": can_manage_roster(request.user), **context}
    return render(request, f"personnel/{template}.html", context, status=status)


# --- The roster ------------------------------------------------------------------------


@login_required
@require_POST
def staff_call_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Tap to call a colleague of the roster: the full number for the dialler, logged."""
    staff = _visible_staff(request, pk)
    if not staff.phone:
        raise Http404
    phone = services.staff_call(staff=staff, actor=request.user)
    return call_response(
        request, name=staff.name, phone=phone, back=reverse("staff_detail", args=[staff.pk])
    )


def _roster(request: HttpRequest) -> tuple[RosterFilterForm, QuerySet[Staff]]:
    """The filtered roster, shared by the page and its export so that both agree."""
    roster = roster_filtered(user=request.user, query=request.GET)
    return roster.form, roster.staff


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    form, staff = _roster(request)
    counts = selectors.staff_post_counts(user=request.user)
    filtered = any(key != "page" for key in request.GET)
    return staff_page(
        request,
        "staff_list",
        {
            "form": form,
            "filtered": filtered,
            "post_counts": [
                (value, label, counts.get(value, 0)) for value, label in PostKind.choices
            ],
            "page": page_of(request, staff, size=LONG_PAGE_SIZE),
        },
    )


@login_required
def staff_export(request: HttpRequest) -> HttpResponse:
    _form, staff = _roster(request)
    total = staff.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            _("%(total)s people match; narrow the filters to at most %(limit)s to export.")
            % {"total": total, "limit": EXPORT_LIMIT},
        )
        return redirect(f"{reverse('staff_list')}?{request.GET.urlencode()}")
    return export_answer(request, kind="roster", total=total)


def _staff_input(form: StaffForm, staff: Staff | None = None) -> services.StaffInput:
    data = form.cleaned_data
    return services.StaffInput(
        name=data["name"],
        # On the edit form the numbers stay masked: left empty, they are kept.
        phone=data["phone"] or (staff.phone if staff else ""),
        id_number=data["id_number"] or (staff.id_number if staff else ""),
        gender=data["gender"],
        area=data["area"],
        employer=data["employer"],
    )


def _create_with_first_post(form: StaffForm, actor) -> Staff:
    """The person and, when asked for, their first post: both or neither."""
    data = form.cleaned_data
    with transaction.atomic():
        staff = services.staff_create(data=_staff_input(form), actor=actor)
        if data["post_kind"]:
            try:
                services.post_add(
                    staff=staff,
                    kind=data["post_kind"],
                    member_type=data["post_member_type"],
                    area=data["post_area"],
                    start=data["post_start"],
                    actor=actor,
                )
            except ValidationError as error:
                raise ValidationError(
                    {FIRST_POST_FIELDS.get(k, k): v for k, v in error_dict(error).items()}
                ) from None
        elif data["post_member_type"] or data["post_area"]:
            raise ValidationError(
                {"post_kind": [_("Choose the post, or leave the post's fields empty.")]}
            )
    return staff


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    require_roster_manager(request.user)
    form = StaffForm(
        request.POST or None,
        user=request.user,
        areas=areas_visible_to(request.user),
        with_post=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff = _create_with_first_post(form, request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on the roster.") % {"name": staff.name})
            return redirect("staff_detail", staff.pk)
    status = 400 if form.is_bound and form.errors else 200
    return staff_page(request, "staff_form", {"form": form}, status=status)


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _visible_staff(request, pk)
    require_roster_manager(request.user)
    initial = {
        "name": staff.name,
        "gender": staff.gender,
        "employer": staff.employer,
        "area": staff.area,
    }
    form = StaffForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        areas=areas_visible_to(request.user),
    )
    # The numbers are never shown in full: typed anew to change them, left empty to keep.
    masked = (("phone", mask_phone(staff.phone)), ("id_number", mask_id_number(staff.id_number)))
    for name, current in masked:
        form.fields[name].required = False
        form.fields[name].widget.attrs["placeholder"] = current
        form.fields[name].help_text = _("Leave empty to keep %(current)s.") % {"current": current}
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=staff, data=_staff_input(form, staff), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff_detail", staff.pk)
    status = 400 if form.is_bound and form.errors else 200
    return staff_page(request, "staff_form", {"form": form, "staff": staff}, status=status)


def _detail_context(request: HttpRequest, staff: Staff, **extra) -> dict:
    today = timezone.localdate()
    posts = list(selectors.staff_posts(staff=staff))
    can_manage = can_manage_roster(request.user)
    return {
        "staff": staff,
        "open_posts": [post for post in posts if post.end is None or post.end > today],
        "past_posts": [post for post in posts if post.end is not None and post.end <= today],
        # What the viewer's jurisdiction holds of the person: a training organised by the
        # county stays out of sight. The person's cases and evaluations come from their own
        # apps, through the page's template tags (staff_assignments, staff_evaluations).
        "trainings": trainings_visible_to(request.user).filter(attendees=staff),
        "spot_checks": spot_checks_visible_to(request.user)
        .filter(staff=staff)
        .select_related("checked_by"),
        "login_form": extra.pop("login_form", None)
        or (
            LoginGrantForm(initial={"username": staff_username(staff=staff)})
            if can_manage and not staff.user_id
            else None
        ),
        **extra,
    }


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _visible_staff(request, pk)
    return staff_page(request, "staff_detail", _detail_context(request, staff))


@login_required
@require_POST
def staff_login(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _visible_staff(request, pk)
    require_roster_manager(request.user)
    form = LoginGrantForm(request.POST)
    if form.is_valid():
        try:
            user = services.staff_grant_login(
                staff=staff,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s can now log in as %(username)s.")
                % {"name": staff.name, "username": user.username},
            )
            return redirect("staff_detail", staff.pk)
    context = _detail_context(request, staff, login_form=form)
    return staff_page(request, "staff_detail", context, status=400)


# --- Posts -----------------------------------------------------------------------------


@login_required
def post_create(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _visible_staff(request, pk)
    require_roster_manager(request.user)
    # Posts lie under the unit that manages the person.
    areas = areas_search(user=request.user, within=staff.area)
    form = PostForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = services.post_add(
                staff=staff,
                kind=data["kind"],
                member_type=data["member_type"],
                area=data["area"],
                start=data["start"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(post)s of %(area)s.")
                % {"name": staff.name, "post": post.label, "area": post.area.name},
            )
            return redirect("staff_detail", staff.pk)
    status = 400 if form.is_bound and form.errors else 200
    return staff_page(request, "post_form", {"form": form, "staff": staff}, status=status)


@login_required
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (end date, reason, note); only the POST ends the post."""
    post = get_object_or_404(
        selectors.posts_visible_to(request.user).select_related("staff", "area", "area__parent"),
        pk=pk,
    )
    require_roster_manager(request.user)
    form = PostEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_end(
                post=post,
                actor=request.user,
                end=data["end"],
                reason=data["reason"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s's post as %(post)s of %(area)s ended on %(day)s.")
                % {
                    "name": post.staff.name,
                    "post": post.label,
                    "area": post.area.name,
                    "day": data["end"].isoformat(),
                },
            )
            return redirect("staff_detail", post.staff_id)
    status = 400 if form.is_bound and form.errors else 200
    return staff_page(
        request, "post_end", {"form": form, "post": post, "staff": post.staff}, status=status
    )


GAP_PAGE_SIZE = 100


@dataclass
class Coverage:
    form: CoverageFilterForm
    root: Area | None = None
    report: CoverageReport | None = None
    gaps: list[Gap] | None = None


def _default_root(user) -> Area | None:
    root = jurisdiction_root(user)
    if root is None and sees_everything(user):  # an operator: the first county
        return tree.in_order(areas_visible_to(user).filter(parent__isnull=True)).first()
    return root


def _coverage(request: HttpRequest) -> Coverage:
    """The report of the chosen area (the user's jurisdiction by default), its gaps narrowed
    by post and township; shared by the page and its export."""
    if not (request.user.role or sees_everything(request.user)):
        raise PermissionDenied
    form = CoverageFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return Coverage(form)
    data = form.cleaned_data if form.is_bound else {}
    root = _default_root(request.user)
    if data.get("area"):
        root = area_for(user=request.user, pk=data["area"])
    if root is None:
        return Coverage(form)
    report = coverage_report(root=root, post=data.get("post", ""))
    townships = [(rate.area_id, rate.name) for rate in report.rates]
    form.fields["township"].widget.choices = [("", ANY), *townships]
    gaps = report.gaps
    township = data.get("township")
    if township is not None:
        if township not in dict(townships):
            form.add_error("township", _("Choose one of the townships of this area."))
            return Coverage(form, root, report, [])
        gaps = [gap for gap in gaps if gap.township_id == township]
    return Coverage(form, root, report, gaps)


@login_required
def staff_coverage(request: HttpRequest) -> HttpResponse:
    coverage = _coverage(request)
    report = coverage.report
    show_villages = coverage.root is not None and coverage.root.level in (
        AreaLevel.TOWNSHIP,
        AreaLevel.VILLAGE,
        AreaLevel.GRID,
    )
    return staff_page(
        request,
        "coverage",
        {
            "form": coverage.form,
            "root": coverage.root,
            "report": report,
            "gap_total": len(coverage.gaps or []),
            "village_rates": report.village_rates if report and show_villages else [],
            "page": page_of(request, coverage.gaps or [], size=GAP_PAGE_SIZE),
            "filtered": any(key != "page" for key in request.GET),
        },
        subnav="coverage",
        status=400 if coverage.form.errors else 200,
    )


@login_required
def staff_coverage_export(request: HttpRequest) -> HttpResponse:
    coverage = _coverage(request)
    if coverage.report is None or coverage.form.errors:
        return redirect(f"{reverse('staff_coverage')}?{request.GET.urlencode()}")
    export = coverage_export(
        user=request.user, root=coverage.root, gaps=coverage.gaps, rates=coverage.report.rates
    )
    return export_response(export)


def staff_choice_label(staff) -> str:
    return f"{staff.name} · {staff.area.name}"


@login_required
@require_GET
def choose_staff(request: HttpRequest) -> HttpResponse:
    """The chooser's search of the roster (`active=1`: holding a post today)."""
    query, page = chooser_query(request)
    rows = selectors.staff_to_choose(
        user=request.user, query=query, active=request.GET.get("active") == "1"
    )
    return chooser_response(rows, page=page, key=lambda s: str(s.pk), label=staff_choice_label)
