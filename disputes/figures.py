"""Named case figures, each one definition for every place that counts cases: the monthly
ranking groups them by village, the case list filters by the same conditions."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from disputes.models import CaseEvent, CaseLevel, CaseStatus

RESOLVED_STATUSES = (
    CaseStatus.RESOLVED,
    CaseStatus.STABILISED,
    CaseStatus.CLOSED,
    CaseStatus.EVALUATED,
)
OVERDUE_ACTIONS = ("escalate_overdue", "flag_overdue")

COUNTED = ~Q(status=CaseStatus.MERGED)  # a merged duplicate counts once, in its original
RESOLVED = Q(status__in=RESOLVED_STATUSES)


def went_overdue() -> Q:
    """Cases that ran past a level's deadline at least once (超期): escalated for it, or
    flagged at county level."""
    return Q(pk__in=CaseEvent.objects.filter(action__in=OVERDUE_ACTIONS).values("case_id"))


# On time (到期化解): resolved by the deadline of the level that resolved it (resolving and
# closing leave the deadline alone; only a report, an escalation or a reopening restart the
# clock), and never past a deadline on the way: a case the sweep escalated for being
# overdue is late even if the next level then resolved it within its own time.
ON_TIME = RESOLVED & Q(resolved_at__lte=F("deadline")) & ~went_overdue()


def escalated_overdue() -> Q:
    """Cases the sweep escalated because their level let the deadline pass (超期上交)."""
    return Q(pk__in=CaseEvent.objects.filter(action="escalate_overdue").values("case_id"))


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


CASE_FIGURES = {
    "counted": _count(COUNTED),
    "resolved": _count(RESOLVED),
    "resolved_timed": _count(RESOLVED & Q(resolved_at__isnull=False)),
    "on_time": _count(ON_TIME),
    # Where the month's cases are now: never sent above the village (小事不出村), or
    # settled without reaching the county (大事不出镇).
    "at_village": _count(COUNTED & Q(level=CaseLevel.VILLAGE)),
    "at_township_or_below": _count(COUNTED & Q(level__in=(CaseLevel.VILLAGE, CaseLevel.TOWNSHIP))),
    "supervised_count": _count(Q(supervised=True)),
    "supervised_on_time": _count(
        Q(supervised=True)
        & RESOLVED
        & Q(resolved_at__lte=Coalesce("supervision_deadline", "deadline"))
    ),
    "went_overdue": _count(went_overdue()),
    "overdue_escalated": _count(escalated_overdue()),
}
