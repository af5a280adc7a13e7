from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from disputes.defaults import DEFAULT_CATEGORIES
from disputes.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Case,
    CaseAction,
    CaseEvent,
    CaseLevel,
    Category,
)
from governance.platform.roles import Role
from grids.jurisdiction import scope
from grids.models import Area, AreaLevel
from grids.selectors import counties_of
from personnel.models import Staff, User


def cases_visible_to(user: User) -> QuerySet[Case]:
    return scope(user, Case.objects.all(), via="grid")


def case_list(*, user: User) -> QuerySet[Case]:
    return (
        cases_visible_to(user)
        .select_related("category", "grid", "village", "township", "reporter")
        .order_by("-created_at", "-id")
    )


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").prefetch_related("attachments")


def case_detail(*, user: User, pk: int) -> Case | None:
    return (
        cases_visible_to(user)
        .select_related("category", "grid", "village", "township", "county", "reporter")
        .filter(pk=pk)
        .first()
    )


def case_assignments(*, case: Case) -> QuerySet[Assignment]:
    return case.assignments.select_related("handler", "staff").order_by("-created_at", "-id")


def cases_handled_by(*, user: User) -> QuerySet[Case]:
    """Open cases with an active assignment to this user (待我办理)."""
    handling = Assignment.objects.filter(handler=user, status=AssignmentStatus.ACTIVE)
    return case_list(user=user).filter(status__in=OPEN_STATUSES, pk__in=handling.values("case_id"))


def cases_reported_by(*, user: User) -> QuerySet[Case]:
    return case_list(user=user).filter(reporter=user)


def case_handler_candidates(*, case: Case, actor: User) -> QuerySet[User]:
    """Who the actor may assign: active users posted at the case's grid, village or township
    (their jurisdiction covers the case) whom the actor can see."""
    posted = User.objects.filter(
        is_active=True,
        area_id__in=[case.grid_id, case.village_id, case.township_id],
    ).exclude(role="")
    return (
        scope(actor, posted, via="area").select_related("area").order_by("area__code", "role", "id")
    )


def categories_for(*, user: User, active: bool = True) -> QuerySet[Category]:
    """The categories of the counties the user works in (counties_of): their own county's,
    never another county's. Retired ones too with `active=False` (to find old cases)."""
    categories = Category.objects.filter(county__in=counties_of(user))
    return categories.filter(is_active=True) if active else categories


def default_categories(*, county: Area) -> list[Category]:
    """The default set (DEFAULT_CATEGORIES) of a county, unsaved."""
    return [
        Category(county=county, code=code, kind=kind, name=name, sort_order=order)
        for order, (kind, code, name) in enumerate(DEFAULT_CATEGORIES)
    ]


def bare_counties(counties: QuerySet[Area]) -> QuerySet[Area]:
    """The counties among `counties` that have no category at all yet (a county that
    retired every category has some)."""
    return counties.filter(level=AreaLevel.COUNTY).exclude(
        pk__in=Category.objects.values("county_id")
    )


def categories_offered(*, user: User) -> list[Category]:
    """The categories in use in the user's counties (categories_for), and for a county that
    has none yet its default set, unsaved: a page that shows them never writes them; the
    first report that names one does (categories_ensure_started)."""
    saved = list(categories_for(user=user))
    for county in bare_counties(counties_of(user)):
        saved += default_categories(county=county)
    return sorted(saved, key=lambda c: (c.county_id, c.kind, c.sort_order, c.code))


# The centre that owns a case at each level, and the stored ancestor id it is posted at:
# whose staff hear of a case's returns, escalations and overdue flags.
CENTRE_STAFF = {
    CaseLevel.VILLAGE: (Role.VILLAGE_STAFF, "village_id"),
    CaseLevel.TOWNSHIP: (Role.TOWNSHIP_CENTRE, "township_id"),
    CaseLevel.COUNTY: (Role.COUNTY_CENTRE, "county_id"),
}
# What notifying someone needs of a user.
RECIPIENT_FIELDS = ("id", "is_active", "phone", "role", "area_id")


def case_centre_staff(*, case: Case) -> QuerySet[User]:
    """Active staff of the centre at the case's level (village staff, township centre or
    county centre of the case's own village, township or county)."""
    role, column = CENTRE_STAFF[case.level]
    return User.objects.filter(is_active=True, role=role, area_id=getattr(case, column)).only(
        *RECIPIENT_FIELDS
    )


