"""Case statistics of a subtree for the dashboard and the benchmarks: a few GROUP BY queries
over the same scoped queryset and the same filters as the case list, so that every figure
equals the count of the case list filtered the same way. The conditions (resolved, on time,
counted) are the named ones of disputes.selectors.figures, which the monthly ranking counts
with too."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connections, models
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone

from disputes.filters import AREA_COLUMNS
from disputes.models import IS_OPEN, Case, CaseLevel, Category
from disputes.selectors.cases import cases_visible_to
from disputes.selectors.figures import (
    COUNTED,
    ON_TIME,
    RESOLVED,
    RESOLVED_TIMED,
    SUPERVISED,
    escalated_to,
)
from disputes.selectors.figures import RESOLVED_STATUSES as RESOLVED_STATUSES  # where it used to be
from governance.platform.months import add_months, month_starts
from grids import tree
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to
from personnel.models import User

TOP_CATEGORIES = 10
TREND_MONTHS = 12

# The figures counted for a subtree, for each of its child areas and for each month, each
# as the condition it counts (None: every case); the same conditions as the ranking's.
CONDITIONS: dict[str, Q | None] = {
    "total": None,
    "counted": COUNTED,  # merged duplicates left out
    "open": IS_OPEN,
    "overdue": IS_OPEN & Q(overdue=True),
    "supervised": SUPERVISED,
    "resolved": RESOLVED,
    "resolved_timed": RESOLVED_TIMED,
    "on_time": ON_TIME,
}
FIGURES = {name: Count("pk", filter=condition) for name, condition in CONDITIONS.items()}
MONTH_FIGURES = ("total", "counted", "resolved", "resolved_timed", "on_time")


def cases_in_area(*, user: User, area: Area) -> QuerySet[Case]:
    """The user's cases in `area`'s subtree, by the stored ancestor id, exactly as the case
    list's `area` filter narrows them (a micro-grid's cases are its grid's)."""
    cases = cases_visible_to(user)
    if area.level == AreaLevel.MICROGRID:
        return cases.filter(grid_id=area.parent_id)
    column = AREA_COLUMNS.get(area.level)
    return cases.filter(**{column: area.pk}) if column else cases


def area_stats(
    *,
    user: User,
    area: Area,
    start: date | None,
    end: date | None,
    now: datetime | None = None,
) -> dict:
    """Figures for the cases reported in [start, end] (local dates, both optional) in the
    subtree of `area`, which the caller has looked up through areas_visible_to(user).

    One scan of the cases (_grouped): every total, breakdown and child row is summed from
    its groups by status, kind, level and child area, and the top categories and the
    months come from groups of their own; then the names of the categories and of the child
    areas."""
    now = now or timezone.now()
    cases = reported_between(cases_in_area(user=user, area=area), start=start, end=end)
    child = AREA_COLUMNS.get(AreaLevel.below(area.level))
    conditions = {
        **CONDITIONS,
        "past_deadline": IS_OPEN & Q(deadline__lt=now),
        "escalated_township": escalated_to(CaseLevel.TOWNSHIP),
        "escalated_county": escalated_to(CaseLevel.COUNTY),
    }
    last_day = end or timezone.localdate(now)
    months = month_starts(start or trend_start(last_day), last_day)
    groups, categories, by_month_key = _grouped(
        cases,
        keys=["status", "kind", "level", *([child] if child else [])],
        months=months,
        conditions=conditions,
    )
    figures, by_status, by_kind, by_level, by_child = _summed(groups)
    counted_by_month = {
        # yyyymm; EXTRACT gives PostgreSQL's numeric, hence int().
        f"{int(key) // 100:04d}-{int(key) % 100:02d}": dict(zip(COUNTS, counts, strict=True))
        for key, counts in by_month_key.items()
    }
    return {
        "total": figures["total"],
        "by_status": by_status,
        "by_kind": by_kind,
        "by_level": by_level,
        "top_categories": _top_categories(categories),
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
        "by_month": _month_rows(months, counted_by_month),
        "children": child_figures(user=user, area=area, counted=by_child),
    }


COUNTS = (*FIGURES, "past_deadline", "escalated_township", "escalated_county")


