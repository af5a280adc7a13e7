"""Subtree statistics: the dashboard selector `disputes.selectors.stats.area_stats` for a
township, a county and the city root (computed, not read from disputes.selectors.stats_cache:
what a change to a case costs the next reader), against the floor: ONE hand-written statement
over the same rows that computes every figure the selector returns (the counts by status, kind
and level, the open, overdue, past-deadline, supervised and resolved counts and the rates, the
escalated counts, the top categories, the twelve months and the child areas) with GROUPING SETS
and FILTER clauses in a single scan. The floor's figures are checked against the selector's
before anything is timed, so both compute the same thing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from benchmarks.harness import Context, Row, measure_side_by_side, ms, ratio

TARGET_RATIO = 1.5
CITY_ROOT_MS = 300
# What the profile of a miss showed (county scale, EXPLAIN ANALYZE).
SCAN_BOUND = (
    "one scan of every case takes {floor} even as the floor: under 300 ms needs the counts"
    " kept pre-aggregated (per township, month, status, kind, level and category)"
)

# One scan of the area's cases grouped five ways; the escalations are flags on the case
# (disputes.selectors.figures.event_flags). grouping(status, code, month, child) tells the
# sets apart.
FLOOR_SQL = """
SELECT grouping(c.status, cat.code, m.month, c.{child}) AS grouping_set,
    c.status, c.kind, c.level, cat.code, cat.name, m.month, c.{child},
    count(*) AS total,
    count(*) FILTER (WHERE c.status <> 'merged') AS counted,
    count(*) FILTER (WHERE c.status IN ({open})) AS open,
    count(*) FILTER (WHERE c.status IN ({open}) AND c.overdue) AS overdue,
    count(*) FILTER (WHERE c.status IN ({open}) AND c.deadline < %(now)s) AS past_deadline,
    count(*) FILTER (WHERE c.supervised) AS supervised,
    count(*) FILTER (WHERE c.status IN ({resolved})) AS resolved,
    count(*) FILTER (WHERE c.status IN ({resolved}) AND c.resolved_at IS NOT NULL)
        AS resolved_timed,
    count(*) FILTER (WHERE c.status IN ({resolved}) AND c.resolved_at <= c.deadline
        AND NOT c.went_overdue) AS on_time,
    count(*) FILTER (WHERE c.escalated_to_township) AS escalated_township,
    count(*) FILTER (WHERE c.escalated_to_county) AS escalated_county
FROM disputes_case c
JOIN disputes_category cat ON cat.id = c.category_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.created_at >= %(first)s AND c.created_at < %(after)s
        THEN date_trunc('month', c.created_at AT TIME ZONE %(tz)s) END AS month
) m
WHERE {area_c}
GROUP BY GROUPING SETS ((), (c.status, c.kind, c.level), (cat.code, cat.name), (m.month),
                        (c.{child}))
