"""The monthly ranking: `rankings_compute_all` for one past month (every county, every
township and village), against one hand-written ROLLUP statement that computes the same
base case figures (disputes.selectors.figures.CASE_FIGURES) for every village and township, and
against a per-area ORM loop (the Django aggregate of one village at a time) on a sample.

Every computation runs in a transaction that is rolled back afterwards, so the snapshots,
their rows and the scoring schemes it makes leave nothing behind. The schemes are made
before the clock starts: the monthly run finds its year's scheme in place."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from benchmarks.harness import Context, Row, measure_side_by_side, ms, ratio

TARGET_RATIO = 2.0
TARGET_PER_AREA = 50
SAMPLE = 100
# What the profiles of misses showed (county scale, cProfile and EXPLAIN ANALYZE).

ROLLUP_SQL = """
SELECT c.county_id, c.township_id, c.village_id,
    count(*) FILTER (WHERE c.status <> 'merged') AS counted,
    count(*) FILTER (WHERE c.status IN ({resolved})) AS resolved,
    count(*) FILTER (WHERE c.status IN ({resolved}) AND c.resolved_at IS NOT NULL)
        AS resolved_timed,
    count(*) FILTER (WHERE c.status IN ({resolved}) AND c.resolved_at <= c.deadline
        AND NOT c.went_overdue) AS on_time,
    count(*) FILTER (WHERE c.status <> 'merged' AND c.level = 'village') AS at_village,
    count(*) FILTER (WHERE c.status <> 'merged' AND c.level IN ('village', 'township'))
        AS at_township_or_below,
    count(*) FILTER (WHERE c.supervised) AS supervised_count,
    count(*) FILTER (WHERE c.supervised AND c.status IN ({resolved})
        AND c.resolved_at <= coalesce(c.supervision_deadline, c.deadline))
        AS supervised_on_time,
    count(*) FILTER (WHERE c.went_overdue) AS went_overdue,
    count(*) FILTER (WHERE c.escalated_overdue) AS overdue_escalated
FROM disputes_case c
WHERE c.county_id = ANY(%(counties)s) AND c.created_at >= %(start)s AND c.created_at < %(end)s
GROUP BY c.county_id, ROLLUP (c.township_id, c.village_id)
"""


def run(context: Context) -> list[Row]:
    from django.db import transaction

    from assessment.services.rankings import rankings_compute_all
    from assessment.services.scoring import scheme_ensure
    from assessment.services.values import _case_figures
    from governance.platform.months import last_month
    from grids.models import Area, AreaLevel

    month = last_month()
    counties = list(Area.objects.filter(level=AreaLevel.COUNTY))
    open_transaction = []

    def begin() -> None:
        atomic = transaction.atomic()
        atomic.__enter__()
        open_transaction.append(atomic)
        for county in counties:
            scheme_ensure(county=county, year=month.year)

    def roll_back() -> None:
        transaction.set_rollback(True)
        open_transaction.pop().__exit__(None, None, None)

    begin()
    try:
        areas, cases = _check_same_figures(month, counties, rankings_compute_all(month=month))
    finally:
        roll_back()
    # The part of the ranking that the ROLLUP computes: its case figures, one GROUP BY per
    # county (the rest is scoring every indicator of every area and writing the rows).
    villages = _sample_villages()
    timings = measure_side_by_side(
        {
            "compute": lambda: rankings_compute_all(month=month),
            "rollup": lambda: _rollup(month, counties),
            "figures": lambda: [_case_figures(county=county, month=month) for county in counties],
            "loop": lambda: [_one_area(month, village) for village in villages],
        },
        runs=context.runs,
        warmup=context.warmup,
        before={"compute": begin},
        after={"compute": roll_back},
    )
    compute, rollup, figures = timings["compute"], timings["rollup"], timings["figures"]
    loop = timings["loop"]
    per_area = compute.median / areas
    loop_per_area = loop.median / len(villages)
    faster = loop_per_area / per_area
    sample = f"{len(villages)} villages" + ("" if len(villages) == SAMPLE else ", all there are")
    return [
        Row(
            workload="ranking",
            case=f"rankings_compute_all {month:%Y-%m}: {areas:,} areas, {cases:,} cases counted",
            value=ms(compute.median),
            spread=compute.spread,
            baseline=f"one ROLLUP statement {ms(rollup.median)}",
            ratio=ratio(compute.median, rollup.median),
            target=f"≤ {TARGET_RATIO:g}× ROLLUP",
            passed=compute.median <= TARGET_RATIO * rollup.median,
            note="",
        ),
        Row(
            workload="ranking",
            case=f"its case figures alone: one GROUP BY per county ({len(counties)})",
            value=ms(figures.median),
            spread=figures.spread,
            baseline=f"one ROLLUP statement {ms(rollup.median)}",
            ratio=ratio(figures.median, rollup.median),
            target=f"≤ {TARGET_RATIO:g}× ROLLUP",
            passed=figures.median <= TARGET_RATIO * rollup.median,
            note="",
        ),
        Row(
            workload="ranking",
            case="per area, against a per-area ORM loop",
            value=f"{per_area:.2f} ms/area",
            baseline=f"ORM aggregate per village {loop_per_area:.2f} ms ({sample})",
            ratio=f"{faster:.0f}× faster",
            target=f"≥ {TARGET_PER_AREA}× faster",
            passed=faster >= TARGET_PER_AREA,
            note="",
        ),
    ]


def _bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first and next month's first local midnight."""
    from django.utils import timezone

    from governance.platform.months import month_end

    zone = timezone.get_current_timezone()
    after = month_end(month) + timedelta(days=1)
    return (
        datetime.combine(month, time.min, tzinfo=zone),
        datetime.combine(after, time.min, tzinfo=zone),
    )


