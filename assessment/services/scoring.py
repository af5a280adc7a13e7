"""The scoring scheme 考核方案 of the monthly assessment: which indicators count, how much,
and how a value becomes points. The monthly ranking run reads it; nothing here computes the
indicator values themselves."""

from __future__ import annotations

import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessment.models import (
    BelowMinimumRule,
    Direction,
    EnteredValue,
    FormulaKind,
    Indicator,
    ScoringScheme,
    Source,
)
from audit.services import audit_record
from cameras.selectors import areas_with_register
from governance.platform.months import month_start
from grids import tree
from grids.jurisdiction import can_edit_scoring, can_see
from grids.models import Area, AreaLevel
from personnel.models import User

logger = logging.getLogger(__name__)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
SCORED_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)


PER_THOUSAND_UNIT = "每千户"  # per 1,000 households
SCORE_UNIT = "分"  # a score out of 100 (evaluations, inspections)


def default_unit(*, formula: str, source: str, is_percentage: bool) -> str:
    """The unit an indicator reads in when its scheme names none."""
    if source in (Source.EVALUATION_SCORE, Source.INSPECTION_SCORE):
        return SCORE_UNIT
    if formula == FormulaKind.RATE or is_percentage:
        return "%"
    if formula == FormulaKind.PER_THOUSAND:
        return PER_THOUSAND_UNIT
    return ""


def _indicator(code, name, source, formula, weight, direction, full, zero, **extra) -> dict:
    is_percentage = extra.get("is_percentage", formula == FormulaKind.RATE)
    return {
        "unit": default_unit(formula=formula, source=source, is_percentage=is_percentage),
        "code": code,
        "name": name,
        "source": source,
        "formula": formula,
        "weight": Decimal(weight),
        "direction": direction,
        "full_marks_at": Decimal(full),
        "zero_at": Decimal(zero),
        "is_percentage": formula == FormulaKind.RATE,
        "applies_to_township": True,
        "applies_to_village": True,
        **extra,
    }


R, K, E = FormulaKind.RATE, FormulaKind.PER_THOUSAND, FormulaKind.ENTERED
UP, DOWN = Direction.HIGHER, Direction.LOWER
# Daily case work weighs 70 of 100 at each level (DESIGN.md §4); names are the county's own.
DEFAULT_INDICATORS: list[dict] = [
    _indicator("resolution-rate", "化解率", Source.RESOLUTION_RATE, R, 15, UP, 95, 60),
    _indicator("on-time-rate", "到期化解率", Source.ON_TIME_RATE, R, 15, UP, 95, 60),
    # Each level answers for what it should settle itself: villages the small matters,
    # townships everything that should not reach the county.
    _indicator(
        "settled-in-village", "小事不出村", Source.SETTLED_IN_VILLAGE, R, 10, UP, 90, 50,
        applies_to_township=False,
    ),
    _indicator(
        "settled-in-township", "大事不出镇", Source.SETTLED_IN_TOWNSHIP, R, 10, UP, 95, 70,
        applies_to_village=False,
    ),
    _indicator("overdue-cases", "超期事件", Source.OVERDUE_CASES, K, 8, DOWN, 0, 5),
    _indicator("overdue-escalations", "超期上交", Source.OVERDUE_ESCALATIONS, K, 7, DOWN, 0, 2),
    _indicator("supervised-on-time", "督办按期办结", Source.SUPERVISED_ON_TIME, R, 8, UP, 100, 60),
    _indicator("visit-completion", "重点人员走访", Source.VISIT_COMPLETION, R, 7, UP, 100, 60),
    # The other 30: the network itself and what the committee sees on its rounds.
    _indicator("staffing-coverage", "人员配备率", Source.STAFFING_COVERAGE, R, 8, UP, 100, 70),
    _indicator("evaluation-score", "考评得分", Source.EVALUATION_SCORE, R, 7, UP, 90, 60),
    # 督导检查: the month's supervision inspections, averaged (supervision.services.inspections).
    _indicator("supervision-inspection", "督导检查", Source.INSPECTION_SCORE, R, 5, UP, 100, 60),
    _indicator(
        "camera-online-rate", "视频监控在线率", Source.CAMERA_ONLINE_RATE, E, 5, UP, 98, 80,
        is_percentage=True,
    ),
    # 信访: petitions per 1,000 households in the month.
    _indicator("petitions", "信访", Source.ENTERED, E, 5, DOWN, 0, 2, unit=PER_THOUSAND_UNIT),
]  # fmt: skip
COPIED_FIELDS = [key for key in DEFAULT_INDICATORS[0] if key != "code"] + ["sort_order"]


