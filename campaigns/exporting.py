"""A campaign's results as a ledger workbook (governance.platform.xlsx): one row per task, in
the tree's order, as campaigns.selectors.campaign_results gives them (the reader's own part
only); a county-wide campaign's 12,000 tasks are written in the background
(exports.answers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import selectors
from campaigns.models import Campaign
from exports.registry import register
from governance.platform.xlsx import Column, Export, LedgerWorkbook, export_filename, period_text
from grids.jurisdiction import can_organise

if TYPE_CHECKING:
    from personnel.models import User

TITLE = gettext_lazy("Campaign results")
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


def campaign_for_export(*, user: User, pk: int | None) -> Campaign:
    campaign = selectors.campaign_for(user=user, pk=pk) if pk else None
    if campaign is None:
        raise Http404
    if not can_organise(user):
        raise PermissionDenied(_("The results are exported by the centres."))
    return campaign


def campaign_export(
    *, user: User, query: QueryDict, pk: int | None, progress: Callable[[int], None]
) -> Export:
    campaign = campaign_for_export(user=user, pk=pk)
    tasks = selectors.campaign_results(campaign=campaign, user=user)
    period = period_text(
        timezone.localdate(campaign.starts_at), timezone.localdate(campaign.deadline)
    )
    workbook = LedgerWorkbook(title=campaign.title, user=user, progress=progress)
    ledger = workbook.ledger(
        title=_("%(campaign)s: results") % {"campaign": campaign.title},
        sheet_title=campaign.title or str(TITLE),
        period=period,
        area=campaign.area.name,
        columns=[Column(str(header), width) for header, width in COLUMNS],
    )
    unassigned = _("(the village)")
    for task in tasks.iterator(chunk_size=2000):
        ledger.append(
            [
                task.township.name if task.township_id else "",
                task.village.name if task.village_id else "",
                task.area.name,
                task.target.name if task.target_id else "",
                task.target.detail if task.target_id else "",
                task.staff.name if task.staff_id else unassigned,
                task.get_status_display(),
                task.result,
                task.done_at,
                str(task.done_by) if task.done_by_id else "",
                task.case_id,
            ]
        )
    return Export(
        content=workbook.content(),
        filename=export_filename(campaign.title, TITLE, campaign.area.name),
        fallback=f"campaign-{campaign.pk}",
    )


register("campaign", campaign_export, title=TITLE)
