"""The monthly ranking pages: the table per level, one area's breakdown with the cases
behind each number, computing and publishing (the committee), and the bulletin 通报 as a
printable page and an Excel workbook."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessment.forms.rankings import ComputeForm
from assessment.models import RankingSnapshot, Source
from assessment.selectors import bulletin
from assessment.selectors.rankings import (
    RANKED_LEVELS,
    landing_level,
    level_sizes,
    months_ranked,
    own_places,
    ranking_row,
    ranking_rows,
    snapshot_for,
    snapshot_versions,
    snapshots_visible_to,
    version_changes,
)
from assessment.services.rankings import (
    MonthPublished,
    ranking_publish,
    rankings_compute,
)
from disputes.models import CaseLevel, CaseStatus
from disputes.selectors.figures import RESOLVED_STATUSES
from governance.platform.filters import as_id
from governance.platform.months import month_end, month_parse
from governance.platform.pages import add_service_errors, export_response
from grids.jurisdiction import can_edit_scoring, can_publish_rankings, can_see
from grids.models import AreaLevel
from grids.selectors import areas_visible_to

SORT_LABELS = {
    "rank": gettext_lazy("Rank"),
    "-score": gettext_lazy("Score, highest first"),
    "score": gettext_lazy("Score, lowest first"),
    "-change": gettext_lazy("Most places gained"),
    "change": gettext_lazy("Most places lost"),
    "name": gettext_lazy("Division code"),
}


def _snapshot(request: HttpRequest, pk: int) -> RankingSnapshot:
    snapshot = snapshots_visible_to(request.user).filter(pk=pk).first()
    if snapshot is None:
        raise Http404
    return snapshot


def _can_publish(user, snapshot: RankingSnapshot | None) -> bool:
    return can_publish_rankings(user) and (snapshot is None or can_see(user, snapshot.county))


def _list_url(snapshot: RankingSnapshot, **params) -> str:
    query = {"month": f"{snapshot.month:%Y-%m}", "version": snapshot.version, **params}
    return f"{reverse('ranking_list')}?{urlencode(query)}"


@login_required
def ranking_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    months = months_ranked(user=user)
    month = month_parse(request.GET.get("month")) or (months[0] if months else None)
    version = request.GET.get("version")
    snapshot = snapshot_for(user=user, month=month, version=as_id(version)) if month else None
    asked = request.GET.get("level")
    level = asked if asked in RANKED_LEVELS else landing_level(user=user)
    sort = request.GET.get("sort") or "rank"
    township = request.GET.get("township") or ""
    context = {
        "months": months,
        "month": month,
        "snapshot": snapshot,
        "level": level,
        "levels": [(value, AreaLevel(value).label) for value in RANKED_LEVELS],
        "sort": sort,
        "sorts": list(SORT_LABELS.items()),
        "township": township,
        # 按指标对比: every indicator as a column, instead of the summary with each row's
        # indicators folded.
        "compare": request.GET.get("view") == "indicators",
        "can_publish": _can_publish(user, snapshot),
        "compute_form": ComputeForm() if can_edit_scoring(user) else None,
    }
    if snapshot is not None:
        rows = ranking_rows(
            user=user, snapshot=snapshot, level=level, township_id=as_id(township), sort=sort
        )
        if not rows and not asked:
            # Never land on an empty tab: the other level, where the user's rows are.
            other = next(v for v in RANKED_LEVELS if v != level)
            rows = ranking_rows(user=user, snapshot=snapshot, level=other, sort=sort) or rows
            level = other if rows else level
            context["level"] = level
        columns = bulletin.level_columns(snapshot, level)
        townships = ranking_rows(user=user, snapshot=snapshot, level=AreaLevel.TOWNSHIP)
        versions = snapshot_versions(user=user, snapshot=snapshot)
        earlier = [v for v in versions if v.version < snapshot.version]
        context |= {
            "columns": columns,
            "lines": bulletin.table_lines(rows, columns),
            "sizes": level_sizes(snapshot=snapshot),
            "versions": versions,
            # Below the county: where the user's own township and village stand.
            "own_places": [] if len(townships) > 1 else own_places(user=user, snapshot=snapshot),
            "townships": townships,
            "changes": (
                version_changes(user=user, snapshot=snapshot, earlier=earlier[-1])
                if earlier
                else None
            ),
            "earlier": earlier[-1] if earlier else None,
            "vetoed": sum(1 for row in rows if row.veto),
        }
    return render(request, "assessment/ranking_list.html", context)


def _case_links(row, month: date) -> dict[str, list[tuple[str, str]]]:
    """For each computed source: (label, case list address) of the cases behind it."""
    base = {
        "area": row.area_id,
        "created_after": month.isoformat(),
        "created_before": month_end(month).isoformat(),
    }

    def listed(**params) -> str:
        return f"{reverse('case_list')}?{urlencode({**base, **params}, doseq=True)}"

    counted = [s for s in CaseStatus.values if s != CaseStatus.MERGED]
    resolved = [str(s) for s in RESOLVED_STATUSES]
    every = (_("Cases of the month"), listed(status=counted))
    return {
        Source.RESOLUTION_RATE: [(_("Resolved"), listed(status=resolved)), every],
        Source.ON_TIME_RATE: [(_("Resolved"), listed(status=resolved))],
        Source.SETTLED_IN_VILLAGE: [
            (_("Still at village level"), listed(status=counted, level=CaseLevel.VILLAGE)),
            every,
        ],
        Source.SETTLED_IN_TOWNSHIP: [
            (_("Sent up to the county"), listed(status=counted, level=CaseLevel.COUNTY)),
            every,
        ],
        Source.OVERDUE_CASES: [(_("Went overdue"), listed(went_overdue="true"))],
        Source.OVERDUE_ESCALATIONS: [
            (_("Escalated for being overdue"), listed(escalated_overdue="true"))
        ],
        Source.SUPERVISED_ON_TIME: [(_("Supervised"), listed(supervised="true"))],
    }


@login_required
def ranking_area(request: HttpRequest, pk: int, area_id: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    row = ranking_row(user=request.user, snapshot=snapshot, area_id=area_id)
    if row is None:
        raise Http404
    links = _case_links(row, snapshot.month)
    items = []
    for spec in bulletin.level_columns(snapshot, row.level):
        entry = row.values.get(spec["code"]) or {}
        items.append(
            {
                "spec": spec,
                "value": bulletin.value_text(spec, entry),
                "points": entry.get("points"),
                "numerator": entry.get("numerator"),
                "denominator": entry.get("denominator"),
                "measured": entry.get("value") is not None,
                "typed": entry.get("typed", False),
                "links": links.get(spec["source"], []),
            }
        )
    villages = (
        ranking_rows(user=request.user, snapshot=snapshot, township_id=row.area_id)
        if row.level == AreaLevel.TOWNSHIP
        else []
    )
    month_and_area = {"month": f"{snapshot.month:%Y-%m}", "area": row.area_id}
    incidents = f"{reverse('incident_list')}?{urlencode(month_and_area)}"
    return render(
        request,
        "assessment/ranking_area.html",
        {
            "snapshot": snapshot,
            "row": row,
            "items": items,
            "veto_labels": bulletin.Line(row=row, cells=[]).veto_labels,
            "villages": [v for v in villages if v.level == AreaLevel.VILLAGE],
            "sizes": level_sizes(snapshot=snapshot),
            "incidents_url": incidents,
            "back": _list_url(snapshot, level=row.level),
            "cases_url": links[Source.RESOLUTION_RATE][1][1],
        },
    )


@login_required
@require_POST
def ranking_compute(request: HttpRequest) -> HttpResponse:
    if not can_edit_scoring(request.user):
        raise PermissionDenied
    form = ComputeForm(request.POST)
    if form.is_valid():
        month = month_parse(form.cleaned_data["month"])
        county = areas_visible_to(request.user).filter(level=AreaLevel.COUNTY).first()
        if county is None:
            raise PermissionDenied
        try:
            snapshot = rankings_compute(
                county=county,
                month=month,
                actor=request.user,
                new_version=form.cleaned_data["new_version"],
                reason=form.cleaned_data["reason"],
            )
        except MonthPublished as published:
            form.add_error(
                "new_version",
                _(
                    "%(month)s is published (version %(version)s) and frozen. Tick “new "
                    "version” and give the reason to compute it again."
                )
                % {"month": f"{month:%Y-%m}", "version": published.snapshot.version},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(month)s computed: version %(version)s, a draft to review and publish.")
                % {"month": f"{month:%Y-%m}", "version": snapshot.version},
            )
            return redirect(_list_url(snapshot))
    return render(
        request,
        "assessment/ranking_compute.html",
        {"compute_form": form},
        status=400,
    )


@login_required
def ranking_publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    if not _can_publish(request.user, snapshot):
        raise PermissionDenied
    if request.method == "POST":
        try:
            ranking_publish(snapshot=snapshot, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(month)s version %(version)s is published; it is now frozen.")
                % {"month": f"{snapshot.month:%Y-%m}", "version": snapshot.version},
            )
        return redirect(_list_url(snapshot))
    return render(
        request,
        "assessment/ranking_publish.html",
        {"snapshot": snapshot, "sizes": level_sizes(snapshot=snapshot)},
    )


def _bulletin_rows(request: HttpRequest, snapshot: RankingSnapshot) -> dict[str, list]:
    return {
        level: ranking_rows(user=request.user, snapshot=snapshot, level=level)
        for level in RANKED_LEVELS
    }


@login_required
def ranking_bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    tables = []
    for level, rows in _bulletin_rows(request, snapshot).items():
        columns = bulletin.level_columns(snapshot, level)
        tables.append(
            {
                "level": level,
                "title": bulletin.bulletin_title(snapshot, level),
                "columns": columns,
                "lines": bulletin.table_lines(rows, columns),
            }
        )
    return render(
        request,
        "assessment/ranking_bulletin.html",
        {
            "snapshot": snapshot,
            "tables": tables,
            "issuer": bulletin.bulletin_issuer(snapshot),
            "reference": bulletin.document_reference(snapshot),
            "camera_lines": bulletin.camera_rates(snapshot=snapshot, user=request.user),
            "camera_standard": bulletin.camera_standard_text(),
        },
    )


@login_required
def ranking_bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    export = bulletin.bulletin_export(
        snapshot=snapshot, rows_by_level=_bulletin_rows(request, snapshot), user=request.user
    )
    return export_response(export)
