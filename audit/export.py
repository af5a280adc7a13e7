"""The audit log as a ledger workbook (governance.platform.xlsx), in the words of its page
(audit.wording), watermarked like the access log's export: who exported it, when and why. A
long log is written in the background (exports.answers)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from audit.selectors import audit_entries
from audit.wording import describe
from exports.registry import register
from governance.platform.xlsx import (
    Column,
    Export,
    LedgerWorkbook,
    export_filename,
    file_period,
    period_text,
    watermark,
)
from grids.jurisdiction import can_read_audit_log

if TYPE_CHECKING:
    from personnel.models import User

TITLE = gettext_lazy("Audit log")
BATCH = 2000


def audit_filtered(*, user: User, query: QueryDict) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    if not can_read_audit_log(user):
        raise PermissionDenied(_("The audit log is read by the county's administrators."))
    form = AuditFilterForm(query)
    form.is_valid()
    return form, audit_entries(user=user, **form.query())


def audit_log_export(
    *, user: User, query: QueryDict, pk: int | None = None, progress: Callable[[int], None]
) -> Export:
    form, entries = audit_filtered(user=user, query=query)
    filters = form.query()
    since, until = filters["since"], filters["until"]
    area = user.area.name if user.area_id else ""
    mark = watermark(user=user, reason=_("review of the audit log"))
    workbook = LedgerWorkbook(title=str(TITLE), user=user, mark=mark, progress=progress)
    ledger = workbook.ledger(
        title=_("%(area)s audit log") % {"area": area} if area else str(TITLE),
        period=period_text(since, until),
        area=area,
        mark=mark,
        columns=[
            Column(_("Entry No."), 9),
            Column(_("Time"), 17),
            Column(_("Who"), 10),
            Column(_("Login"), 14),
            Column(_("Role"), 14),
            Column(_("Action"), 20),
            Column(_("Object"), 16),
            Column(_("Area"), 14),
            Column(_("Changes"), 60),
            Column(_("Hash"), 18),
        ],
    )
    rows = entries.iterator(chunk_size=BATCH)
    while batch := list(islice(rows, BATCH)):
        for line in describe(batch):
            entry = line.entry
            ledger.append(
                [
                    entry.pk,
                    entry.created_at,
                    line.who,
                    line.login,
                    line.role,
                    line.action,
                    line.object_text,
                    entry.area.name if entry.area else "",
                    line.changes_text(),
                    entry.hash[:16],
                ]
            )
    return Export(
        content=workbook.content(),
        filename=export_filename(TITLE, area, file_period(since, until)),
        fallback="audit-log",
    )


register("audit_log", audit_log_export, title=TITLE)
