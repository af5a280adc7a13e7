"""The staffing coverage report of the user's subtree (or a chosen area in it): the rate
per township and village and every gap, as a page and as a workbook."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.platform.pages import xlsx_response
from grids import tree
from grids.jurisdiction import jurisdiction_root, sees_everything
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to
from personnel.exporting import coverage_workbook
from personnel.forms.staff import ANY, CoverageFilterForm
from personnel.services.coverage import CoverageReport, Gap, coverage_report
from personnel.views.staff import staff_page

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
        root = areas_visible_to(request.user).filter(pk=data["area"]).first()
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
            "page": Paginator(coverage.gaps or [], GAP_PAGE_SIZE).get_page(request.GET.get("page")),
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
    stem = f"coverage-{coverage.root.code}"
    return xlsx_response(coverage_workbook(gaps=coverage.gaps, rates=coverage.report.rates), stem)