def scheme_draft(*, county: Area, year: int) -> tuple[ScoringScheme, list[Indicator]]:
    """The scheme `scheme_ensure` would create, unsaved: last year's rule and indicators
    carried over, or the defaults. What a page shows before anyone saved the year's scheme."""
    if county.level not in (AreaLevel.COUNTY, AreaLevel.CITY):
        raise ValidationError({"county": [_("A scoring scheme belongs to a county.")]})
    previous = (
        ScoringScheme.objects.filter(county=county, year__lt=year)
        .order_by("-year")
        .prefetch_related("indicators")
        .first()
    )
    if previous is None:
        scheme = ScoringScheme(county=county, year=year)
        rows = [
            Indicator(scheme=scheme, sort_order=(i + 1) * 10, **spec)
            for i, spec in enumerate(DEFAULT_INDICATORS)
        ]
    else:
        scheme = ScoringScheme(
            county=county,
            year=year,
            min_cases=previous.min_cases,
            below_min_rule=previous.below_min_rule,
            safe_village_score=previous.safe_village_score,
        )
        rows = [
            Indicator(
                scheme=scheme,
                code=old.code,
                **{field: getattr(old, field) for field in COPIED_FIELDS},
            )
            for old in previous.indicators.all()
        ]
    return scheme, rows


def scheme_ensure(*, county: Area, year: int) -> ScoringScheme:
    """The county's scheme for `year`: last year's indicators carried over, or the defaults
    (scheme_draft), saved. For the monthly computation and the committee's POSTs: a page
    that only shows a scheme shows the draft unsaved."""
    existing = ScoringScheme.objects.filter(county=county, year=year).first()
    if existing is not None:
        return existing
    scheme, rows = scheme_draft(county=county, year=year)
    try:
        with transaction.atomic():
            scheme.save()
            for row in rows:
                row.scheme = scheme
            Indicator.objects.bulk_create(rows)
    except IntegrityError:  # another request created it first
        return ScoringScheme.objects.get(county=county, year=year)
    return scheme


def scheme_errors(*, scheme: ScoringScheme) -> list[str]:
    indicators = list(scheme.indicators.all())
    return weight_problems(indicators) + [
        message for i in indicators for _field, message in indicator_problems(i)
    ]


def weight_problems(indicators: list[Indicator]) -> list[str]:
    errors: list[str] = []
    for label, attr in (
        (_("townships"), "applies_to_township"),
        (_("villages"), "applies_to_village"),
    ):
        total = sum((i.weight for i in indicators if getattr(i, attr)), Decimal(0))
        if total != HUNDRED:
            errors.append(
                _("The weights for %(level)s add up to %(total)s; make them add up to 100.")
                % {"level": label, "total": f"{total:f}"}
            )
    return errors


def indicator_problems(i: Indicator) -> list[tuple[str, str]]:
    """What is wrong with one indicator, as (field, message): scheme_errors lists the
    messages, scheme_update shows each at its field."""
    problems: list[tuple[str, str]] = []

    def problem(field: str, message: str) -> None:
        problems.append((field, message % {"name": i.name}))

    if not (i.applies_to_township or i.applies_to_village):
        problem(
            "applies_to_township", _("%(name)s applies to no level; tick townships or villages.")
        )
    if i.full_marks_at == i.zero_at:
        problem("zero_at", _("%(name)s: full marks and zero cannot be the same value."))
    elif i.direction == Direction.HIGHER and i.full_marks_at < i.zero_at:
        problem("full_marks_at", _("%(name)s: higher is better, so full marks must be above zero."))
    elif i.direction == Direction.LOWER and i.full_marks_at > i.zero_at:
        problem("full_marks_at", _("%(name)s: lower is better, so full marks must be below zero."))
    thresholds = ("full_marks_at", "zero_at")
    if i.formula == FormulaKind.RATE or i.is_percentage:
        outside = [f for f in thresholds if not 0 <= getattr(i, f) <= HUNDRED]
        if outside:
            problem(outside[0], _("%(name)s is a percentage: keep its thresholds in 0–100."))
    if i.formula == FormulaKind.RATE and not i.is_percentage:
        problem("is_percentage", _("%(name)s is a rate: mark it as a percentage."))
    if (i.formula == FormulaKind.ENTERED) != (i.source in TYPED_SOURCES):
        problem(
            "source",
            _(
                '%(name)s: an entered indicator has both formula and source "entered"; '
                "a computed one has neither."
            ),
        )
    if i.formula == FormulaKind.PER_THOUSAND:
        negative = [f for f in thresholds if getattr(i, f) < 0]
        if negative:
            problem(negative[0], _("%(name)s: a count per 1,000 households cannot be negative."))
    return problems


