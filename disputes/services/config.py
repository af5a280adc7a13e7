"""Case configuration: the default categories and the deadline each level has."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from disputes.models import (
    Case,
    CaseLevel,
    Category,
    DeadlineRule,
    Severity,
)
from disputes.selectors.cases import bare_counties, default_categories
from grids.models import Area, AreaLevel

# Hours each level has, when the county has not set a rule (小事不出村、大事不出镇).
DEFAULT_HOURS = {
    (Severity.ORDINARY, CaseLevel.VILLAGE): 72,
    (Severity.ORDINARY, CaseLevel.TOWNSHIP): 168,
    (Severity.ORDINARY, CaseLevel.COUNTY): 360,
    (Severity.ATTENTION, CaseLevel.VILLAGE): 48,
    (Severity.ATTENTION, CaseLevel.TOWNSHIP): 120,
    (Severity.ATTENTION, CaseLevel.COUNTY): 240,
    (Severity.KEY_ATTENTION, CaseLevel.VILLAGE): 24,
    (Severity.KEY_ATTENTION, CaseLevel.TOWNSHIP): 72,
    (Severity.KEY_ATTENTION, CaseLevel.COUNTY): 168,
}
LEVEL_ABOVE = {CaseLevel.VILLAGE: CaseLevel.TOWNSHIP, CaseLevel.TOWNSHIP: CaseLevel.COUNTY}


def categories_ensure_defaults(*, county: Area) -> int:
    """Give the county the default categories it is missing; returns how many were created.

    For the builders that create counties in bulk (the demo, the benchmarks); a county
    created any other way starts with them the first time they are needed
    (categories_ensure_started)."""
    existing = set(Category.objects.filter(county=county).values_list("code", flat=True))
    missing = [c for c in default_categories(county=county) if c.code not in existing]
    # Two first reports in a new county at once: the second's rows are the same rows.
    Category.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def categories_ensure_started(*, counties: QuerySet[Area]) -> int:
    """Each of `counties` that has no category at all gets the default set.

    Counties are created by the area tree (the admin, an import, a bulk load), which knows
    nothing of cases; a county's categories are written the first time a report (or a change
    in the administration) needs them, here. Pages that only show them show the defaults
    unsaved (disputes.selectors.cases.categories_offered). A county that retired every category
    has some: it gets none back."""
    return sum(categories_ensure_defaults(county=county) for county in bare_counties(counties))


def category_of_county(*, county_id: int, code: str) -> Category | None:
    """The county's category in use with this code (a county without categories gets the
    default set first)."""
    found = Category.objects.filter(county_id=county_id, code=code, is_active=True).first()
    if found is None and categories_ensure_started(counties=Area.objects.filter(pk=county_id)):
        found = Category.objects.filter(county_id=county_id, code=code, is_active=True).first()
    return found


def category_for_grid(*, category: Category, grid: Area) -> Category:
    """The category of the same code in the county of `grid`, where the case will be.

    A reporter names a category by its code; one who works in several counties (a city's
    centre) is offered the codes of them all, and the grid decides whose category it is.
    Without such a category in the grid's county, `category` itself: the report refuses it."""
    county_id = county_id_of(grid)
    if county_id is None or category.county_id == county_id:
        return category
    return category_of_county(county_id=county_id, code=category.code) or category


def county_id_of(area: Area) -> int | None:
    """The id of the county an area lies in, through the parents loaded with it (a report's
    grid comes with its ancestors); none above the county level."""
    while area is not None:
        if area.level == AreaLevel.COUNTY:
            return area.pk
        if area.level == AreaLevel.TOWNSHIP:
            return area.parent_id
        if area.level == AreaLevel.CITY:
            return None
        area = area.parent
    return None


def deadline_rule_errors(
    *, county_id: int | None, category: Category | None
) -> dict[str, list[str]]:
    """A rule's category is one of its county's own."""
    if category is not None and county_id is not None and category.county_id != county_id:
        return {"category": [_("Choose one of this county's own categories.")]}
    return {}


def deadline_hours(*, county_id: int, category_id: int | None, severity: str, level: str) -> int:
    """Hours at `level` by the county's rules: its category's rule, else its rule for every
    category, else DEFAULT_HOURS."""
    rules = {
        rule.category_id: rule.hours
        for rule in DeadlineRule.objects.filter(
            county_id=county_id, severity=severity, level=level
        ).filter(Q(category_id=category_id) | Q(category__isnull=True))
    }
    if category_id in rules:
        return rules[category_id]
    if None in rules:
        return rules[None]
    return DEFAULT_HOURS[(Severity(severity), CaseLevel(level))]


def deadline_hours_for(
    *, keys: set[tuple[int, int, str]], level: str
) -> dict[tuple[int, int, str], int]:
    """deadline_hours of many (county, category, severity) at one level, in one query: the
    rules of those counties at that level."""
    rules = {
        (rule.county_id, rule.category_id, rule.severity): rule.hours
        for rule in DeadlineRule.objects.filter(
            level=level,
            county_id__in={county for county, _category, _severity in keys},
            severity__in={severity for _county, _category, severity in keys},
        )
    }
    return {
        (county, category, severity): rules.get(
            (county, category, severity),
            rules.get(
                (county, None, severity), DEFAULT_HOURS[(Severity(severity), CaseLevel(level))]
            ),
        )
        for county, category, severity in keys
    }


WARN_SHARE = 0.75  # 临期预警: the handler is warned once 75 % of the level's time has passed


def deadline_times(
    start: datetime, *, county_id: int, category_id: int, severity: str, level: str
) -> tuple[datetime, datetime]:
    """(deadline, warn_at) for a case that reaches `level` at `start`."""
    hours = deadline_hours(
        county_id=county_id, category_id=category_id, severity=severity, level=level
    )
    return start + timedelta(hours=hours), start + timedelta(hours=hours * WARN_SHARE)


def restart_clock(case: Case, start: datetime) -> None:
    case.deadline, case.warn_at = deadline_times(
        start,
        county_id=case.county_id,
        category_id=case.category_id,
        severity=case.severity,
        level=case.level,
    )
    case.deadline_warned = False
