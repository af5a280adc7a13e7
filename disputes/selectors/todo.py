"""The centres' to-do lists of cases (待研判, 待交办, 待结案, 临期, 超期, 督办): each one a
filter of the case list (`?todo=<name>`), so that the count on a to-do page and the list it
links to are the same query.

Which cases are a centre's to do depends on its level: the village staff work the cases
their village owns, the township centre those of its villages and its own (it may accept
and assign a village's case), the county committee and centre the county's own (the
lower levels' cases are the townships' to do; the county watches them on the dashboard).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import OPEN_STATUSES, Case, CaseLevel, CaseStatus
from disputes.selectors.cases import case_list
from governance.platform.roles import Role
from grids.jurisdiction import COUNTY_ROLES, sees_everything
from personnel.models import User

TODO_CHOICES = [
    ("triage", _("Awaiting analysis")),  # 待研判
    ("assign", _("Awaiting assignment")),  # 待交办
    ("handling", _("Lines being handled")),  # 办理中
    ("to_close", _("All lines resolved, awaiting closure")),  # 待结案
    ("due_soon", _("Due soon")),  # 临期
    ("overdue", _("Overdue")),  # 超期
    ("supervised", _("Supervised")),  # 督办
]
TODO_NAMES = frozenset(name for name, _label in TODO_CHOICES)

# The case levels whose work is each centre's to do.
OWN_LEVELS: dict[str, tuple[str, ...]] = {
    Role.VILLAGE_STAFF: (CaseLevel.VILLAGE,),
    Role.TOWNSHIP_CENTRE: (CaseLevel.VILLAGE, CaseLevel.TOWNSHIP),
    **{role: (CaseLevel.COUNTY,) for role in COUNTY_ROLES},
    Role.INSPECTOR: (CaseLevel.COUNTY,),
}


def todo_levels(user: User) -> tuple[str, ...]:
    """The case levels whose work is the user's to do: none for the field roles (their to do
    is their own lines), the county's for an operator."""
    if sees_everything(user):
        return (CaseLevel.COUNTY,)
    return OWN_LEVELS.get(user.role, ())


def todo_condition(name: str, *, now: datetime) -> Q:
    """The condition of one to-do list on the cases of the user's own levels."""
    is_open = Q(status__in=OPEN_STATUSES)
    return {
        "triage": Q(status=CaseStatus.REPORTED),
        "assign": Q(status=CaseStatus.ACCEPTED),
        "handling": Q(status__in=[CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS]),
        "to_close": Q(status__in=[CaseStatus.RESOLVED, CaseStatus.STABILISED]),
        # Inside the warning window (临期预警, from warn_at) and not yet past the deadline.
        "due_soon": is_open & Q(warn_at__lte=now, deadline__gte=now),
        # Past the deadline and not yet moved up by the sweep, or flagged at the county.
        "overdue": is_open & (Q(deadline__lt=now) | Q(overdue=True)),
        "supervised": is_open & Q(supervised=True),
    }[name]


def cases_todo(
    cases: QuerySet[Case], *, user: User, name: str, now: datetime | None = None
) -> QuerySet[Case]:
    """`cases` (already scoped to the user) narrowed to one of the user's to-do lists."""
    if name not in TODO_NAMES or not todo_levels(user):
        return cases.none()
    return cases.filter(todo_condition(name, now=now or timezone.now()) & todo_level_q(user, name))


def todo_level_q(user: User, name: str) -> Q:
    """The levels of the user's to do; a supervised case is watched at whatever level it is
    (the county supervises the townships' cases, a township handles what the county
    supervises)."""
    return Q() if name == "supervised" else Q(level__in=todo_levels(user))


def todo_cases(*, user: User, name: str, now: datetime | None = None) -> QuerySet[Case]:
    """One to-do list of the user's jurisdiction, the most urgent first (soonest deadline;
    the supervision deadline for supervised cases)."""
    cases = cases_todo(case_list(user=user), user=user, name=name, now=now)
    if name == "supervised":
        return cases.order_by("supervision_deadline", "deadline", "-id")
    return cases.order_by("deadline", "-id")