"""
FIGURES = (
    "total",
    "counted",
    "open",
    "overdue",
    "past_deadline",
    "supervised",
    "resolved",
    "resolved_timed",
    "on_time",
    "escalated_township",
    "escalated_county",
)
# grouping() bits, status · code · month · child: 1 where the column is not grouped.
ALL, BY_STATUS, BY_CATEGORY, BY_MONTH, BY_CHILD = 0b1111, 0b0111, 0b1011, 0b1101, 0b1110


def run(context: Context) -> list[Row]:
    from grids.models import Area
    from personnel.models import User

    operator = User.objects.get(pk=context.info["operator"])
    areas = [("township", context.info["township"]), ("county", context.info["county"])]
    if context.info["root"] != context.info["county"]:
        areas.append(("city root", context.info["root"]))
    rows = []
    for name, pk in areas:
        area = Area.objects.get(pk=pk)
        _check_same_figures(operator, area)
        timings = measure_side_by_side(
            {
                "selector": lambda area=area: _selector(operator, area),
                "floor": lambda area=area: _floor(area),
            },
            runs=context.runs,
            warmup=context.warmup,
        )
        selector, floor = timings["selector"], timings["floor"]
        near_floor = selector.median <= TARGET_RATIO * floor.median
        target, notes = f"≤ {TARGET_RATIO}× floor", []
        fast = True
        if name == "city root" and context.scale == "city":
            target += f"; < {CITY_ROOT_MS} ms"
            fast = selector.median < CITY_ROOT_MS
            if not fast:
                notes.append(SCAN_BOUND.format(floor=ms(floor.median)))
        rows.append(
            Row(
                workload="subtree_stats",
                case=f"{name} ({_count(area):,} of {_count(None):,} cases)",
                value=ms(selector.median),
                spread=selector.spread,
                baseline=f"one GROUPING SETS statement {ms(floor.median)}",
                ratio=ratio(selector.median, floor.median),
                target=target,
                passed=near_floor and fast,
                note="; ".join(notes),
            )
        )
    return rows


def _selector(operator, area) -> dict:
    from disputes.selectors.stats import area_stats

    return area_stats(user=operator, area=area, start=None, end=None)


def _count(area) -> int:
    from disputes.filters import AREA_COLUMNS
    from disputes.models import Case

    column = AREA_COLUMNS.get(area.level) if area is not None else None
    return Case.objects.filter(**{column: area.pk}).count() if column else Case.objects.count()


def _floor(area, now: datetime | None = None) -> dict:
    """The selector's figures from one statement, in the selector's shape (the child areas
    keyed by id, without their names and households)."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from disputes.filters import AREA_COLUMNS
    from disputes.models import OPEN_STATUSES
    from disputes.selectors.figures import RESOLVED_STATUSES
    from disputes.selectors.stats import TOP_CATEGORIES, percent, trend_start
    from governance.platform.months import month_starts
    from grids.models import AreaLevel

    now = now or timezone.now()
    today = timezone.localdate(now)
    months = month_starts(trend_start(today), today)
    column = AREA_COLUMNS.get(area.level)
    child = AREA_COLUMNS[AreaLevel.below(area.level)]
    sql = FLOOR_SQL.format(
        child=child,
        open=", ".join(f"'{status}'" for status in OPEN_STATUSES),
        resolved=", ".join(f"'{status}'" for status in RESOLVED_STATUSES),
        area_c=f"c.{column} = %(area)s" if column else "TRUE",
    )
    midnight = timezone.get_current_timezone()
    params = {
        "area": area.pk,
        "now": now,
        "tz": settings.TIME_ZONE,
        "first": datetime.combine(months[0], time.min, tzinfo=midnight),
        "after": datetime.combine(today + timedelta(days=1), time.min, tzinfo=midnight),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def rates(row: dict) -> dict:
        return {
            "resolution_rate": percent(row["resolved"], row["counted"]),
            "on_time_rate": percent(row["on_time"], row["resolved_timed"]),
        }

    empty = dict.fromkeys(FIGURES, 0)
    whole = next((row for row in found if row["grouping_set"] == ALL), empty)
    by_status: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    by_level: dict[str, int] = {}
    categories, by_month, children = [], {}, {}
    for row in found:
        kind = row["grouping_set"]
        if kind == BY_STATUS:
            for counts, key in ((by_status, "status"), (by_kind, "kind"), (by_level, "level")):
                counts[row[key]] = counts.get(row[key], 0) + row["total"]
        elif kind == BY_CATEGORY:
            categories.append({"code": row["code"], "name": row["name"], "count": row["total"]})
        elif kind == BY_MONTH and row["month"] is not None:
            by_month[f"{row['month']:%Y-%m}"] = row
        elif kind == BY_CHILD and row[child] is not None:
            children[row[child]] = {
                "total": row["total"],
                "resolved": row["resolved"],
                **rates(row),
                "open": row["open"],
                "overdue": row["overdue"],
                "supervised": row["supervised"],
            }
    categories.sort(key=lambda row: (-row["count"], row["code"]))
    return {
        "total": whole["total"],
        "by_status": by_status,
        "by_kind": by_kind,
        "by_level": by_level,
        "top_categories": categories[:TOP_CATEGORIES],
        "open": whole["open"],
        "overdue": whole["overdue"],
        "past_deadline": whole["past_deadline"],
        "supervised": whole["supervised"],
        "resolved": whole["resolved"],
        **rates(whole),
        "escalated": {"township": whole["escalated_township"], "county": whole["escalated_county"]},
        "by_month": [
            {
                "month": key,
                "total": by_month.get(key, empty)["total"],
                "resolved": by_month.get(key, empty)["resolved"],
                **rates(by_month.get(key, empty)),
            }
            for key in (f"{month:%Y-%m}" for month in months)
        ],
        "children": children,
    }


def _check_same_figures(operator, area) -> None:
    """The floor must compute what the selector computes: compare them once, untimed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from disputes.selectors.stats import area_stats

    now = timezone.now()
    # One snapshot for both, whatever other workloads write meanwhile.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        selector = area_stats(user=operator, area=area, start=None, end=None, now=now)
        floor = _floor(area, now=now)
    selector["children"] = {
        row["id"]: {key: row[key] for key in _CHILD_KEYS}
        for row in selector["children"]
        if row["total"]
    }
    wrong = [key for key in selector if selector[key] != floor.get(key)]
    if wrong:
        raise AssertionError(f"the floor's figures differ from the selector's: {wrong}")


_CHILD_KEYS = (
    "total",
    "resolved",
    "resolution_rate",
    "on_time_rate",
    "open",
    "overdue",
    "supervised",
)
