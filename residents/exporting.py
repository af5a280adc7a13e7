"""Workbooks of the register of residents of concern and of its access log, in the county's
ledger layout (governance.platform.xlsx). Both are watermarked with who exported them, when
and why (a row above the table, the printed header and footer, the workbook's properties),
and the register carries only masked ID numbers and phones: the minimum a list needs. A long
access log is written in the background (exports.answers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
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
    period_text,
    watermark,
)
from grids.jurisdiction import can_read_access_log
from grids.models import Area
from residents import selectors as access
from residents.forms.residents import AccessLogFilterForm
from residents.models import Resident

if TYPE_CHECKING:
    from personnel.models import User

REGISTER = gettext_lazy("Residents of concern")
ACCESS_LOG = gettext_lazy("Access log")


def _area(user: User) -> str:
    return user.area.name if user.area_id else ""


def residents_export(rows: list[Resident], *, user: User, reason: str) -> Export:
    area = _area(user)
    mark = watermark(user=user, reason=reason)
    workbook = LedgerWorkbook(title=str(REGISTER), user=user, mark=mark)
    ledger = workbook.ledger(
        title=_("%(area)s register of residents of concern") % {"area": area}
        if area
        else str(REGISTER),
        period=as_of_today(),
        area=area,
        mark=mark,
        columns=[
            Column(_("Full name"), 10),
            Column(_("ID number (masked)"), 21),
            Column(_("Mobile (masked)"), 14),
            Column(_("Category"), 16),
            Column(_("Risk level"), 8),
            Column(_("Township"), 14),
            Column(_("Village"), 14),
            Column(_("Grid"), 14),
            Column(_("Address"), 30),
            Column(_("Responsible"), 10),
            Column(_("Status"), 10),
            Column(_("Last visited"), 12),
            Column(_("Next visit due"), 12),
        ],
    )
    # The townships in one query (rows come with their grid and village).
    townships = Area.objects.in_bulk({row.grid.parent.parent_id for row in rows})
    for row in rows:
        village = row.grid.parent
        township = townships.get(village.parent_id)
        ledger.append(
            [
                row.name,
                mask_id_number(row.id_number),
                mask_phone(row.phone),
                row.get_category_display(),
                row.get_risk_display(),
                township.name if township else "",
                village.name,
                row.grid.name,
                row.address,
                row.responsible.name if row.responsible else "",
                row.get_status_display(),
                row.last_visited_on,
                row.next_visit_due,
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(REGISTER, area, file_period()),
        fallback="residents",
    )


def access_log_entries(*, user: User, query: QueryDict):
    if not can_read_access_log(user):
        raise PermissionDenied(_("The access log is read by the committee's administrators."))
    form = AccessLogFilterForm(query)
    form.is_valid()
    return form, access.access_log(user=user, **form.query())


def access_log_export(
    *, user: User, query: QueryDict, pk: int | None = None, progress: Callable[[int], None]
) -> Export:
    form, entries = access_log_entries(user=user, query=query)
    filters = form.query()
    since, until = filters.get("since"), filters.get("until")
    area = _area(user)
    mark = watermark(user=user, reason=_("review of the access log"))
    workbook = LedgerWorkbook(title=str(ACCESS_LOG), user=user, mark=mark, progress=progress)
    ledger = workbook.ledger(
        title=_("%(area)s access log of residents' personal data") % {"area": area}
        if area
        else str(ACCESS_LOG),
        period=period_text(since, until),
        area=area,
        mark=mark,
        columns=[
            Column(_("Time"), 17),
            Column(_("Who"), 10),
            Column(_("Role"), 14),
            Column(_("Action"), 18),
            Column(_("Resident"), 10),
            Column(_("Grid"), 14),
            Column(_("Purpose"), 40),
            Column(_("Refused"), 8),
        ],
    )
    for entry in entries.iterator(chunk_size=2000):
        actor, resident = entry.actor, entry.resident
        ledger.append(
            [
                entry.created_at,
                str(actor),
                actor.get_role_display(),
                entry.get_action_display(),
                resident.name if resident else "",
                resident.grid.name if resident else "",
                entry.reason,
                entry.denied,
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(ACCESS_LOG, area, file_period(since, until)),
        fallback="access-log",
    )


register("access_log", access_log_export, title=ACCESS_LOG)
