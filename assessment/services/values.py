"""The values of one month for the monthly ranking: every township's and village's case
figures, indicator values, points and score, in a fixed number of queries whatever the
county's size. The case figures of every village come from one GROUP BY on the stored
village id; a township's are the sum of its villages'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from assessment.models import (
    EnteredValue,
    Evaluation,
    FormulaKind,
    Indicator,
    ScoringScheme,
    Source,
)
from assessment.services.scoring import CENT, SCORED_LEVELS, indicator_points
from cameras.selectors import rate_figures
from disputes.models import Case
from disputes.selectors.figures import CASE_FIGURES
from disputes.selectors.stats import local_midnight, percent
from governance.platform.months import month_end
from grids import tree
from grids.models import Area, AreaLevel
from personnel.services.coverage import coverage_monthly
from residents.services.visits import visit_completion
from supervision.services.inspections import inspection_scores


@dataclass
class AreaLine:
    area_id: int
    name: str
    level: str
    township_id: int | None
    households: int
    figures: dict[str, int] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    score: Decimal = Decimal(0)


def _case_figures(*, county: Area, month: date) -> dict[int, dict[str, int]]:
    """Every village's case figures for the cases reported in the month (local dates, the
    same lookups as the case list's created_after / created_before)."""
    # A range of local midnights, not created_at__date: the index on (county, created_at)
    # serves a range, while a date cast reads every case of the county.
    start = local_midnight(month)
    end = local_midnight(month_end(month) + timedelta(days=1))
    rows = (
        Case.objects.filter(county_id=county.pk, created_at__gte=start, created_at__lt=end)
        .values("village_id")
        .annotate(**CASE_FIGURES)
        .order_by()
    )
    return {row.pop("village_id"): row for row in rows}


def _rate(part: int, whole: int) -> Decimal | None:
    value = percent(part, whole)
    return None if value is None else Decimal(str(value))


def _per_thousand(count: int, households: int) -> Decimal | None:
    if not households:
        return None
    return (Decimal(count) * 1000 / households).quantize(CENT, rounding=ROUND_HALF_UP)


# For each computed source: the value from the case figures, and the figures it divides.
CASE_RATES = {
    Source.RESOLUTION_RATE: ("resolved", "counted"),
    Source.ON_TIME_RATE: ("on_time", "resolved_timed"),
    Source.SETTLED_IN_VILLAGE: ("at_village", "counted"),
    Source.SETTLED_IN_TOWNSHIP: ("at_township_or_below", "counted"),
    Source.SUPERVISED_ON_TIME: ("supervised_on_time", "supervised_count"),
}
CASE_COUNTS = {
    Source.OVERDUE_CASES: "went_overdue",
    Source.OVERDUE_ESCALATIONS: "overdue_escalated",
}
# Rates that need the scheme's minimum number of cases to count (the others have their own
# denominators: supervised cases, the roster, evaluations).
MINIMUM_APPLIES = {
    Source.RESOLUTION_RATE,
    Source.ON_TIME_RATE,
    Source.SETTLED_IN_VILLAGE,
    Source.SETTLED_IN_TOWNSHIP,
}


def _value(
    indicator: dict, line: AreaLine, *, min_cases: int, measured: dict
) -> tuple[Decimal | None, int | None, int | None]:
    """The indicator's value for one area, with the numerator and denominator it came from;
    None where there is nothing to measure (the scheme's rule then decides the points)."""
    source = indicator["source"]
    figures = line.figures
    if source in CASE_RATES:
        part, whole = CASE_RATES[source]
        if source in MINIMUM_APPLIES and figures["counted"] < min_cases:
            return None, figures[part], figures[whole]
        return _rate(figures[part], figures[whole]), figures[part], figures[whole]
    if source in CASE_COUNTS:
        count = figures[CASE_COUNTS[source]]
        if indicator["formula"] == FormulaKind.PER_THOUSAND:
            return _per_thousand(count, line.households), count, line.households
        return Decimal(count), count, None
    if source == Source.STAFFING_COVERAGE:
        value = measured["coverage"].get(line.area_id)
        return (None if value is None else Decimal(str(value))), None, None
    if source in (Source.EVALUATION_SCORE, Source.INSPECTION_SCORE):
        key = "evaluations" if source == Source.EVALUATION_SCORE else "inspections"
        total, count = measured[key].get(line.area_id, (None, 0))
        if not count:
            return None, None, 0
        return (Decimal(total) / count).quantize(CENT, rounding=ROUND_HALF_UP), None, count
    if source == Source.ENTERED:
        return measured["entered"].get((indicator["code"], line.area_id)), None, None
    if source == Source.CAMERA_ONLINE_RATE:
        # The register's computed rate; an area without cameras keeps the typed value.
        if line.area_id in measured["cameras"]:
            return measured["cameras"][line.area_id], None, None
        return measured["entered"].get((indicator["code"], line.area_id)), None, None
    if source == Source.VISIT_COMPLETION:
        # 重点人员走访: residents whose visits were up to date at the month's end.
        done, total = measured["visits"].get(line.area_id, (0, 0))
        return _rate(done, total), done, total
    return None, None, None


