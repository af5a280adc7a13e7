"""The scoring scheme 考核方案 settings page, which every role of the county may read and the
county committee edits, and the committee's monthly entry of the values the system does not
see (督导检查, 视频监控在线率, 信访)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment.forms.incidents import MONTHS_SHOWN
from assessment.forms.schemes import (
    EnteredValuesFilter,
    EnteredValuesForm,
    SchemeForm,
    column_headings,
    indicator_formset,
    weight_totals,
    with_another_row,
)
from assessment.models import EnteredValue, FormulaKind, ScoringScheme
from assessment.services import schemes as scheme_services
from assessment.services import scoring
from governance.platform.months import month_format, months_back
from governance.platform.pages import error_dict
from grids import tree
from grids.jurisdiction import can_edit_scoring, can_see
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to


def _county(request: HttpRequest) -> tuple[Area, list[Area]]:
    """The county asked for (?county=), by default the user's own; 404 outside their reach."""
    counties = scheme_services.scoring_counties_for(request.user)
    wanted = request.GET.get("county")
    if wanted:
        county = next((c for c in counties if str(c.pk) == wanted), None)
    else:
        county = counties[0] if counties else None
    if county is None:
        raise Http404
    return county, counties


def _context(subnav: str, county: Area, counties: list[Area]) -> dict:
    # The county chooser is shown only to those who have a choice.
    return {"subnav": subnav, "county": county, "counties": counties if len(counties) > 1 else []}


def _here(name: str, county: Area, counties: list[Area], **params) -> str:
    if county != counties[0]:
        params["county"] = county.pk
    query = urlencode({key: value for key, value in params.items() if value is not None})
    return f"{reverse(name)}?{query}" if query else reverse(name)


@login_required
def scheme_edit(request: HttpRequest) -> HttpResponse:
    county, counties = _county(request)
    this_year = timezone.localdate().year
    years = set(ScoringScheme.objects.filter(county=county).values_list("year", flat=True))
    years = sorted(years | {this_year, this_year + 1}, reverse=True)
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        raise Http404 from None
    if year not in years:
        raise Http404
    can_edit = can_edit_scoring(request.user) and can_see(request.user, county)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    here = _here("scheme_edit", county, counties, year=year)
    context = _context("scheme", county, counties) | {
        "years": years,
        "year": year,
        "can_edit": can_edit,
        "here": here,
    }
    scheme = ScoringScheme.objects.filter(county=county, year=year).first()
    draft = None
    if scheme is None and year <= this_year:
        # Shown unsaved; the committee's first save writes it (scheme_create).
        scheme, draft = scoring.scheme_draft(county=county, year=year)
    if scheme is None:
        # Next year's scheme is copied from this year's only when the committee asks, so
        # that this year's last changes are carried over.
        if request.method == "POST":
            scoring.scheme_ensure(county=county, year=year)
            messages.success(request, _("The %(year)s scheme is prepared.") % {"year": year})
            return redirect(here)
        return render(request, "assessment/scheme_edit.html", context)

    scheme_form = SchemeForm(request.POST or None, instance=scheme)
    formset = indicator_formset(scheme, request.POST or None, draft=draft)
    status, confirm = 200, []
    if request.method == "POST" and "add_row" in request.POST:
        formset = indicator_formset(scheme, with_another_row(request.POST, formset), draft=draft)
    elif request.method == "POST":
        outcome = _submit(request, scheme, scheme_form, formset)
        if outcome == "saved":
            messages.success(
                request,
                _("The %(year)s scoring scheme is saved; it counts from the next computation.")
                % {"year": year},
            )
            return redirect(here)
        if outcome == "confirm":
            confirm = _deleting(formset)
        else:
            status = 400
    context |= {
        "scheme": scheme,
        "scheme_form": scheme_form,
        "formset": formset,
        "headings": column_headings(formset),
        "totals": weight_totals(formset),
        "indicators": scheme.indicators.order_by("sort_order", "id") if draft is None else draft,
        "problems": []
        if request.method != "GET" or draft is not None
        else scoring.scheme_errors(scheme=scheme),
        "confirm": confirm,
    }
    return render(request, "assessment/scheme_edit.html", context, status=status)


