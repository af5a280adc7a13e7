"""Case statistics of a subtree for the dashboard and the benchmarks: a few GROUP BY queries
over the same scoped queryset and the same filters as the case list, so that every figure
equals the count of the case list filtered the same way. The conditions (resolved, on time,
counted) are the named ones of disputes.figures, which the monthly ranking counts with too."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from disputes.figures import CASE_FIGURES, escalated_to
from disputes.figures import RESOLVED_STATUSES as RESOLVED_STATUSES  # where it used to be
from disputes.filters import AREA_COLUMNS
from disputes.models import IS_OPEN, Case, CaseLevel
from disputes.selectors import cases_visible_to
from grids import tree
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to

TOP_CATEGORIES = 10
TREND_MONTHS = 12

# The figures counted for a subtree, for each of its child areas and for each month.
FIGURES = {
    "total": Count("pk"),
    "counted": CASE_FIGURES["counted"],  # merged duplicates left out
    "open": Count("pk", filter=IS_OPEN),
    "overdue": Count("pk", filter=IS_OPEN & Q(overdue=True)),
    "supervised": CASE_FIGURES["supervised_count"],
    "resolved": CASE_FIGURES["resolved"],
    "resolved_timed": CASE_FIGURES["resolved_timed"],
    "on_time": CASE_FIGURES["on_time"],
}
MONTH_FIGURES = ("total", "counted", "resolved", "resolved_timed", "on_time")


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
    subtree of `area`, which the caller has looked up through areas_visible_to(user).

    Three passes over the cases: one GROUP BY status, kind, level and child area that every
    total, breakdown and child row is summed from, the top categories, and the months."""
    now = now or timezone.now()
    cases = reported_between(cases_in_area(user=user, area=area), start=start, end=end)
    child = AREA_COLUMNS.get(AreaLevel.below(area.level))
    groups = (
        cases.values("status", "kind", "level", *([child] if child else []))
        .annotate(
            **FIGURES,
            past_deadline=Count("pk", filter=IS_OPEN & Q(deadline__lt=now)),
            escalated_township=Count("pk", filter=escalated_to(CaseLevel.TOWNSHIP)),
            escalated_county=Count("pk", filter=escalated_to(CaseLevel.COUNTY)),
        )
        .order_by()
    )
    figures, by_status, by_kind, by_level, by_child = _summed(_tuples(groups))
    top_categories = [
        {"code": row["category__code"], "name": row["category__name"], "count": row["count"]}
        for row in cases.values("category__code", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__code")[:TOP_CATEGORIES]
    ]

    return {
        "total": figures["total"],
        "by_status": by_status,
        "by_kind": by_kind,
        "by_level": by_level,
        "top_categories": top_categories,
        "open": figures["open"],
        "overdue": figures["overdue"],
        "past_deadline": figures["past_deadline"],
        "supervised": figures["supervised"],
        "resolved": figures["resolved"],
        **rates(figures),
        "escalated": {
            CaseLevel.TOWNSHIP.value: figures["escalated_township"],
            CaseLevel.COUNTY.value: figures["escalated_county"],
        },
        "by_month": by_month(cases, start=start, end=end or timezone.localdate(now)),
        "children": child_figures(user=user, area=area, counted=by_child),
    }


COUNTS = (*FIGURES, "past_deadline", "escalated_township", "escalated_county")


def _tuples(queryset: QuerySet) -> list[tuple]:
    """The rows of a values() query as the database gives them: a township's groups are over
    a thousand rows of a dozen counts, which the ORM would pass one by one through each
    count's converter and into a dict."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _summed(groups: list[tuple]) -> tuple[dict, dict, dict, dict, dict]:
    """One pass over the (status, kind, level[, child], *COUNTS) groups: every count added
    up, the totals by status, kind and level, and every count by child area."""
    width = len(COUNTS)
    whole = [0] * width
    by_status: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    by_level: dict[str, int] = {}
    by_child: dict[int, list[int]] = {}
    for group in groups:
        counts = group[-width:]
        for index, count in enumerate(counts):
            whole[index] += count
        status, kind, level = group[:3]
        total = counts[0]
        by_status[status] = by_status.get(status, 0) + total
        by_kind[kind] = by_kind.get(kind, 0) + total
        by_level[level] = by_level.get(level, 0) + total
        if len(group) > width + 3:
            found = by_child.setdefault(group[3], [0] * width)
            for index, count in enumerate(counts):
                found[index] += count
    children = {pk: dict(zip(COUNTS, counts, strict=True)) for pk, counts in by_child.items()}
    return dict(zip(COUNTS, whole, strict=True)), by_status, by_kind, by_level, children


def reported_between(
    cases: QuerySet[Case], *, start: date | None, end: date | None
) -> QuerySet[Case]:
    # The same lookups as the case list's created_after / created_before (local dates).
    if start:
        cases = cases.filter(created_at__date__gte=start)
    if end:
        cases = cases.filter(created_at__date__lte=end)
    return cases


def rates(figures: dict) -> dict[str, float | None]:
    return {
        "resolution_rate": percent(figures["resolved"], figures["counted"]),
        "on_time_rate": percent(figures["on_time"], figures["resolved_timed"]),
    }


def child_figures(*, user, area: Area, counted: dict[int, dict]) -> list[dict]:
    """A row for each direct child area (townships of a county, villages of a township,
    grids of a village) from its counted figures (keyed by the child's id), weakest first:
    lowest resolution rate, areas without a rate last. Grids have none: a micro-grid's
    cases are its grid's."""
    if AREA_COLUMNS.get(AreaLevel.below(area.level)) is None:
        return []
    children = tree.in_order(areas_visible_to(user).filter(parent=area)).values(
        "id",
        "name",
        "level",
        "households",
        has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField()),
    )
    empty = dict.fromkeys(FIGURES, 0)
    rows = []
    for child in children:
        figures = counted.get(child["id"], empty)
        rows.append(
            {
                **child,
                "total": figures["total"],
                "resolved": figures["resolved"],
                **rates(figures),
                "open": figures["open"],
                "overdue": figures["overdue"],
                "supervised": figures["supervised"],
                "per_thousand_households": per_thousand(figures["total"], child["households"]),
            }
        )
    rows.sort(key=lambda row: (row["resolution_rate"] is None, row["resolution_rate"] or 0))
    return rows


def area_trend(*, user, area: Area, end: date) -> list[dict]:
    """The twelve months up to `end`, whatever period the rest of a page shows."""
    return by_month(cases_in_area(user=user, area=area), start=None, end=end)


def by_month(cases: QuerySet[Case], *, start: date | None, end: date) -> list[dict]:
    """Cases reported each month of the range (the 12 months up to `end` without a start),
    how many of them are resolved now, and the month's rates; months without cases count
    zero."""
    months = month_starts(start or trend_start(end), end)
    if not months:
        return []
    rows = (
        # A range of local midnights: the same local dates as created_at__date, without a
        # date cast of every row.
        cases.filter(
            created_at__gte=local_midnight(months[0]),
            created_at__lt=local_midnight(end + timedelta(days=1)),
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**{name: FIGURES[name] for name in MONTH_FIGURES})
        .order_by()
    )
    counted = {f"{row['month']:%Y-%m}": row for row in rows}
    empty = dict.fromkeys(MONTH_FIGURES, 0)
    return [
        {
            "month": key,
            "total": counted.get(key, empty)["total"],
            "resolved": counted.get(key, empty)["resolved"],
            **rates(counted.get(key, empty)),
        }
        for key in (f"{month:%Y-%m}" for month in months)
    ]


def local_midnight(day: date) -> datetime:
    """The moment `day` begins in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def trend_start(end: date) -> date:
    """The first day of the twelve months that end with `end`'s month."""
    return add_months(end.replace(day=1), 1 - TREND_MONTHS)


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


def per_thousand(count: int, households: int) -> float | None:
    return round(1000 * count / households, 1) if households else None
