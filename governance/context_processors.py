from governance.jurisdiction import (
    can_administer,
    can_edit_scoring,
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
    }
