"""Jurisdiction: who may see and do what. Every permission decision is made here.

A user has a role and one area and sees that area's whole subtree (county roles: their
county). `scope` is the one door through which every read of areas, and of anything that
belongs to an area, passes; pages, API, admin and exports call it and filter nothing by hand.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from governance.platform.case_actions import CaseAction
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaLevel

COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CENTRE})
# Where each role may be posted.
ROLE_LEVELS: dict[str, tuple[str, ...]] = {
    Role.COUNTY_ADMIN: (AreaLevel.CITY, AreaLevel.COUNTY),
    Role.COUNTY_CENTRE: (AreaLevel.CITY, AreaLevel.COUNTY),
    Role.TOWNSHIP_CENTRE: (AreaLevel.TOWNSHIP,),
    Role.POLICE: (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE),  # 派出所 or 驻村民警/辅警
    Role.VILLAGE_STAFF: (AreaLevel.VILLAGE,),
    Role.GRID_WORKER: (AreaLevel.GRID,),
    Role.MEMBER: (AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID),
    Role.INSPECTOR: tuple(AreaLevel.values),
}
# Roles that may change the area tree and accounts in the administration pages.
ADMINISTRATOR_ROLES = frozenset({Role.COUNTY_ADMIN})


def role_area_errors(role: str, area: Area | None) -> list[str]:
    if not role:
        return []
    if area is None:
        return [_("A user with a role needs an area: the role's jurisdiction starts there.")]
    allowed = ROLE_LEVELS[role]
    if area.level not in allowed:
        return [
            _("A %(role)s is posted at a %(allowed)s, not at a %(level)s.")
            % {
                "role": Role(role).label,
                "allowed": " / ".join(str(AreaLevel(level).label) for level in allowed),
                "level": AreaLevel(area.level).label,
            }
        ]
    return []


def sees_everything(user) -> bool:
    """Operators (superusers without an area) see every county; nobody else does."""
    return bool(
        user.is_authenticated and user.is_active and user.is_superuser and user.area_id is None
    )


def jurisdiction_root(user) -> Area | None:
    if not (user.is_authenticated and user.is_active) or user.area_id is None:
        return None
    area = user.area
    if user.role in COUNTY_ROLES and area.level not in (AreaLevel.CITY, AreaLevel.COUNTY):
        area = tree.ancestor_at_level(area, AreaLevel.COUNTY) or area
    return area


def scope(user, queryset: QuerySet, *, via: str = "") -> QuerySet:
    """Limit `queryset` to rows whose area (reached through `via`, e.g. "area") the user sees.

    `via=""` scopes a queryset of areas themselves.
    """
    if sees_everything(user):
        return queryset
    root = jurisdiction_root(user)
    if root is None:
        return queryset.none()
    # Models that store their area's ancestors (cases) are scoped by one indexed equality.
    columns = getattr(queryset.model, "JURISDICTION_COLUMNS", {})
    if root.level in columns:
        return queryset.filter(**{columns[root.level]: root.pk})
    return queryset.filter(tree.subtree_q(root, f"{via}__" if via else ""))


def can_see(user, obj: Model, *, via: str = "") -> bool:
    if isinstance(obj, Area) and not via:
        return can_see_area(user, obj)
    return scope(user, type(obj)._default_manager.filter(pk=obj.pk), via=via).exists()


def can_see_area(user, area: Area) -> bool:
    """can_see(user, area) for an area already loaded, without a query: the same subtree
    test as scope's (case intake asks it of every report; tested against scope)."""
    if sees_everything(user):
        return True
    root = jurisdiction_root(user)
    return root is not None and tree.is_within(area, root)


# Roles that may file reports from the field (everyone with a post but the inspectors).
REPORTING_ROLES = frozenset(Role.values) - {Role.INSPECTOR}


def can_report(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in REPORTING_ROLES
        and user.area_id is not None
    )


# Which centres analyse, assign, close and evaluate a case owned by each level: that
# level's centre and every centre above it (the county assigns the hardest cases itself).
CENTRE_ROLES = {
    "village": frozenset({Role.VILLAGE_STAFF, Role.TOWNSHIP_CENTRE, *COUNTY_ROLES}),
    "township": frozenset({Role.TOWNSHIP_CENTRE, *COUNTY_ROLES}),
    "county": COUNTY_ROLES,
}
# Supervision 督办 is done by a superior: a centre above the case's level (the county
# committee supervises its own cases too).
SUPERVISOR_ROLES = {
    "village": frozenset({Role.TOWNSHIP_CENTRE, *COUNTY_ROLES}),
    "township": COUNTY_ROLES,
    "county": frozenset({Role.COUNTY_ADMIN}),
}
CENTRE_ACTIONS = frozenset(
    {
        CaseAction.ACCEPT,
        CaseAction.MERGE,
        CaseAction.ASSIGN,
        CaseAction.CLOSE,
        CaseAction.EVALUATE,
        CaseAction.ESCALATE,
        CaseAction.REOPEN,
    }
)
HANDLER_ACTIONS = frozenset({CaseAction.RECORD, CaseAction.RESOLVE, CaseAction.RETURN})


