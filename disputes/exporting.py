"""The filtered case list as the county's case ledger 事件台账 (openpyxl's streaming writer,
through governance.platform.xlsx): at once when small, else in the background
(exports.answers)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.filters import CaseFilter
from disputes.selectors import cases as selectors
from exports.registry import register
from governance.platform.xlsx import (
    Column,
    Export,
    LedgerWorkbook,
    as_of_today,
    export_filename,
    file_period,
    period_text,
)
from grids.selectors import areas_visible_to

if TYPE_CHECKING:
    from personnel.models import User

EXPORT_LIMIT = 100_000
TITLE = gettext_lazy("Case ledger")


def case_filter(*, user: User, query: QueryDict) -> CaseFilter:
    """The case list's filters, as the page applies them (the request is only its user)."""
    return CaseFilter(
        query or None, queryset=selectors.case_list(user=user), request=SimpleNamespace(user=user)
    )


def area_caption(*, user: User, area_id) -> str:
    """The area a list is of: the one filtered on, else the user's own."""
    if area_id:
        area = areas_visible_to(user).filter(pk=area_id).only("name").first()
        if area is not None:
            return area.name
    return user.area.name if user.area_id else ""


def cases_export(
    *, user: User, query: QueryDict, pk: int | None = None, progress: Callable[[int], None]
) -> Export:
    filterset = case_filter(user=user, query=query)
    cases = filterset.qs
    data = filterset.form.cleaned_data if filterset.form.is_valid() else {}
    since, until = data.get("created_after"), data.get("created_before")
    area = area_caption(user=user, area_id=data.get("area"))
    period = period_text(since, until) if since or until else as_of_today()
    workbook = LedgerWorkbook(title=str(TITLE), user=user, progress=progress)
    ledger = workbook.ledger(
        title=_("%(area)s case ledger") % {"area": area} if area else str(TITLE),
        sheet_title=_("Cases"),
        period=period,
        area=area,
        columns=[
            Column(_("Case No."), 9),
            Column(_("Title"), 36),
            Column(_("Kind"), 12),
            Column(_("Category"), 14),
            Column(_("Severity"), 10),
            Column(_("Civil-to-criminal risk"), 10),
            Column(_("Status"), 10),
            Column(_("Level"), 8),
            Column(_("Township"), 14),
            Column(_("Village"), 14),
            Column(_("Grid"), 14),
            Column(_("Reporter"), 10),
            Column(_("Reported at"), 17),
            Column(_("Deadline"), 17),
            Column(_("Overdue"), 8),
            Column(_("Supervised"), 8),
        ],
    )
    for case in cases.iterator(chunk_size=2000):
        ledger.append(
            [
                case.pk,
                case.title,
                case.get_kind_display(),
                case.category.name,
                case.get_severity_display(),
                case.criminal_risk,
                case.get_status_display(),
                case.get_level_display(),
                case.township.name,
                case.village.name,
                case.grid.name,
                str(case.reporter),
                case.created_at,
                case.deadline,
                case.overdue,
                case.supervised,
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(TITLE, area, file_period(since, until)),
        fallback="cases",
    )


register("cases", cases_export, title=TITLE)
