from governance.platform.roles import Role
from grids.jurisdiction import (
    can_administer,
    can_edit_scoring,
    can_read_audit_log,
    can_report,
    jurisdiction_root,
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
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
    }
