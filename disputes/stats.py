"""Case statistics of a subtree for the dashboard and the benchmarks: a few GROUP BY queries
over the same scoped queryset and the same filters as the case list, so that every figure
equals the count of the case list filtered the same way."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from disputes.filters import AREA_COLUMNS
from disputes.models import OPEN_STATUSES, Case, CaseEvent, CaseLevel, CaseStatus
from disputes.selectors import cases_visible_to
from grids.models import Area, AreaLevel

RESOLVED_STATUSES = (
    CaseStatus.RESOLVED,
    CaseStatus.STABILISED,
    CaseStatus.CLOSED,
    CaseStatus.EVALUATED,
)
ESCALATION_ACTIONS = ("escalate", "escalate_overdue")
TOP_CATEGORIES = 10
TREND_MONTHS = 12


def cases_in_area(*, user, area: Area) -> QuerySet[Case]:
    """The user's cases in `area`'s subtree, by the stored ancestor id, exactly as the case
    list's `area` filter narrows them (a micro-grid's cases are its grid's)."""
    cases = cases_visible_to(user)
    if area.level == AreaLevel.MICROGRID:
        return cases.filter(grid_id=area.parent_id)
    column = AREA_COLUMNS.get(area.level)
    return cases.filter(**{column: area.pk}) if column else cases


def area_stats(
    *,
    user,
    area: Area,
    start: date | None,
    end: date | None,
    now: datetime | None = None,
) -> dict:
    """Figures for the cases reported in [start, end] (local dates, both optional) in the
    subtree of `area`, which the caller has looked up through areas_visible_to(user)."""
    now = now or timezone.now()
    cases = cases_in_area(user=user, area=area)
    # The same lookups as the case list's created_after / created_before (local dates).
    if start:
        cases = cases.filter(created_at__date__gte=start)
    if end:
        cases = cases.filter(created_at__date__lte=end)

    is_open = Q(status__in=OPEN_STATUSES)
    is_resolved = Q(status__in=RESOLVED_STATUSES)

    def escalated_to(level: str) -> Q:
        events = CaseEvent.objects.filter(action__in=ESCALATION_ACTIONS, level=level)
        return Q(pk__in=events.values("case_id"))  # CaseEvent.level: the level after the step

    figures = cases.aggregate(
        total=Count("pk"),
        merged=Count("pk", filter=Q(status=CaseStatus.MERGED)),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(overdue=True)),
        past_deadline=Count("pk", filter=is_open & Q(deadline__lt=now)),
        supervised=Count("pk", filter=Q(supervised=True)),
        resolved=Count("pk", filter=is_resolved),
        resolved_timed=Count("pk", filter=is_resolved & Q(resolved_at__isnull=False)),
        # On time: resolved_at ≤ deadline. Resolving and closing leave the deadline alone
        # (only a report, an escalation or a reopening restart the clock), so the stored
        # deadline is the one of the level that resolved the case.
        on_time=Count("pk", filter=is_resolved & Q(resolved_at__lte=F("deadline"))),
        escalated_township=Count("pk", filter=escalated_to(CaseLevel.TOWNSHIP)),
        escalated_county=Count("pk", filter=escalated_to(CaseLevel.COUNTY)),
    )

    by_status: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    for row in cases.values("status", "kind", "level").annotate(n=Count("pk")).order_by():
        by_status[row["status"]] += row["n"]
        by_kind[row["kind"]] += row["n"]
        by_level[row["level"]] += row["n"]

    top_categories = [
        {"code": row["category__code"], "name": row["category__name"], "count": row["count"]}
        for row in cases.values("category__code", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__code")[:TOP_CATEGORIES]
    ]

    return {
        "total": figures["total"],
        "by_status": dict(by_status),
        "by_kind": dict(by_kind),
        "by_level": dict(by_level),
        "top_categories": top_categories,
        "open": figures["open"],
        "overdue": figures["overdue"],
        "past_deadline": figures["past_deadline"],
        "supervised": figures["supervised"],
        "resolved": figures["resolved"],
        "resolution_rate": percent(figures["resolved"], figures["total"] - figures["merged"]),
        "on_time_rate": percent(figures["on_time"], figures["resolved_timed"]),
        "escalated": {
            CaseLevel.TOWNSHIP.value: figures["escalated_township"],
            CaseLevel.COUNTY.value: figures["escalated_county"],
        },
        "by_month": by_month(cases, start=start, end=end or timezone.localdate(now)),
    }


def by_month(cases: QuerySet[Case], *, start: date | None, end: date) -> list[dict]:
    """Cases reported each month of the range (the 12 months up to `end` without a start),
    and how many of them are resolved now; months without cases count zero."""
    months = month_starts(start or add_months(end.replace(day=1), 1 - TREND_MONTHS), end)
    if not months:
        return []
    rows = (
        cases.filter(created_at__date__gte=months[0], created_at__date__lte=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Count("pk"), resolved=Count("pk", filter=Q(status__in=RESOLVED_STATUSES)))
        .order_by()
    )
    counted = {f"{row['month']:%Y-%m}": row for row in rows}
    return [
        {
            "month": key,
            "total": counted[key]["total"] if key in counted else 0,
            "resolved": counted[key]["resolved"] if key in counted else 0,
        }
        for key in (f"{month:%Y-%m}" for month in months)
    ]


def month_starts(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
