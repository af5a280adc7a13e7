from governance.platform.roles import FIELD_ROLES, Role
from grids.jurisdiction import (
    can_administer,
    can_edit_scoring,
    can_read_audit_log,
    can_report,
    jurisdiction_root,
)

# The menu entry a page belongs to, by its route name's prefix (first match wins): the side
# menu and the tab bar mark it as the current one.
MENU_ENTRIES = (
    ("home", "home"),
    ("dashboard", "dashboard"),
    ("overview", "dashboard"),
    ("case_report", "report"),
    ("my_cases", "my_cases"),
    ("case_", "cases"),
    ("area_", "areas"),
    ("visit_cycles", "residents"),
    ("access_log", "residents"),
    ("resident_", "residents"),
    ("visit", "visits"),
    ("my_visits", "visits"),
    ("my_tasks", "tasks"),
    ("task_", "tasks"),
    ("campaign_", "campaigns"),
    ("instruction_", "campaigns"),
    ("meeting_", "meetings"),
    ("inspection_", "meetings"),
    ("problem_", "meetings"),
    ("points_", "points"),
    ("staff_", "staff"),
    ("post_", "staff"),
    ("training_", "staff"),
    ("spot_check_", "staff"),
    ("evaluation_", "staff"),
    ("pay_sheet", "staff"),
    ("ranking_", "ranking"),
    ("scheme_", "ranking"),
    ("entered_values", "ranking"),
    ("incident_", "incidents"),
    ("inbox", "inbox"),
    ("audit_log", "audit"),
    ("password_change", "me"),
    ("me", "me"),
    ("field_work", "work"),
)
# The field's five tabs, and the menu entries each one holds.
FIELD_TABS = {
    "home": "todo",
    "report": "report",
    "my_cases": "cases",
    "cases": "cases",
    "me": "me",
    "inbox": "me",
}


def menu_entry(url_name: str) -> str:
    return next((entry for prefix, entry in MENU_ENTRIES if url_name.startswith(prefix)), "")


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = menu_entry(match.url_name or "") if match else ""
    return {
        "nav_current": current,
        # Every page of the field that is not one of the four others sits under 走访任务.
        "nav_tab": FIELD_TABS.get(current, "work") if current else "",
        "nav_jurisdiction": jurisdiction_root(user),
        "nav_can_administer": can_administer(user),
        "nav_can_report": can_report(user),
        "nav_can_edit_scoring": can_edit_scoring(user),
        "nav_audit": can_read_audit_log(user),
        # The register and visits: everyone with a jurisdiction but the read-only inspectors
        # (a member finds there only the people they look after).
        "nav_residents": bool(user.role) and user.role != Role.INSPECTOR,
        # Meetings and inspections concern the centres, the police and village staff who sit
        # at the table or fix what an inspection found, and the inspectors; not the field.
        "nav_meetings": bool(user.role) and user.role not in (Role.GRID_WORKER, Role.MEMBER),
        # The field works from a phone's tab bar; the centres and the county from a side menu.
        "nav_field": user.role in FIELD_ROLES,
        # The field's 事件 tab: the village staff triage from the village's list, the others
        # work on what is theirs.
        "nav_cases_url": "case_list" if user.role == Role.VILLAGE_STAFF else "my_cases",
    }
