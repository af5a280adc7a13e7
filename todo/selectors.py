"""Each role's to-do 待办: what waits for the user, counted and the first few shown. Every
list is read through the selector of the app that owns it (and so through the
jurisdiction); each count is the count of the very query the linked full list shows.

Per role:
- the field (grid workers, N members, police): my open cases by deadline, my visits due,
  my campaign tasks, the instructions I have not opened;
- the village staff: cases to analyse and lines being handled in the village, to close,
  and the field's lists when they hold such work themselves;
- the township centre: 待研判, 待交办, lines all resolved awaiting closure, due soon,
  overdue, supervised;
- the county: supervised cases, county-level overdue, rankings to review, and the
  townships' figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assessment.models import RankingSnapshot, SnapshotStatus
from assessment.selectors.rankings import snapshots_visible_to
from campaigns.models import CampaignTask, Instruction, TaskStatus
from campaigns.selectors import my_tasks
from campaigns.services.instructions import instructions_unread_by
from disputes.models import OPEN_STATUSES, Case, CaseStatus
from disputes.selectors.cases import case_list, cases_handled_by
from disputes.selectors.todo import todo_cases, todo_condition, todo_level_q, todo_levels
from governance.platform.roles import Role
from grids.jurisdiction import COUNTY_ROLES, sees_everything
from grids.models import AreaLevel
from grids.selectors import areas_visible_to
from personnel.models import User
from residents.models import Resident
from residents.services.visits import visits_due_for

SHOWN = 5  # items shown per section; the rest behind "all N"

FIELD_ROLES = frozenset({Role.GRID_WORKER, Role.MEMBER, Role.POLICE})
# The cases' to-do lists of each centre, in the order of the closed loop.
CENTRE_SECTIONS: dict[str, tuple[str, ...]] = {
    Role.VILLAGE_STAFF: ("triage", "assign", "handling", "to_close", "overdue"),
    Role.TOWNSHIP_CENTRE: (
        "triage",
        "assign",
        "to_close",
        "due_soon",
        "overdue",
        "supervised",
    ),
    Role.COUNTY_ADMIN: ("supervised", "overdue", "triage", "assign", "to_close"),
    Role.COUNTY_CENTRE: ("supervised", "overdue", "triage", "assign", "to_close"),
    Role.INSPECTOR: ("supervised", "overdue"),
}
FIELD_SECTIONS = ("my_cases", "visits", "tasks", "instructions")


@dataclass
class Section:
    name: str  # triage, my_cases, visits… (the template's key for title, links and items)
    count: int
    items: list = field(default_factory=list)


@dataclass
class TownshipRow:
    id: int
    name: str
    open: int
    reported: int
    supervised: int


@dataclass
class Todo:
    sections: list[Section]
    townships: list[TownshipRow] = field(default_factory=list)
    now: datetime | None = None

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def centre_sections(user: User) -> tuple[str, ...]:
    if sees_everything(user):
        return CENTRE_SECTIONS[Role.COUNTY_ADMIN]
    return CENTRE_SECTIONS.get(user.role, ())


def _first(queryset: QuerySet, count: int) -> list:
    return list(queryset[:SHOWN]) if count else []


def _case_sections(*, user: User, names: tuple[str, ...], now: datetime) -> list[Section]:
    """The centre's lists of cases: every count in one query, then the first few of each
    list that has any."""
    if not names or not todo_levels(user):
        return []
    counts = (
        case_list(user=user)
        .order_by()
        .aggregate(
            **{
                name: Count("pk", filter=todo_condition(name, now=now) & todo_level_q(user, name))
                for name in names
            }
        )
    )
    return [
        Section(
            name=name,
            count=counts[name],
            items=_first(todo_cases(user=user, name=name, now=now), counts[name]),
        )
        for name in names
    ]


def my_open_cases(*, user: User) -> QuerySet[Case]:
    return cases_handled_by(user=user).order_by("deadline", "-id")


def my_visits_due(*, user: User) -> QuerySet[Resident]:
    return visits_due_for(user=user)


def my_open_tasks(*, user: User) -> QuerySet[CampaignTask]:
    return my_tasks(user=user, status=TaskStatus.PENDING).select_related("campaign")


def my_unread_instructions(*, user: User) -> QuerySet[Instruction]:
    return instructions_unread_by(user).order_by("-created_at", "-id")


def rankings_to_review(*, user: User) -> QuerySet[RankingSnapshot]:
    """The months computed and not yet published (drafts) that the committee reviews."""
    return snapshots_visible_to(user).filter(status=SnapshotStatus.DRAFT).order_by("-month")


FIELD_LISTS = {
    "my_cases": my_open_cases,
    "visits": my_visits_due,
    "tasks": my_open_tasks,
    "instructions": my_unread_instructions,
}


def _field_sections(*, user: User, only_with_work: bool) -> list[Section]:
    sections = []
    for name in FIELD_SECTIONS:
        items = FIELD_LISTS[name](user=user)
        count = items.count()
        if count or not only_with_work:
            sections.append(Section(name=name, count=count, items=_first(items, count)))
    return sections


def township_rows(*, user: User) -> list[TownshipRow]:
    """Every township of the user's jurisdiction, with its open cases, those awaiting
    analysis and the supervised ones (one GROUP BY; each figure is a filter of the case
    list), a township without cases too."""
    is_open = Q(status__in=OPEN_STATUSES)
    figures = {
        row["township_id"]: row
        for row in case_list(user=user)
        .order_by()
        .values("township_id")
        .annotate(
            open=Count("pk", filter=is_open),
            reported=Count("pk", filter=Q(status=CaseStatus.REPORTED)),
            supervised=Count("pk", filter=is_open & Q(supervised=True)),
        )
    }
    townships = areas_visible_to(user).filter(level=AreaLevel.TOWNSHIP).order_by("code")
    none = {"open": 0, "reported": 0, "supervised": 0}
    return [
        TownshipRow(
            id=township.pk,
            name=township.name,
            open=figures.get(township.pk, none)["open"],
            reported=figures.get(township.pk, none)["reported"],
            supervised=figures.get(township.pk, none)["supervised"],
        )
        for township in townships.only("id", "name")
    ]


def _sees_county(user: User) -> bool:
    return sees_everything(user) or user.role in (*COUNTY_ROLES, Role.INSPECTOR)


def todo_for(*, user: User, now: datetime | None = None) -> Todo:
    """The user's to-do: the centre's lists of cases (always shown, empty or not), the
    field's own lists (always for the field roles, for the others when they hold such work),
    the rankings to review and the townships' figures for the county."""
    now = now or timezone.now()
    sections = _case_sections(user=user, names=centre_sections(user), now=now)
    if user.role in FIELD_ROLES:
        sections += _field_sections(user=user, only_with_work=False)
    elif user.role != Role.INSPECTOR:
        sections += _field_sections(user=user, only_with_work=True)
    if user.role in COUNTY_ROLES or sees_everything(user):
        drafts = rankings_to_review(user=user)
        count = drafts.count()
        sections.append(Section(name="rankings", count=count, items=_first(drafts, count)))
    townships = township_rows(user=user) if _sees_county(user) else []
    return Todo(sections=sections, townships=townships, now=now)
