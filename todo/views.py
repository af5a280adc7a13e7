"""The home page: the user's to-do 待办, every item one tap from its action and every count
one tap from the full list it counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import OPEN_STATUSES, CaseStatus
from disputes.selectors.todo import TODO_NAMES
from governance.platform.roles import Role
from grids.jurisdiction import COUNTY_ROLES, jurisdiction_root, sees_everything
from grids.models import AreaLevel
from todo.selectors import todo_for

# Each section's title, what the empty section says, and the full list it counts.
SECTIONS = {
    "triage": (_("Awaiting analysis"), _("No report is waiting for analysis.")),
    "assign": (_("Awaiting assignment"), _("Every accepted case has been assigned.")),
    "handling": (_("Lines being handled"), _("No line is being handled.")),
    "to_close": (
        _("All lines resolved, awaiting closure"),
        _("No case is waiting to be closed."),
    ),
    "due_soon": (_("Due soon"), _("No case is near its deadline.")),
    "overdue": (_("Overdue"), _("No case is overdue.")),
    "supervised": (_("Supervised"), _("No case is under supervision.")),
    "my_cases": (_("My cases to handle"), _("No case is assigned to you.")),
    "visits": (_("My visits due"), _("No visit is due this week.")),
    "tasks": (_("My campaign tasks"), _("No campaign task is open.")),
    "instructions": (_("Unread instructions"), _("Every instruction has been read.")),
    "rankings": (_("Rankings to review"), _("No ranking is waiting for review.")),
}
# The county's own overdue list is its county-level cases' (the lower levels' are the
# townships' to do).
COUNTY_TITLES = {"overdue": _("Overdue at county level")}
DASHBOARD_ROLES = frozenset({*COUNTY_ROLES, Role.TOWNSHIP_CENTRE})


def list_url(name: str) -> str:
    """The full list a section counts."""
    if name in TODO_NAMES:
        return f"{reverse('case_list')}?{urlencode({'todo': name, 'ordering': 'deadline'})}"
    return {
        "my_cases": f"{reverse('my_cases')}?tab=handling",
        "visits": reverse("my_visits"),
        "tasks": reverse("my_tasks"),
        "instructions": f"{reverse('instruction_list')}?unread=1",
        "rankings": reverse("ranking_list"),
    }[name]


def township_urls(township_id: int) -> dict[str, str]:
    """The case list filtered as each figure of a township's row is counted."""
    opened = [("status", status) for status in OPEN_STATUSES]
    base = reverse("case_list")
    area = [("area", township_id)]
    return {
        "open": f"{base}?{urlencode(area + opened)}",
        "reported": f"{base}?{urlencode([*area, ('status', CaseStatus.REPORTED)])}",
        "supervised": f"{base}?{urlencode([*area, *opened, ('supervised', 'true')])}",
    }


@login_required
def todo_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    todo = todo_for(user=user)
    root = jurisdiction_root(user)
    county = user.role in COUNTY_ROLES or sees_everything(user)
    sections = []
    for section in todo.sections:
        title, empty = SECTIONS[section.name]
        if county:
            title = COUNTY_TITLES.get(section.name, title)
        sections.append(
            {"section": section, "title": title, "empty": empty, "url": list_url(section.name)}
        )
    # The lists with work first, each group in the order of the loop.
    sections.sort(key=lambda entry: not entry["section"].count)
    return render(
        request,
        "todo/home.html",
        {
            "sections": sections,
            "total": todo.total,
            "townships": [(row, township_urls(row.id)) for row in todo.townships],
            "now": todo.now,
            "today": timezone.localdate(),
            "jurisdiction": root,
            # Below a township every case is in the user's own village: its grid says where.
            "show_village": root is None or root.level not in (AreaLevel.VILLAGE, AreaLevel.GRID),
            "no_jurisdiction": user.area_id is None and not sees_everything(user),
            "dashboard": user.is_superuser or user.role in DASHBOARD_ROLES,
        },
    )