def indicator_snapshot(indicators: list[Indicator]) -> list[dict]:
    return [
        {
            "code": i.code,
            "name": i.name,
            "source": i.source,
            "formula": i.formula,
            "weight": str(i.weight),
            "direction": i.direction,
            "full_marks_at": str(i.full_marks_at),
            "zero_at": str(i.zero_at),
            "is_percentage": i.is_percentage,
            "unit": i.unit,
            "levels": [
                level
                for level, applies in (
                    (AreaLevel.TOWNSHIP, i.applies_to_township),
                    (AreaLevel.VILLAGE, i.applies_to_village),
                )
                if applies
            ],
        }
        for i in indicators
    ]


def _as_indicator(spec: dict) -> Indicator:
    # indicator_points reads the weight and thresholds of a model instance.
    return Indicator(
        weight=Decimal(spec["weight"]),
        full_marks_at=Decimal(spec["full_marks_at"]),
        zero_at=Decimal(spec["zero_at"]),
    )


def competition_ranks(lines: list[AreaLine]) -> dict[int, int]:
    """1, 2, 2, 4: equal scores share a rank."""
    ordered = sorted(lines, key=lambda line: (-line.score, line.name, line.area_id))
    ranks: dict[int, int] = {}
    for position, line in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        same = previous is not None and previous.score == line.score
        ranks[line.area_id] = ranks[previous.area_id] if same else position
    return ranks


def ranking_lines(
    *, county: Area, month: date, scheme: ScoringScheme, indicators: list[dict]
) -> list[AreaLine]:
    """Every township and village of the county with its figures, values, points and score."""
    areas = Area.objects.filter(tree.subtree_q(county), level__in=SCORED_LEVELS).values_list(
        "pk", "name", "level", "parent_id", "households"
    )
    lines = {
        pk: AreaLine(
            area_id=pk,
            name=name,
            level=level,
            township_id=parent_id if level == AreaLevel.VILLAGE else None,
            households=households,
        )
        for pk, name, level, parent_id, households in areas
    }
    villages = [line for line in lines.values() if line.level == AreaLevel.VILLAGE]
    figures = _case_figures(county=county, month=month)
    empty = dict.fromkeys(CASE_FIGURES, 0)
    for line in lines.values():
        line.figures = dict(empty)
    for village in villages:
        village.figures.update(figures.get(village.area_id, {}))
        township = lines.get(village.township_id)
        if township is not None:
            for key, count in village.figures.items():
                township.figures[key] += count

    evaluations: dict[int, tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))
    for row in (
        Evaluation.objects.filter(month=month, area_id__in=[v.area_id for v in villages])
        .values("area_id")
        .annotate(total=Sum("score"), count=Count("pk"))
        .order_by()
    ):
        village = lines[row["area_id"]]
        for area_id in (village.area_id, village.township_id):
            total, count = evaluations[area_id]
            evaluations[area_id] = (total + row["total"], count + row["count"])
    # 督导检查: a village's own inspections; a township's and its villages' together.
    inspections: dict[int, tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))
    for area_id, (score_total, count) in inspection_scores(county=county, month=month).items():
        line = lines.get(area_id)
        if line is None:
            continue
        for key in {line.area_id, line.township_id or line.area_id}:
            total, before = inspections[key]
            inspections[key] = (total + score_total, before + count)
    visits: dict[int, tuple[int, int]] = {}
    for village_id, (done, total) in visit_completion(
        county=county, month_end=month_end(month)
    ).items():
        village = lines.get(village_id)
        if village is None:
            continue
        for area_id in (village.area_id, village.township_id):
            before = visits.get(area_id, (0, 0))
            visits[area_id] = (before[0] + done, before[1] + total)
    measured = {
        "visits": visits,
        "coverage": coverage_monthly(area_ids=list(lines), month=month),
        "evaluations": evaluations,
        "inspections": inspections,
        "cameras": rate_figures(county=county, month=month),
        "entered": {
            (code, area_id): value
            for code, area_id, value in EnteredValue.objects.filter(
                indicator__scheme=scheme, month=month, area_id__in=list(lines)
            ).values_list("indicator__code", "area_id", "value")
        },
    }

    for level in SCORED_LEVELS:
        level_lines = [line for line in lines.values() if line.level == level]
        for spec in indicators:
            if level not in spec["levels"]:
                continue
            values = {
                line.area_id: _value(spec, line, min_cases=scheme.min_cases, measured=measured)
                for line in level_lines
            }
            known = [value for value, _part, _whole in values.values() if value is not None]
            average = sum(known) / len(known) if known else None
            model = _as_indicator(spec)
            for line in level_lines:
                value, part, whole = values[line.area_id]
                points = indicator_points(
                    indicator=model, value=value, level_average=average, scheme=scheme
                )
                line.values[spec["code"]] = {
                    "value": None if value is None else str(value),
                    "points": str(points),
                    "numerator": part,
                    "denominator": whole,
                }
                if spec["source"] == Source.CAMERA_ONLINE_RATE:
                    line.values[spec["code"]]["typed"] = line.area_id not in measured["cameras"]
                line.score += points
    return list(lines.values())
