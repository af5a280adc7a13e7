"""Named case figures, each one definition for every place that counts cases: the monthly
ranking groups them by village, the case list filters by the same conditions."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from disputes.models import Case, CaseAction, CaseEvent, CaseLevel, CaseStatus

RESOLVED_STATUSES = (
    CaseStatus.RESOLVED,
    CaseStatus.STABILISED,
    CaseStatus.CLOSED,
    CaseStatus.EVALUATED,
)
OVERDUE_ACTIONS = (CaseAction.ESCALATE_OVERDUE, CaseAction.FLAG_OVERDUE)
ESCALATION_ACTIONS = (CaseAction.ESCALATE, CaseAction.ESCALATE_OVERDUE)
ESCALATED_TO = {
    CaseLevel.TOWNSHIP: "escalated_to_township",
    CaseLevel.COUNTY: "escalated_to_county",
}

COUNTED = ~Q(status=CaseStatus.MERGED)  # a merged duplicate counts once, in its original
RESOLVED = Q(status__in=RESOLVED_STATUSES)
RESOLVED_TIMED = RESOLVED & Q(resolved_at__isnull=False)  # the on-time rate's denominator
SUPERVISED = Q(supervised=True)


def event_flags(action: str, level: str) -> dict[str, bool]:
    """The flags an event sets on its case (`level`: the case's level after the step), so
    that the figures below count cases by their own columns, never by their events."""
    flags = {}
    if action in OVERDUE_ACTIONS:
        flags["went_overdue"] = True  # ran past a level's deadline (超期)
    if action == CaseAction.ESCALATE_OVERDUE:
        flags["escalated_overdue"] = True  # escalated by the sweep for it (超期上交)
    if action in ESCALATION_ACTIONS and level in ESCALATED_TO:
        flags[ESCALATED_TO[level]] = True
    return flags


def flags_from_events(cases: QuerySet[Case]) -> int:
    """Set the flags of `cases` from the events they have (the migration that brought the
    flags, and the benchmarks' data written in SQL); returns how many cases had some."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"))
    flagged = cases.filter(
        Exists(events.filter(action__in=(*OVERDUE_ACTIONS, CaseAction.ESCALATE)))
    )
    return flagged.update(
        went_overdue=Exists(events.filter(action__in=OVERDUE_ACTIONS)),
        escalated_overdue=Exists(events.filter(action=CaseAction.ESCALATE_OVERDUE)),
        **{
            flag: Exists(events.filter(action__in=ESCALATION_ACTIONS, level=level))
            for level, flag in ESCALATED_TO.items()
        },
    )


def went_overdue() -> Q:
    """Cases that ran past a level's deadline at least once (超期): escalated for it, or
    flagged at county level."""
    return Q(went_overdue=True)


# On time (到期化解): resolved by the deadline of the level that resolved it (resolving and
# closing leave the deadline alone; only a report, an escalation or a reopening restart the
# clock), and never past a deadline on the way: a case the sweep escalated for being
# overdue is late even if the next level then resolved it within its own time.
ON_TIME = RESOLVED & Q(resolved_at__lte=F("deadline")) & ~went_overdue()


def escalated_overdue() -> Q:
    """Cases the sweep escalated because their level let the deadline pass (超期上交)."""
    return Q(escalated_overdue=True)


def escalated_to(level: str) -> Q:
    """Cases escalated to `level` at some time, by a centre or by the sweep."""
    return Q(**{ESCALATED_TO[level]: True})


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


CASE_FIGURES = {
    "counted": _count(COUNTED),
    "resolved": _count(RESOLVED),
    "resolved_timed": _count(RESOLVED_TIMED),
    "on_time": _count(ON_TIME),
    # Where the month's cases are now: never sent above the village (小事不出村), or
    # settled without reaching the county (大事不出镇).
    "at_village": _count(COUNTED & Q(level=CaseLevel.VILLAGE)),
    "at_township_or_below": _count(COUNTED & Q(level__in=(CaseLevel.VILLAGE, CaseLevel.TOWNSHIP))),
    "supervised_count": _count(SUPERVISED),
    "supervised_on_time": _count(
        SUPERVISED & RESOLVED & Q(resolved_at__lte=Coalesce("supervision_deadline", "deadline"))
    ),
    "went_overdue": _count(went_overdue()),
    "overdue_escalated": _count(escalated_overdue()),
}
