"""A campaign's results as an Excel workbook: one row per task, in the tree's order, as
campaigns.selectors.campaign_results gives them (the reader's own part only)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import get_column_letter

from campaigns.models import Campaign, CampaignTask
from governance.platform.xlsx import Workbook, bold_row, workbook_bytes

COLUMNS = [
    (gettext_lazy("Township"), 12),
    (gettext_lazy("Village"), 14),
    (gettext_lazy("Grid"), 14),
    (gettext_lazy("Target"), 16),
    (gettext_lazy("Address or note"), 24),
    (gettext_lazy("Assigned to"), 12),
    (gettext_lazy("Status"), 8),
    (gettext_lazy("Result"), 40),
    (gettext_lazy("Done at"), 17),
    (gettext_lazy("Done by"), 12),
    (gettext_lazy("Case No."), 9),
]


def campaign_workbook(campaign: Campaign, tasks: Iterable[CampaignTask]) -> bytes:
    workbook = Workbook(write_only=True)
    # The sheet is named after the campaign: at most 31 characters, none of []:*?/ or backslash.
    name = "".join(c for c in campaign.title if c not in "[]:*?/\\")[:31]
    sheet = workbook.create_sheet(name or _("Results"))
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append(bold_row(sheet, [header for header, _width in COLUMNS]))
    unassigned = _("(the village)")
    for task in tasks:
        sheet.append(
            [
                task.township.name if task.township_id else "",
                task.village.name if task.village_id else "",
                task.area.name,
                task.target.name if task.target_id else "",
                task.target.detail if task.target_id else "",
                task.staff.name if task.staff_id else unassigned,
                task.get_status_display(),
                task.result,
                timezone.localtime(task.done_at).strftime("%Y-%m-%d %H:%M") if task.done_at else "",
                str(task.done_by) if task.done_by_id else "",
                task.case_id or "",
            ]
        )
    return workbook_bytes(workbook)
