"""Excel workbooks of the register of residents of concern and of its access log. Both are
watermarked with who exported them, when and why (first row, printed header and footer,
workbook properties), and the register carries only masked ID numbers and phones: the
minimum a list needs."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.platform.validators import mask_id_number, mask_phone
from governance.platform.xlsx import date_text, watermark, watermarked_workbook, workbook_bytes
from grids.models import Area
from residents.models import Resident, ResidentAccess


def residents_workbook(rows: list[Resident], *, user, reason: str) -> bytes:
    headers = [
        _("Full name"),
        _("ID number (masked)"),
        _("Mobile (masked)"),
        _("Category"),
        _("Risk level"),
        _("Township"),
        _("Village"),
        _("Grid"),
        _("Address"),
        _("Responsible"),
        _("Status"),
        _("Last visited"),
        _("Next visit due"),
    ]
    widths = [10, 21, 14, 16, 8, 14, 14, 14, 30, 10, 10, 12, 12]
    workbook, sheet = watermarked_workbook(
        title=_("Residents of concern"),
        mark=watermark(user=user, reason=reason),
        user=user,
        headers=headers,
        widths=widths,
    )
    # The townships in one query (rows come with their grid and village).
    townships = Area.objects.in_bulk({row.grid.parent.parent_id for row in rows})
    for row in rows:
        village = row.grid.parent
        township = townships.get(village.parent_id)
        sheet.append(
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
                date_text(row.last_visited_on),
                date_text(row.next_visit_due),
            ]
        )
    return workbook_bytes(workbook)


def access_log_workbook(entries: Iterable[ResidentAccess], *, user, reason: str) -> bytes:
    headers = [
        _("Time"),
        _("Who"),
        _("Login"),
        _("Role"),
        _("Action"),
        _("Resident"),
        _("Grid"),
        _("Purpose"),
        _("Refused"),
    ]
    widths = [17, 10, 14, 14, 18, 10, 14, 40, 8]
    workbook, sheet = watermarked_workbook(
        title=_("Access log"),
        mark=watermark(user=user, reason=reason),
        user=user,
        headers=headers,
        widths=widths,
    )
    yes = _("Yes")
    for entry in entries:
        actor, resident = entry.actor, entry.resident
        sheet.append(
            [
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                str(actor),
                actor.username,
                actor.get_role_display(),
                entry.get_action_display(),
                resident.name if resident else "",
                resident.grid.name if resident else "",
                entry.reason,
                yes if entry.denied else "",
            ]
        )
    return workbook_bytes(workbook)