def cases_centre_staff(*, cases: Iterable[Case]) -> dict[int, list[User]]:
    """case_centre_staff for a whole batch of cases, at any mix of levels, in one query."""
    cases = list(cases)
    posts = {(CENTRE_STAFF[c.level][0], getattr(c, CENTRE_STAFF[c.level][1])) for c in cases}
    if not posts:
        return {}
    wanted = Q()
    for role in {role for role, _area in posts}:
        wanted |= Q(role=role, area_id__in=[area for r, area in posts if r == role])
    staff = defaultdict(list)
    for user in User.objects.filter(wanted, is_active=True).only(*RECIPIENT_FIELDS):
        staff[(user.role, user.area_id)].append(user)
    return {
        c.pk: staff[(CENTRE_STAFF[c.level][0], getattr(c, CENTRE_STAFF[c.level][1]))] for c in cases
    }


def case_intake_staff(*, case: Case) -> list[User]:
    """Who hears of a new report: its level's centre; a village without centre staff
    hands its reports to its township's centre."""
    staff = list(case_centre_staff(case=case))
    if staff or case.level != CaseLevel.VILLAGE:
        return staff
    return list(
        User.objects.filter(
            is_active=True, role=Role.TOWNSHIP_CENTRE, area_id=case.township_id
        ).only(*RECIPIENT_FIELDS)
    )


def case_assigners(*, case: Case, lines: Iterable[str]) -> list[User]:
    """Who assigned each of these lines at the case's level: the actor of the latest
    assignment event that gave it (a line returned and given again: the later one)."""
    wanted = set(lines)
    found: dict[str, User] = {}
    events = (
        CaseEvent.objects.filter(case=case, action=CaseAction.ASSIGN, level=case.level)
        .select_related("actor")
        .order_by("-id")
    )
    for event in events:
        for line in event.data.get("lines", []):
            name = line.get("line")
            if name in wanted and name not in found and event.actor is not None:
                found[name] = event.actor
        if len(found) == len(wanted):
            break
    assigners: dict[int, User] = {}
    for user in found.values():
        if user.is_active:
            assigners.setdefault(user.pk, user)
    return list(assigners.values())


def cases_supervisors(*, case_ids: Iterable[int]) -> dict[int, User]:
    """Who set each case's current supervision (督办): the actor of its latest one."""
    supervisors: dict[int, User] = {}
    events = (
        CaseEvent.objects.filter(
            case_id__in=list(case_ids), action=CaseAction.SUPERVISE, actor__is_active=True
        )
        .select_related("actor")
        .only("case_id", *(f"actor__{name}" for name in RECIPIENT_FIELDS))
        .order_by("case_id", "-id")
    )
    for event in events:
        supervisors.setdefault(event.case_id, event.actor)
    return supervisors


def cases_active_handlers(*, case_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active users handling each case's active assignments, in one query."""
    handlers = defaultdict(list)
    assignments = (
        Assignment.objects.filter(
            case_id__in=list(case_ids),
            status=AssignmentStatus.ACTIVE,
            handler__isnull=False,
            handler__is_active=True,
        )
        .select_related("handler")
        .only("case_id", *(f"handler__{name}" for name in RECIPIENT_FIELDS))
        .order_by("id")
    )
    for assignment in assignments:
        handlers[assignment.case_id].append(assignment.handler)
    return dict(handlers)


def staff_assignments_seen_by(*, user: User, staff: Staff) -> QuerySet:
    """The person's assignment lines on the cases the viewer may see, newest first."""
    return (
        staff.assignments.filter(case__in=cases_visible_to(user))
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def with_active_lines(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their active assignment lines and handlers (`active_lines`), for the
    list's 承办人 column: one query more per page."""
    lines = Assignment.objects.filter(status=AssignmentStatus.ACTIVE).select_related(
        "handler", "staff"
    )
    return cases.prefetch_related(
        Prefetch("assignments", queryset=lines.order_by("line"), to_attr="active_lines")
    )


def batch_handler_candidates(*, cases: list[Case], actor: User) -> list[User]:
    """Who may take every one of the cases: the handlers offered for each, in common."""
    common: dict[int, User] | None = None
    # The candidates depend on the case's places only: one query per distinct place.
    places = {(case.grid_id, case.village_id, case.township_id): case for case in cases}
    for case in places.values():
        offered = {user.pk: user for user in case_handler_candidates(case=case, actor=actor)}
        common = offered if common is None else {pk: common[pk] for pk in common if pk in offered}
    return list((common or {}).values())
