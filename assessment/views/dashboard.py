from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.forms.dashboard import DashboardQuery
from disputes.models import OPEN_STATUSES, CaseKind, CaseLevel, CaseStatus
from disputes.selectors.stats import RESOLVED_STATUSES, trend_start
from disputes.selectors.stats_cache import cached_area_stats, cached_area_trend
from grids import selectors
from grids.models import Area

ECHARTS = "vendor/echarts/echarts.min.js"
CASE_LIST_DATES = {"from": "created_after", "to": "created_before"}  # the list's names


def dashboard(request: HttpRequest, *, root: Area) -> HttpResponse:
    user = request.user
    query = DashboardQuery(request.GET)
    today = timezone.localdate()
    period, start, end = query.dates(today)
    area_id = query.cleaned_data.get("area") if query.is_valid() else None
    area = root
    if area_id and area_id != root.pk:
        area = selectors.area_for(user=user, pk=area_id)
        if area is None:
            raise Http404
    stats = cached_area_stats(user=user, area=area, start=start, end=end)
    trend_end = end or today
    if period == "year":
        trend = stats["by_month"]
    else:
        trend = cached_area_trend(user=user, area=area, end=trend_end)

    # The period as the stats endpoint, the case list and the page's own links take it.
    dates = {key: value for key, value in (("from", start), ("to", end)) if value}
    reported = {CASE_LIST_DATES[key]: day for key, day in dates.items()}
    keep = dates if period == "range" else {"period": period}

    def cases(where: int = area.pk, **filters) -> str:
        """The case list filtered as the figure was counted."""
        return list_url("case_list", {"area": where, **reported, **filters})

    for child in stats["children"]:
        child["dashboard_url"] = list_url("dashboard", {"area": child["id"], **keep})
        child["cases_url"] = cases(child["id"])
    opened = list(OPEN_STATUSES)
    escalations = [(CaseLevel(level).label, count) for level, count in stats["escalated"].items()]
    return render(
        request,
        "assessment/dashboard.html",
        {
            "area": area,
            "ancestors": selectors.area_ancestors(user=user, area=area) if area != root else [],
            "query": query,
            "period": period,
            "periods": DashboardQuery.PERIODS,
            "start": start,
            "end": end,
            "keep_query": urlencode(keep),
            "stats": stats,
            "trend": trend,
            "links": {
                "total": cases(),
                "resolved": cases(status=list(RESOLVED_STATUSES)),
                "open": cases(status=opened),
                "overdue": cases(status=opened, overdue="true"),
                "supervised": cases(supervised="true"),
            },
            "breakdowns": breakdowns(stats, escalations=escalations, cases=cases),
            "escalations": escalations,
            "urls": {
                "stats": list_url("area-stats", dates, pk=area.pk),
                "trend": list_url(
                    "area-stats", {"from": trend_start(trend_end), "to": trend_end}, pk=area.pk
                ),
                "boundaries": reverse("area-boundaries", kwargs={"pk": area.pk}),
            },
            "labels": {
                "status": dict(CaseStatus.choices),
                "kind": dict(CaseKind.choices),
                "level": dict(CaseLevel.choices),
            },
            "echarts_url": echarts_url(),
        },
    )


def breakdowns(stats: dict, *, escalations: list, cases) -> list[dict]:
    """A chart each, and a table whose counts open the case list (`cases(**filters)`)."""

    def by_choice(name: str, choices: list[tuple[str, str]]) -> list[tuple]:
        counted = stats[f"by_{name}"]
        return [
            (label, counted[value], cases(**{name: value}))
            for value, label in choices
            if value in counted
        ]

    categories = [
        (row["name"], row["count"], cases(category=row["code"])) for row in stats["top_categories"]
    ]
    return [
        {
            "chart": "status",
            "title": _("Cases by status"),
            "column": _("Status"),
            "rows": by_choice("status", CaseStatus.choices),
        },
        {
            "chart": "kind",
            "title": _("Cases by kind"),
            "column": _("Kind"),
            "rows": by_choice("kind", CaseKind.choices),
        },
        {
            "chart": "categories",
            "title": _("Top categories"),
            "column": _("Category"),
            "rows": categories,
        },
        {
            "chart": "escalations",
            "title": _("Escalations by level"),
            "column": _("Escalated to"),
            # No case-list filter says "was ever escalated to": counts without links.
            "rows": [(label, count, None) for label, count in escalations],
        },
    ]


def list_url(name: str, params: dict, **kwargs) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


def echarts_url() -> str | None:
    """Where the chart library is served, or None where `make setup` had no npm."""
    if not (finders.find(ECHARTS) or staticfiles_storage.exists(ECHARTS)):
        return None
    try:
        return staticfiles_storage.url(ECHARTS)
    except ValueError:  # in the manifest storage's finder but not collected
        return None
