"""Pages of village points 积分管理: the villages, a village's households and items to
approve or on notice, the rules, a household, the fund's ledger, the monthly board, the
township's view and the bank's list. Each parses input and calls one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from disputes.services.attachments import photo_content_type
from governance.platform.pages import add_service_errors, export_response
from governance.platform.uploads import protected_file
from grids.jurisdiction import can_record_points, can_run_points, scope
from grids.models import Area, AreaLevel
from points import exporting, selectors, services
from points.forms import (
    AwardAllForm,
    DecisionForm,
    DonationForm,
    HouseholdForm,
    MonthForm,
    ObjectionForm,
    RecordForm,
    RedemptionForm,
    RejectForm,
    RuleItemForm,
    ThresholdForm,
    fen,
)


def _village(request: HttpRequest, pk: int) -> Area:
    village = selectors.village_for(user=request.user, pk=pk)
    if village is None:
        raise Http404
    return village


def _household(request: HttpRequest, pk: int):
    household = selectors.household_for(user=request.user, pk=pk)
    if household is None:
        raise Http404
    return household


def _committee(request: HttpRequest) -> None:
    if not can_run_points(request.user):
        raise PermissionDenied(_("This is the village committee's to do."))


@never_cache
@login_required
def points_home(request: HttpRequest) -> HttpResponse:
    villages = selectors.villages_visible_to(request.user).select_related("parent")
    return render(
        request,
        "points/home.html",
        {
            "villages": villages.order_by("tree_id", "lft")[:500],
            "townships": selectors.townships_visible_to(request.user).order_by("tree_id", "lft"),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def village_points(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    households = selectors.with_balance(
        selectors.households_visible_to(request.user).filter(village=village)
    ).select_related("grid")
    return render(
        request,
        "points/village.html",
        {
            "village": village,
            "households": households,
            "awaiting": selectors.records_awaiting(user=request.user, village=village),
            "on_notice": selectors.records_on_notice(user=request.user, village=village),
            "rules": selectors.current_rules(village=village),
            "can_record": can_record_points(request.user),
            "can_run": can_run_points(request.user),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    current = selectors.current_rules(village=village)
    return render(
        request,
        "points/rules.html",
        {
            "village": village,
            "rules": current,
            "items": selectors.rule_items(rule_set=current) if current else [],
            "can_run": can_run_points(request.user),
            "nav_current": "points",
        },
    )


@require_POST
@login_required
def rules_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    _committee(request)
    services.rules_adopt_defaults(actor=request.user, village=village)
    messages.success(request, _("The county's default rules are adopted."))
    return redirect("points_rules", pk=village.pk)


@never_cache
@login_required
def household_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    if not can_record_points(request.user):
        raise PermissionDenied(_("Households are kept by the village and its grids."))
    grids = scope(request.user, Area.objects.filter(parent=village, level=AreaLevel.GRID))
    form = HouseholdForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_add(
                actor=request.user, data=services.HouseholdInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The household is added."))
            return redirect("points_household", pk=household.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "village": village, "title": _("Add a household"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    balanced = selectors.with_balance(
        selectors.households_visible_to(request.user).filter(pk=household.pk)
    ).get()
    return render(
        request,
        "points/household.html",
        {
            "household": household,
            "balanced": balanced,
            "veto": selectors.household_veto(household=household),
            "records": selectors.records_visible_to(request.user)
            .filter(household=household)
            .select_related("item", "item__rule_set"),
            "redemptions": household.redemptions.all(),
            "can_record": can_record_points(request.user),
            "can_run": can_run_points(request.user),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def record_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    if not can_record_points(request.user):
        raise PermissionDenied(_("Items are recorded by grid workers and the village."))
    current = selectors.current_rules(village=household.village)
    items = selectors.rule_items(rule_set=current) if current else services.RuleItem.objects.none()
    form = RecordForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_create(
                actor=request.user,
                data=services.RecordInput(household=household, **form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded; it awaits the village committee's approval."))
            return redirect("points_household", pk=household.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "household": household, "village": household.village, "multipart": True,
         "title": _("Record an item"), "no_rules": current is None, "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def record_photo(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for(user=request.user, pk=pk)
    if record is None or not record.photo:
        raise Http404
    return protected_file(record.photo, content_type=photo_content_type)


@require_POST
@login_required
def records_approve(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    _committee(request)
    ids = [int(value) for value in request.POST.getlist("record") if value.isdigit()]
    moved = services.records_approve(actor=request.user, village=village, record_ids=ids)
    messages.success(request, _("%(count)s items approved and put on notice.") % {"count": moved})
    return redirect("points_village", pk=village.pk)


@never_cache
@login_required
def record_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee does not approve a pending item, and says why (the village page posts
    here; an empty reason comes back as this form, with the message on the field)."""
    record = selectors.record_for(user=request.user, pk=pk)
    if record is None:
        raise Http404
    _committee(request)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_reject(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is not approved; the reason is recorded."))
            return redirect("points_village", pk=record.village_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "record": record, "village": record.village,
         "title": _("Do not approve an item"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def objection_create(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_for(user=request.user, pk=pk)
    if record is None:
        raise Http404
    if not can_record_points(request.user):
        raise PermissionDenied(_("Objections are written down by the village."))
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_raise(actor=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The objection is recorded; the item waits for it."))
            return redirect("points_village", pk=record.village_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "record": record, "village": record.village,
         "title": _("Raise an objection"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def objection_decide(request: HttpRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_for(user=request.user, pk=pk)
    if objection is None:
        raise Http404
    _committee(request)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_decide(actor=request.user, objection=objection, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The objection is decided."))
            return redirect("points_village", pk=objection.record.village_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "objection": objection, "village": objection.record.village,
         "title": _("Decide an objection"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def fund(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    donated, spent = selectors.fund_totals(village=village)
    return render(
        request,
        "points/fund.html",
        {
            "village": village,
            "lines": selectors.fund_ledger(village=village),
            "donated": donated,
            "spent": spent,
            "balance": donated - spent,
            "can_run": can_run_points(request.user),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def donation_create(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    _committee(request)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.donation_record(
                actor=request.user,
                data=services.DonationInput(
                    village=village, donor=data["donor"], amount_fen=fen(data["amount"]),
                    receipt=data["receipt"], received_on=data["received_on"],
                    client_uuid=data["client_uuid"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The donation is recorded."))
            return redirect("points_fund", pk=village.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "village": village, "title": _("Record a donation"),
         "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def redemption_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = _household(request, pk)
    _committee(request)
    form = RedemptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.redemption_record(
                actor=request.user,
                data=services.RedemptionInput(
                    household=household, points=data["points"], goods=data["goods"],
                    amount_fen=fen(data["amount"]), redeemed_on=data["redeemed_on"],
                    client_uuid=data["client_uuid"],
                ),
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The redemption is recorded."))
            return redirect("points_household", pk=household.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "household": household, "village": household.village,
         "veto": selectors.household_veto(household=household),
         "balance": selectors.household_balance(household=household),
         "title": _("Redeem points"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    form = MonthForm(request.GET)
    month = timezone.localdate().replace(day=1)
    if form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    return render(
        request,
        "points/board.html",
        {
            "village": village,
            "form": form,
            "month": month,
            "households": selectors.village_board(village=village, month=month),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def township(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.townships_visible_to(request.user).filter(pk=pk).first()
    if area is None:
        raise Http404
    year = timezone.localdate().year
    return render(
        request,
        "points/township.html",
        {
            "township": area,
            "year": year,
            "rows": selectors.township_overview(user=request.user, township=area, year=year),
            "nav_current": "points",
        },
    )


@never_cache
@login_required
def bank_list(request: HttpRequest) -> HttpResponse:
    """The households whose balance reaches a threshold, for the partner bank 积分贷."""
    areas = selectors.bank_list_areas(user=request.user)
    form = ThresholdForm(request.GET or None, areas=areas)
    households, area, threshold = [], None, None
    if form.is_valid():
        area, threshold = form.cleaned_data["area"], form.cleaned_data["threshold"]
        if request.GET.get("format") == "xlsx":
            return export_response(
                exporting.bank_list_export(user=request.user, area=area, threshold=threshold)
            )
        households = selectors.households_above(user=request.user, area=area, threshold=threshold)
    return render(
        request,
        "points/bank_list.html",
        {"form": form, "area": area, "threshold": threshold, "households": households[:500],
         "nav_current": "points"},
        status=400 if form.is_bound and form.errors else 200,
    )  # fmt: skip


@never_cache
@login_required
def rule_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.rule_item_for(user=request.user, pk=pk)
    if item is None:
        raise Http404
    _committee(request)
    village = item.rule_set.area
    initial = {"text": item.text, "points": item.points, "evidence": item.evidence}
    form = RuleItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.rule_item_change(
                actor=request.user, item=item, data=services.RuleItemInput(**form.cleaned_data)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)s of the rules is made.") % {"version": rule_set.version},
            )
            return redirect("points_rules", pk=village.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "village": village, "title": _("Edit a rule item"), "nav_current": "points"},
        status=status,
    )  # fmt: skip


@never_cache
@login_required
def award_all(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    _committee(request)
    current = selectors.current_rules(village=village)
    items = selectors.rule_items(rule_set=current) if current else services.RuleItem.objects.none()
    form = AwardAllForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.award_all(actor=request.user, village=village, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s households given the item; it awaits approval.") % {"count": made},
            )
            return redirect("points_village", pk=village.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "points/form.html",
        {"form": form, "village": village, "title": _("Give an item to every household"),
         "nav_current": "points"},
        status=status,
    )  # fmt: skip