def can_act_on_case(user, case, action: str, *, line: str | None = None) -> bool:
    """Role rules for case transitions; visibility (scope) is checked before this. A
    handler acts on their own line only (`line`, when the action names one)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser and user.area_id is None:
        return True
    if action in CENTRE_ACTIONS:
        return user.role in CENTRE_ROLES[case.level]
    if action in HANDLER_ACTIONS:
        if user.role in CENTRE_ROLES[case.level]:
            return True
        mine = case.assignments.filter(handler=user, status="active")
        return (mine.filter(line=line) if line else mine).exists()
    if action == CaseAction.SUPERVISE:
        return user.role in SUPERVISOR_ROLES[case.level]
    return False


def can_call_parties(user, case) -> bool:
    """Who may dial a case's parties (their numbers stay masked to everyone): the centres
    that handle the case at its level, its active handlers, and the person who reported it.
    Visibility (scope) is checked before this."""
    return case.reporter_id == user.pk or can_act_on_case(user, case, CaseAction.RECORD)


def can_attach(user, case) -> bool:
    """Files (photos, evidence, agreements) come from the reporter, a handler or a centre."""
    return case.reporter_id == user.pk or can_act_on_case(user, case, CaseAction.RECORD)


def can_administer(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in ADMINISTRATOR_ROLES)
    )


# The roster 一警三专N员 is kept by the centres that run the network: the township centre
# for its villages, the county for everyone. They also evaluate, pay, train and spot-check.
ROSTER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CENTRE, Role.TOWNSHIP_CENTRE})


def can_manage_roster(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (sees_everything(user) or (user.role in ROSTER_ROLES and user.area_id is not None))
    )


def require_roster_manager(user) -> None:
    """Refuse (403, on pages and in the API alike) anyone who does not keep the roster."""
    if not can_manage_roster(user):
        raise PermissionDenied(_("Only the governance centres that keep the roster may do this."))


# "三零" incidents (越级上访, major accidents, criminal cases) are recorded by the county only.
INCIDENT_ROLES = COUNTY_ROLES


def can_record_incidents(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (sees_everything(user) or (user.role in INCIDENT_ROLES and user.area_id is not None))
    )


# The scoring scheme 考核方案 and the values entered for it belong to the county committee.
SCORING_ROLES = COUNTY_ROLES


def can_edit_scoring(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (sees_everything(user) or (user.role in SCORING_ROLES and user.area_id is not None))
    )


def is_committee_administrator(user) -> bool:
    """The political-legal committee 政法委 itself (or a superuser)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            sees_everything(user) or (user.role in ADMINISTRATOR_ROLES and user.area_id is not None)
        )
    )


# Publishing the month's ranking (the bulletin 通报) is the committee's own act: the county
# centre computes and reviews drafts, the political-legal committee publishes.
def can_publish_rankings(user) -> bool:
    return is_committee_administrator(user)


# Residents of concern 重点人员: registered by the centres, the village staff and the police;
# categories with health information (SENSITIVE_CATEGORIES) shown only to these roles and,
# of the others, to the staff member responsible for the person.
RESIDENT_ROLES = frozenset(
    {Role.COUNTY_ADMIN, Role.COUNTY_CENTRE, Role.TOWNSHIP_CENTRE, Role.VILLAGE_STAFF, Role.POLICE}
)


def can_register_residents(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (sees_everything(user) or (user.role in RESIDENT_ROLES and user.area_id is not None))
    )


def sees_sensitive_residents(user) -> bool:
    return can_register_residents(user)


# Of the other roles a grid worker sees the residents of their grid (health categories only
# where responsible); these see only the people they are responsible for, or none.
RESPONSIBLE_ONLY_ROLES = frozenset({Role.MEMBER, Role.INSPECTOR})
# Exports of the register: the centres only, watermarked and logged (residents.services.residents).
RESIDENT_EXPORT_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CENTRE, Role.TOWNSHIP_CENTRE})