def _linear(indicator: Indicator, value: Decimal) -> Decimal:
    # Linear from zero_at (nothing) to full_marks_at (the whole weight), clamped. With
    # thresholds oriented by direction (scheme_errors), one formula serves both directions.
    share = (value - indicator.zero_at) / (indicator.full_marks_at - indicator.zero_at)
    share = min(max(share, Decimal(0)), Decimal(1))
    return indicator.weight * share


def indicator_points(
    *,
    indicator: Indicator,
    value: Decimal | None,
    level_average: Decimal | None,
    scheme: ScoringScheme,
) -> Decimal:
    """Points earned for `value`. `value` None means the area is below the scheme's minimum
    number of cases; `level_average` is then the average value of the areas of its level
    that do meet it (None when none does: everyone is below, so nobody loses points)."""
    if value is None:
        rule = scheme.below_min_rule
        if rule == BelowMinimumRule.ZERO:
            points = Decimal(0)
        elif rule == BelowMinimumRule.AVERAGE and level_average is not None:
            points = _linear(indicator, level_average)
        else:
            points = indicator.weight
    else:
        points = _linear(indicator, value)
    return points.quantize(CENT, rounding=ROUND_HALF_UP)


# Sources whose values may be typed: "entered", and the camera online rate for areas without
# a camera register (where there is one, the rate is computed and typing it is refused).
TYPED_SOURCES = (Source.ENTERED, Source.CAMERA_ONLINE_RATE)


def entered_value_set(
    *, indicator: Indicator, area: Area, month: date, value, actor: User
) -> EnteredValue:
    """Record (or correct) the committee's value for one area and month."""
    if not can_edit_scoring(actor):
        raise PermissionDenied(_("Only the county committee enters assessment values."))
    scheme = indicator.scheme
    errors: dict[str, list[str]] = {}
    if not can_see(actor, scheme.county):
        raise PermissionDenied(_("This scoring scheme belongs to another county."))
    if indicator.formula != FormulaKind.ENTERED:
        errors["indicator"] = [_("This indicator is computed from the data, not entered.")]
    if not can_see(actor, area) or not tree.is_within(area, scheme.county):
        errors["area"] = [_("Choose an area in your jurisdiction.")]
    elif area.level not in SCORED_LEVELS:
        errors["area"] = [_("Choose a township or a village.")]
    elif not (
        indicator.applies_to_township
        if area.level == AreaLevel.TOWNSHIP
        else indicator.applies_to_village
    ):
        errors["area"] = [
            _("%(name)s does not apply to a %(level)s.")
            % {"name": indicator.name, "level": AreaLevel(area.level).label}
        ]
    if (
        "area" not in errors
        and indicator.source == Source.CAMERA_ONLINE_RATE
        and area.pk in areas_with_register(county=scheme.county)
    ):
        errors["area"] = [
            _(
                "%(area)s has a camera register: its online rate is computed from the "
                "platform's reports and cannot be typed."
            )
            % {"area": area.name}
        ]
    month = month_start(month)
    if month.year != scheme.year:
        errors["month"] = [
            _("This scheme is for %(year)s; choose a month of that year.") % {"year": scheme.year}
        ]
    try:
        number = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["value"] = [_("Enter a number.")]
    else:
        if number < 0:
            errors["value"] = [_("The value cannot be negative.")]
        elif indicator.is_percentage and number > HUNDRED:
            errors["value"] = [_("This is a percentage: enter a value from 0 to 100.")]
        elif number >= Decimal("10000000"):
            errors["value"] = [_("The value is too large.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cell = EnteredValue.objects.filter(indicator=indicator, area=area, month=month)
        previous = cell.values_list("value", flat=True).first()
        entered, _created = EnteredValue.objects.update_or_create(
            indicator=indicator,
            area=area,
            month=month,
            defaults={"value": number, "entered_by": actor},
        )
        if previous != number:
            audit_record(
                action="score.enter",
                actor=actor,
                obj=entered,
                area_id=area.pk,
                old={"value": previous} if previous is not None else {},
                new={"indicator": indicator.code, "month": month, "value": number},
            )
    return entered
