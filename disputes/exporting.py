"""The filtered case list as an Excel workbook (openpyxl's streaming writer)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import Case
from governance.platform.xlsx import Workbook, bold_row, workbook_bytes

EXPORT_LIMIT = 100_000


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def cases_workbook(cases: Iterable[Case]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))
    headers = [
        _("No."),
        _("Title"),
        _("Kind"),
        _("Category"),
        _("Severity"),
        _("Civil-to-criminal risk"),
        _("Status"),
        _("Level"),
        _("Township"),
        _("Village"),
        _("Grid"),
        _("Reporter"),
        _("Reported at"),
        _("Deadline"),
        _("Overdue"),
        _("Supervised"),
    ]
    widths = [8, 36, 12, 14, 10, 10, 10, 8, 14, 14, 14, 10, 17, 17, 8, 8]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append(bold_row(sheet, headers))
    yes, no = _("Yes"), ""
    for case in cases:
        sheet.append(
            [
                case.pk,
                case.title,
                case.get_kind_display(),
                case.category.name,
                case.get_severity_display(),
                yes if case.criminal_risk else no,
                case.get_status_display(),
                case.get_level_display(),
                case.township.name,
                case.village.name,
                case.grid.name,
                str(case.reporter),
                _local(case.created_at),
                _local(case.deadline),
                yes if case.overdue else no,
                yes if case.supervised else no,
            ]
        )
    return workbook_bytes(workbook)