def can_export_residents(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            sees_everything(user)
            or (user.role in RESIDENT_EXPORT_ROLES and user.area_id is not None)
        )
    )


def can_read_access_log(user) -> bool:
    """The access log of personal data: the political-legal committee's administrators."""
    return is_committee_administrator(user)


def can_read_audit_log(user) -> bool:
    """The audit log of every change (audit app): the county's administrators, their
    county's entries only (through `scope`)."""
    return is_committee_administrator(user)


def _active_with_role(user, roles: frozenset) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (sees_everything(user) or (user.role in roles and user.area_id is not None))
    )


# Campaigns 专项行动 and urgent instructions 预警指令 are launched by the county and township
# centres over their own subtree.
ORGANISER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CENTRE, Role.TOWNSHIP_CENTRE})
# Who may record a task's result on behalf of the people of their area (a member without a
# login reports by phone; a grid with no grid worker is the village's to cover).
TASK_PROXY_ROLES = ORGANISER_ROLES | {Role.VILLAGE_STAFF}


def can_organise(user) -> bool:
    return _active_with_role(user, ORGANISER_ROLES)


def can_manage_campaign(user, campaign) -> bool:
    """Upload, launch, remind, end: the organisers whose jurisdiction holds the campaign's
    area (a township watching the county's campaign only watches its part)."""
    return can_organise(user) and can_see(user, campaign.area)


def can_confirm_receipts(user) -> bool:
    """Recording that recipients without a login confirmed an instruction by phone."""
    return _active_with_role(user, TASK_PROXY_ROLES)


def can_complete_task(user, task) -> bool:
    """The assignee, or a centre (or the village staff) whose subtree holds the task.
    Visibility (scope) is checked before this."""
    if not (user.is_authenticated and user.is_active) or user.role == Role.INSPECTOR:
        return False
    if task.staff_id is not None and task.staff.user_id == user.pk:
        return True
    return _active_with_role(user, TASK_PROXY_ROLES)


# Analysis meetings 研判会: recorded by the township centres (daily, weekly) and the county
# (monthly); the decisions go through the case workflow, whose own rules apply as well.
MEETING_ROLES = ORGANISER_ROLES
# Supervision inspections 督导检查 are the county's: its committee and centre inspect the
# townships and villages. The inspected area's centres report the problems fixed.
INSPECTION_ROLES = COUNTY_ROLES
PROBLEM_FIX_ROLES = ORGANISER_ROLES | {Role.VILLAGE_STAFF}


def can_record_meetings(user) -> bool:
    return _active_with_role(user, MEETING_ROLES)


def can_record_inspections(user) -> bool:
    return _active_with_role(user, INSPECTION_ROLES)


def can_fix_problems(user) -> bool:
    return _active_with_role(user, PROBLEM_FIX_ROLES)


def scope_with_own_line(user, queryset: QuerySet, *, via: str = "") -> QuerySet:
    """`scope`, plus the rows of the areas above the user's own (their village, township):
    where they themselves stand, e.g. a grid worker's village in the published ranking."""
    visible = scope(user, queryset, via=via)
    root = jurisdiction_root(user)
    if root is None or sees_everything(user):
        return visible
    above = tree.ancestors(root).values("pk")
    return visible | queryset.filter(**{f"{via}__in" if via else "pk__in": above})


# Village points 积分管理: grid workers and the village staff record items for households;
# the village committee (its staff) approves them, decides objections, keeps the fund.
POINTS_RECORDER_ROLES = frozenset({Role.GRID_WORKER, Role.VILLAGE_STAFF})
POINTS_COMMITTEE_ROLES = frozenset({Role.VILLAGE_STAFF})


def can_record_points(user) -> bool:
    return _active_with_role(user, POINTS_RECORDER_ROLES)


def can_run_points(user) -> bool:
    """Approve items, decide objections, edit the rules, keep the happiness fund."""
    return _active_with_role(user, POINTS_COMMITTEE_ROLES)


# The camera network 雪亮工程: the county's committee and centre keep the register (import,
# inspection); the township centres and the police follow up the maintenance tasks.
CAMERA_REGISTER_ROLES = COUNTY_ROLES
CAMERA_TASK_ROLES = ORGANISER_ROLES | {Role.POLICE}


def can_manage_cameras(user) -> bool:
    return _active_with_role(user, CAMERA_REGISTER_ROLES)


def can_close_camera_tasks(user) -> bool:
    return _active_with_role(user, CAMERA_TASK_ROLES)