def _submit(request: HttpRequest, scheme: ScoringScheme, scheme_form, formset) -> str:
    """ "saved", "confirm" (deletions to confirm, nothing else wrong) or "refused"."""
    if not all([scheme_form.is_valid(), formset.is_valid()]):  # both, for all the messages
        return "refused"
    deleted = [form.instance.pk for form in formset.deleted_forms if form.instance.pk]
    rows = [
        form
        for n, form in enumerate(formset.forms)
        if form not in formset.deleted_forms
        and (form.instance.pk or form.has_changed() or n < formset.min_num)  # a draft's rows
    ]
    confirm = bool(deleted) and request.POST.get("confirmed") != "yes"
    indicators = [form.row() for form in rows]
    try:
        if scheme.pk is None:  # the year's draft, saved for the first time
            scheme_services.scheme_create(
                scheme=scheme, actor=request.user, **scheme_form.cleaned_data, indicators=indicators
            )
        else:
            scheme_services.scheme_update(
                scheme=scheme,
                actor=request.user,
                **scheme_form.cleaned_data,
                indicators=indicators,
                deleted=deleted,
                dry_run=confirm,
            )
    except ValidationError as error:
        for key, problems in error_dict(error).items():
            if key.startswith("indicators."):
                _prefix, row, field = key.split(".", 2)
                form = rows[int(row)]
                form.add_error(field if field in form.fields else None, problems)
            else:
                scheme_form.add_error(key if key in scheme_form.fields else None, problems)
        return "refused"
    return "confirm" if confirm else "saved"


def _deleting(formset) -> list[tuple]:
    """The indicators about to be deleted, each with how many entered values go with it."""
    doomed = [form.instance for form in formset.deleted_forms if form.instance.pk]
    counts = dict(
        EnteredValue.objects.filter(indicator__in=doomed)
        .values_list("indicator")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(indicator, counts.get(indicator.pk, 0)) for indicator in doomed]


@login_required
def entered_values(request: HttpRequest) -> HttpResponse:
    if not can_edit_scoring(request.user):
        raise PermissionDenied
    county, counties = _county(request)
    visible = areas_visible_to(request.user).filter(tree.subtree_q(county))
    townships = list(tree.in_order(visible.filter(level=AreaLevel.TOWNSHIP)))
    months = months_back(timezone.localdate(), MONTHS_SHOWN)
    defaults = {"month": month_format(months[1]), "level": AreaLevel.TOWNSHIP}
    if townships:
        defaults["township"] = townships[0].pk
    filters = EnteredValuesFilter(defaults | request.GET.dict(), months=months, townships=townships)
    context = _context("values", county, counties) | {"filters": filters}
    if not filters.is_valid():
        return render(request, "assessment/entered_values.html", context, status=400)
    month: date = filters.month_value()
    level = filters.cleaned_data["level"] or AreaLevel.TOWNSHIP
    # Values are entered against the saved scheme: before the committee saves the year's
    # scheme (the scheme page shows its draft), there is nothing to enter them into.
    scheme = ScoringScheme.objects.filter(county=county, year=month.year).first()
    indicators = []
    if scheme is not None:
        indicators = list(
            scheme.indicators.filter(formula=FormulaKind.ENTERED, **{f"applies_to_{level}": True})
        )
    areas = visible.filter(level=level)
    township = None
    if level == AreaLevel.VILLAGE:
        township = next(t for t in townships if t.pk == filters.cleaned_data["township"])
        areas = areas.filter(parent=township)
    areas = list(tree.in_order(areas))
    stored = {
        (v.indicator_id, v.area_id): v.value
        for v in EnteredValue.objects.filter(indicator__in=indicators, area__in=areas, month=month)
    }
    form = EnteredValuesForm(
        request.POST or None, indicators=indicators, areas=areas, stored=stored
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = scheme_services.entered_values_set(
                    month=month, values=form.values(), actor=request.user
                )
            except ValidationError as error:
                form.add_cell_errors(error.message_dict)
            else:
                count = len(saved)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s value saved for %(month)s.",
                        "%(count)s values saved for %(month)s.",
                        count,
                    )
                    % {"count": count, "month": f"{month:%Y-%m}"},
                )
                return redirect(request.get_full_path())
        status = 400
    tab = {"month": f"{month:%Y-%m}", "level": AreaLevel.VILLAGE}
    context |= {
        "month": month,
        "level": level,
        "level_label": AreaLevel(level).label,
        "township": township,
        "township_tabs": [
            (t, _here("entered_values", county, counties, **tab, township=t.pk)) for t in townships
        ],
        "scheme": scheme,
        "year": month.year,
        "indicators": indicators,
        "form": form,
        "scheme_url": _here("scheme_edit", county, counties, year=month.year),
    }
    return render(request, "assessment/entered_values.html", context, status=status)
