"""Case configuration: the default categories and the deadline each level has."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from disputes.defaults import DEFAULT_CATEGORIES
from disputes.models import (
    Case,
    CaseLevel,
    Category,
    DeadlineRule,
    Severity,
)

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


def categories_ensure_defaults() -> int:
    """Create the default categories that are missing; returns how many were created."""
    existing = set(Category.objects.values_list("code", flat=True))
    missing = [
        Category(code=code, kind=kind, name=name, sort_order=order)
        for order, (kind, code, name) in enumerate(DEFAULT_CATEGORIES)
        if code not in existing
    ]
    Category.objects.bulk_create(missing)
    return len(missing)


def deadline_hours(*, category_id: int | None, severity: str, level: str) -> int:
    rules = {
        rule.category_id: rule.hours
        for rule in DeadlineRule.objects.filter(severity=severity, level=level).filter(
            Q(category_id=category_id) | Q(category__isnull=True)
        )
    }
    if category_id in rules:
        return rules[category_id]
    if None in rules:
        return rules[None]
    return DEFAULT_HOURS[(Severity(severity), CaseLevel(level))]


def deadline_hours_for(*, pairs: set[tuple[int, str]], level: str) -> dict[tuple[int, str], int]:
    """deadline_hours of many (category, severity) pairs at one level, in one query."""
    rules = {
        (rule.category_id, rule.severity): rule.hours
        for rule in DeadlineRule.objects.filter(
            level=level, severity__in={severity for _category, severity in pairs}
        )
    }
    return {
        (category, severity): rules.get(
            (category, severity),
            rules.get((None, severity), DEFAULT_HOURS[(Severity(severity), CaseLevel(level))]),
        )
        for category, severity in pairs
    }


WARN_SHARE = 0.75  # 临期预警: the handler is warned once 75 % of the level's time has passed


def deadline_times(
    start: datetime, *, category_id: int, severity: str, level: str
) -> tuple[datetime, datetime]:
    """(deadline, warn_at) for a case that reaches `level` at `start`."""
    hours = deadline_hours(category_id=category_id, severity=severity, level=level)
    return start + timedelta(hours=hours), start + timedelta(hours=hours * WARN_SHARE)


def restart_clock(case: Case, start: datetime) -> None:
    case.deadline, case.warn_at = deadline_times(
        start, category_id=case.category_id, severity=case.severity, level=case.level
    )
    case.deadline_warned = False
