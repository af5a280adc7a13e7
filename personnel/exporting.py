"""The roster 花名册 and the coverage report as workbooks of the county's ledger layout
(governance.platform.xlsx). ID and phone numbers leave the system masked, as on the pages.
The roster is written in the background when it is long (exports.answers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports.registry import register
from governance.platform.validators import mask_id_number, mask_phone
from governance.platform.xlsx import (
    Column,
    Export,
    LedgerWorkbook,
    as_of_today,
    export_filename,
    file_period,
)
from grids.models import Area
from grids.selectors import area_for
from personnel import selectors
from personnel.forms.staff import RosterFilterForm
from personnel.models import Staff
from personnel.services.coverage import Gap, Rate

if TYPE_CHECKING:
    from personnel.models import User

EXPORT_LIMIT = 100_000
ROSTER = gettext_lazy("Roster")
COVERAGE = gettext_lazy("Staffing coverage")


@dataclass
class Roster:
    form: RosterFilterForm
    staff: QuerySet[Staff]
    area: Area | None = None


def roster_filtered(*, user: User, query: QueryDict) -> Roster:
    """The filtered roster, shared by the page and its export so that both agree."""
    form = RosterFilterForm(query or None, user=user)
    nothing = selectors.staff_visible_to(user).none()
    if form.is_bound and not form.is_valid():
        return Roster(form, nothing)
    data = form.cleaned_data if form.is_bound else {}
    area = None
    if data.get("area"):
        area = area_for(user=user, pk=data["area"])
        if area is None:
            return Roster(form, nothing)
    staff = selectors.staff_list(
        user=user,
        query=data.get("q", "").strip(),
        area=area,
        kind=data.get("kind", ""),
        member_type=data.get("member_type", ""),
        active={"active": True, "ended": False}.get(data.get("state", "")),
    )
    return Roster(form, staff, area)


def roster_export(
    *, user: User, query: QueryDict, pk: int | None = None, progress: Callable[[int], None]
) -> Export:
    """One row per person (open posts prefetched by personnel.selectors.staff_list)."""
    roster = roster_filtered(user=user, query=query)
    area = roster.area.name if roster.area else (user.area.name if user.area_id else "")
    workbook = LedgerWorkbook(title=str(ROSTER), user=user, progress=progress)
    ledger = workbook.ledger(
        title=_("%(area)s roster") % {"area": area} if area else str(ROSTER),
        period=as_of_today(),
        area=area,
        columns=[
            Column(_("Full name"), 10),
            Column(_("Gender"), 6),
            Column(_("Mobile"), 14),
            Column(_("ID number"), 22),
            Column(_("Employer / unit"), 20),
            Column(_("Managed by"), 16),
            Column(_("Division code"), 15),
            Column(_("Open posts"), 48),
            Column(_("Login"), 8),
        ],
    )
    for person in roster.staff.iterator(chunk_size=2000):
        posts = "; ".join(f"{post.label} · {post.area.name}" for post in person.open_posts)
        ledger.append(
            [
                person.name,
                person.get_gender_display(),
                mask_phone(person.phone),
                mask_id_number(person.id_number),
                person.employer,
                person.area.name,
                person.area.code,
                posts,
                bool(person.user_id),
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(ROSTER, area, file_period()),
        fallback="roster",
    )


def coverage_export(*, user: User, root: Area, gaps: list[Gap], rates: list[Rate]) -> Export:
    workbook = LedgerWorkbook(title=str(COVERAGE), user=user)
    ledger = workbook.ledger(
        title=_("%(area)s staffing gaps") % {"area": root.name},
        sheet_title=_("Gaps"),
        period=as_of_today(),
        area=root.name,
        columns=[
            Column(_("Township / street"), 16),
            Column(_("Village / community"), 16),
            Column(_("Area"), 16),
            Column(_("Division code"), 20),
            Column(_("Missing post"), 30),
            Column(_("Missing"), 8),
            Column(_("Vacant since"), 14),
        ],
    )
    never = _("Never filled")
    for gap in gaps:
        ledger.append(
            [
                gap.township_name,
                gap.village_name,
                gap.area_name,
                gap.area_code,
                gap.post_label,
                gap.missing,
                gap.since or never,
            ]
        )
    ledger = workbook.ledger(
        title=_("%(area)s staffing coverage") % {"area": root.name},
        sheet_title=_("Rates"),
        period=as_of_today(),
        area=root.name,
        columns=[
            Column(_("Township / street"), 16),
            Column(_("Division code"), 15),
            Column(_("Posts required"), 10),
            Column(_("Posts filled"), 10),
            Column(_("Gaps"), 8),
            Column(_("Coverage (%)"), 10),
        ],
    )
    for rate in rates:
        ledger.append([rate.name, rate.code, rate.required, rate.filled, rate.gaps, rate.rate])
    return Export(
        content=workbook.content(),
        filename=export_filename(COVERAGE, root.name, file_period()),
        fallback=f"coverage-{root.code}",
    )


register("roster", roster_export, title=ROSTER)
