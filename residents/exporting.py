"""Excel workbooks of the register of residents of concern and of its access log. Both are
watermarked with who exported them, when and why (first row, printed header and footer,
workbook properties), and the register carries only masked ID numbers and phones: the
minimum a list needs."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from governance.platform.validators import mask_id_number, mask_phone
from governance.platform.xlsx import Workbook, bold_row, styled, workbook_bytes
from grids.models import Area
from residents.models import Resident, ResidentAccess

HEADER_FOOTER_MAX = 250  # Excel refuses a printed header or footer past 255 characters


def watermark(*, user, reason: str) -> str:
    return _(
        "Exported by %(name)s (%(username)s) at %(time)s for: %(reason)s — for official use "
        "only, do not pass on"
    ) % {
        "name": str(user),
        "username": user.username,
        "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "reason": reason,
    }


def _date(value) -> str:
    return value.isoformat() if value else ""


def watermarked_workbook(*, title: str, mark: str, user, headers: list[str], widths: list[int]):
    workbook = Workbook(write_only=True)
    workbook.properties.creator = user.username
    workbook.properties.title = title
    workbook.properties.description = mark
    sheet = workbook.create_sheet(title)
    printed = mark if len(mark) <= HEADER_FOOTER_MAX else mark[: HEADER_FOOTER_MAX - 1] + "…"
    printed = printed.replace("&", "&&")  # & starts a control code in headers and footers
    sheet.oddHeader.center.text = printed
    sheet.oddFooter.center.text = printed
    sheet.oddFooter.right.text = "&P / &N"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([styled(sheet, mark, font=Font(bold=True, color="B42318"))])
    sheet.append([])
    sheet.append(bold_row(sheet, headers))
    return workbook, sheet


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
                _date(row.last_visited_on),
                _date(row.next_visit_due),
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