def _rollup(month: date, counties: list) -> list[dict]:
    from django.db import connection

    from disputes.selectors.figures import RESOLVED_STATUSES

    start, end = _bounds(month)
    sql = ROLLUP_SQL.format(resolved=", ".join(f"'{status}'" for status in RESOLVED_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"counties": [county.pk for county in counties], "start": start, "end": end}
        )
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _sample_villages() -> list[int]:
    """SAMPLE villages spread evenly over the whole tree (all of them when fewer)."""
    from grids.models import Area, AreaLevel

    villages = list(
        Area.objects.filter(level=AreaLevel.VILLAGE)
        .order_by("tree_id", "lft")
        .values_list("pk", flat=True)
    )
    step = max(len(villages) / SAMPLE, 1)
    return [villages[int(i * step)] for i in range(min(SAMPLE, len(villages)))]


def _one_area(month: date, village_id: int) -> dict:
    from disputes.models import Case
    from disputes.selectors.figures import CASE_FIGURES
    from governance.platform.months import month_end

    return Case.objects.filter(
        village_id=village_id,
        created_at__date__gte=month,
        created_at__date__lte=month_end(month),
    ).aggregate(**CASE_FIGURES)


def _check_same_figures(month: date, counties: list, snapshots: list) -> tuple[int, int]:
    """The ROLLUP must count what the ranking counts: every village's and township's figures
    compared once, untimed. Returns how many areas were ranked and how many cases."""
    from assessment.models import RankingRow
    from disputes.selectors.figures import CASE_FIGURES

    ranked = {
        row["area_id"]: row["figures"]
        for row in RankingRow.objects.filter(snapshot__in=snapshots).values("area_id", "figures")
    }
    rollup = {}
    cases = 0
    for row in _rollup(month, counties):
        figures = {key: row[key] for key in CASE_FIGURES}
        if row["village_id"] is not None:
            rollup[row["village_id"]] = figures
        elif row["township_id"] is not None:
            rollup[row["township_id"]] = figures
        else:
            cases += row["counted"]
    empty = dict.fromkeys(CASE_FIGURES, 0)
    wrong = [pk for pk, figures in ranked.items() if rollup.get(pk, empty) != figures]
    if wrong or set(rollup) - set(ranked):
        raise AssertionError(
            f"the ROLLUP's figures differ from the ranking's for areas {wrong[:10]}"
            f" (and {sorted(set(rollup) - set(ranked))[:10]} are not ranked)"
        )
    return len(ranked), cases
