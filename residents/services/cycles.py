"""The visit cycle 走访周期 of residents of concern: how often each category and risk level
is visited (the county's own settings over the defaults), and the next visit date that
follows from the last visit or the registration."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import User
from residents.models import (
    KEY_PERSON_CATEGORIES,
    Resident,
    ResidentCategory,
    ResidentStatus,
    RiskLevel,
    VisitCycle,
)

# How often, in days, where the county has set nothing: key persons by risk (high weekly,
# medium monthly, low quarterly), the care groups monthly (weekly at high risk).
KEY_PERSON_DAYS = {RiskLevel.HIGH: 7, RiskLevel.MEDIUM: 30, RiskLevel.LOW: 90}
CARE_GROUP_DAYS = {RiskLevel.HIGH: 7, RiskLevel.MEDIUM: 30, RiskLevel.LOW: 30}
DEFAULT_CYCLE_DAYS: dict[tuple[str, str], int] = {
    (category, risk): (KEY_PERSON_DAYS if category in KEY_PERSON_CATEGORIES else CARE_GROUP_DAYS)[
        risk
    ]
    for category in ResidentCategory.values
    for risk in RiskLevel.values
}


def visit_cycles(*, county: Area | None) -> dict[tuple[str, str], int]:
    cycles = dict(DEFAULT_CYCLE_DAYS)
    if county is not None:
        cycles.update(
            ((category, risk), days)
            for category, risk, days in VisitCycle.objects.filter(county=county).values_list(
                "category", "risk", "days"
            )
        )
    return cycles


def visit_cycles_set(
    *, county: Area, days: dict[tuple[str, str], int], actor: User | None = None
) -> int:
    """Store the county's cycles (only those that differ from the defaults are kept) and
    reschedule its residents' next visits; returns how many residents moved."""
    problems = [key for key, value in days.items() if not 1 <= int(value) <= 366]
    if problems:
        raise ValidationError({"days": [_("A cycle is between 1 and 366 days.")]})
    with transaction.atomic():
        before = visit_cycles(county=county)
        VisitCycle.objects.filter(county=county).delete()
        VisitCycle.objects.bulk_create(
            VisitCycle(county=county, category=category, risk=risk, days=int(value))
            for (category, risk), value in days.items()
            if DEFAULT_CYCLE_DAYS.get((category, risk)) != int(value)
        )
        old, new = changes(
            {f"{category}/{risk}": value for (category, risk), value in before.items()},
            {f"{category}/{risk}": int(value) for (category, risk), value in days.items()},
        )
        audit_record(
            action="settings.change",
            actor=actor,
            object_type="visitcycle",
            object_id=county.pk,
            area_id=county.pk,
            old=old,
            new=new,
        )
        return residents_reschedule(county=county)


def county_of(area: Area) -> Area | None:
    return tree.ancestor_at_level(area, AreaLevel.COUNTY)


def registered_on(resident: Resident) -> date:
    return timezone.localdate(resident.created_at) if resident.created_at else timezone.localdate()


def next_due(resident: Resident, cycles: dict[tuple[str, str], int]) -> date | None:
    """From the last visit (or the registration), one cycle on; none once out of management."""
    if resident.status != ResidentStatus.ACTIVE:
        return None
    start = resident.last_visited_on or registered_on(resident)
    return start + timedelta(days=cycles[(resident.category, resident.risk)])


def resident_schedule(resident: Resident) -> None:
    """Set the resident's next visit from their cycle (after registration, a change of risk,
    category or status); the caller saves."""
    resident.next_visit_due = next_due(resident, visit_cycles(county=county_of(resident.grid)))


def residents_reschedule(*, county: Area) -> int:
    """Recompute the next visit of every active resident of the county, a few UPDATEs (one
    per cycle length and start), after the county changed its cycles."""
    cycles = visit_cycles(county=county)
    rows = Resident.objects.filter(
        tree.subtree_q(county, "grid__"), status=ResidentStatus.ACTIVE
    ).values_list("pk", "category", "risk", "last_visited_on", "created_at", "next_visit_due")
    moves: dict[date, list[int]] = defaultdict(list)
    for pk, category, risk, last, created, due in rows:
        start = last or timezone.localdate(created)
        wanted = start + timedelta(days=cycles[(category, risk)])
        if wanted != due:
            moves[wanted].append(pk)
    for due, ids in moves.items():
        Resident.objects.filter(pk__in=ids).update(next_visit_due=due)
    return sum(len(ids) for ids in moves.values())