def _grouped(
    cases: QuerySet[Case], *, keys: list[str], months: list[date], conditions: dict
) -> tuple[list[tuple], dict[int, int], dict[int, tuple]]:
    """One scan of `cases`, counted three ways: by `keys` (rows of the keys' values and the
    COUNTS), by category (id -> cases) and by month from the first of `months` (yyyymm ->
    COUNTS).

    The cases' own query (scope, area, dates: the case list's) selects each condition as a
    true/false column, so every condition keeps its one ORM definition; around it, one
    statement counts them: GROUPING SETS on PostgreSQL, which reads the rows once; three
    GROUP BYs in a UNION ALL on SQLite, the development default, which has no GROUPING SETS.
    A township's groups are over a thousand rows: they come back as the database gives
    them, not through the ORM's converters one count at a time."""
    # The month (yyyymm, local) of the cases from the first of `months`; none before it.
    month_key = (
        models.Case(
            When(
                created_at__gte=local_midnight(months[0]),
                then=ExtractYear("created_at") * 100 + ExtractMonth("created_at"),
            ),
            output_field=IntegerField(),
        )
        if months
        else Value(None, output_field=IntegerField())
    )
    rows = cases.order_by().values(
        *keys,
        "category_id",
        month_key=month_key,
        **{
            f"is_{name}": ExpressionWrapper(condition, output_field=BooleanField())
            for name, condition in conditions.items()
            if condition is not None
        },
    )
    inner, params = rows.query.get_compiler(rows.db).as_sql()
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    counts = ", ".join(
        "COUNT(*)" if conditions[name] is None else f"COUNT(*) FILTER (WHERE {quote('is_' + name)})"
        for name in COUNTS
    )
    columns = ", ".join(quote(key) for key in keys)
    source = f"FROM ({inner}) AS cases"
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT GROUPING(category_id, month_key), {columns}, category_id, month_key,"
            f" {counts} {source}"
            f" GROUP BY GROUPING SETS (({columns}), (category_id), (month_key))"
        )
    else:
        nulls = ", ".join(["NULL"] * len(keys))
        sql = " UNION ALL ".join(
            [
                f"SELECT {BY_KEYS}, {columns}, NULL, NULL, {counts} {source} GROUP BY {columns}",
                f"SELECT {BY_CATEGORY}, {nulls}, category_id, NULL, {counts} {source}"
                " GROUP BY category_id",
                f"SELECT {BY_MONTH}, {nulls}, NULL, month_key, {counts} {source}"
                " GROUP BY month_key",
            ]
        )
        params = params * 3
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    width = len(COUNTS)
    groups, categories, by_month_key = [], {}, {}
    for row in found:
        grouped_by, counts_of = row[0], row[-width:]
        if grouped_by == BY_KEYS:
            groups.append((*row[1 : 1 + len(keys)], *counts_of))
        elif grouped_by == BY_CATEGORY:
            categories[row[-width - 2]] = counts_of[0]
        elif row[-width - 1] is not None:  # by month; cases before the months have none
            by_month_key[row[-width - 1]] = counts_of
    return groups, categories, by_month_key


# GROUPING(category_id, month_key): 1 for each of the two that a set does not group by.
BY_KEYS, BY_CATEGORY, BY_MONTH = 0b11, 0b01, 0b10


def _top_categories(counts: dict[int, int]) -> list[dict]:
    """The TOP_CATEGORIES categories with the most cases, with their codes and names.

    Each county has its own categories: over several counties (a city) the copies of one
    code count as one category, named as the county with most of its cases names it, as
    the case list filters by code."""
    names = (
        Category.objects.filter(pk__in=list(counts)).order_by().values_list("pk", "code", "name")
    )
    by_code: dict[str, dict] = {}
    for pk, code, name in sorted(names, key=lambda row: (-counts[row[0]], row[0])):
        row = by_code.setdefault(code, {"code": code, "name": name, "count": 0})
        row["count"] += counts[pk]
    found = sorted(by_code.values(), key=lambda row: (-row["count"], row["code"]))
    return found[:TOP_CATEGORIES]


def _month_rows(months: list[date], counted: dict[str, dict]) -> list[dict]:
    """One row for each of `months` from its figures (`counted`, keyed "YYYY-MM"): its cases,
    how many of them are resolved now, and its rates; a month without cases counts zero."""
    empty = dict.fromkeys(COUNTS, 0)
    rows = []
    for key in (f"{month:%Y-%m}" for month in months):
        figures = counted.get(key, empty)
        rows.append(
            {"month": key, "total": figures["total"], "resolved": figures["resolved"]}
            | rates(figures)
        )
    return rows


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


def child_figures(*, user: User, area: Area, counted: dict[int, dict]) -> list[dict]:
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


def area_trend(*, user: User, area: Area, end: date) -> list[dict]:
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
    return _month_rows(months, {f"{row['month']:%Y-%m}": row for row in rows})


def local_midnight(day: date) -> datetime:
    """The moment `day` begins in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def trend_start(end: date) -> date:
    """The first day of the twelve months that end with `end`'s month."""
    return add_months(end, 1 - TREND_MONTHS)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def per_thousand(count: int, households: int) -> float | None:
    return round(1000 * count / households, 1) if households else None
