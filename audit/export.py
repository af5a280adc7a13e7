"""The audit log as an Excel workbook, watermarked like the access log's export: who
exported it, when and why."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ACTION_LABELS, AuditEntry
from audit.services import scrubbed
from governance.platform.xlsx import watermark, watermarked_workbook, workbook_bytes


def values_text(values: dict) -> str:
    return "; ".join(
        f"{key}: {json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value}"
        for key, value in values.items()
    )


def audit_workbook(entries: Iterable[AuditEntry], *, user) -> bytes:
    mark = watermark(user=user, reason=_("review of the audit log"))
    headers = [
        _("No."),
        _("Time"),
        _("Login"),
        _("Action"),
        _("Object type"),
        _("Object number"),
        _("Area"),
        _("Old values"),
        _("New values"),
        _("Hash"),
    ]
    workbook, sheet = watermarked_workbook(
        title=_("Audit log"),
        mark=mark,
        user=user,
        headers=headers,
        widths=[8, 19, 14, 22, 12, 10, 14, 40, 40, 18],
    )
    for entry in entries:
        sheet.append(
            [
                entry.pk,
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                scrubbed(entry.actor_name) or _("(system)"),  # a login once a phone: masked
                str(ACTION_LABELS.get(entry.action, entry.action)),
                entry.object_type,
                entry.object_id,
                entry.area.name if entry.area else "",
                values_text(entry.old_values),
                values_text(entry.new_values),
                entry.hash[:16],
            ]
        )
    return workbook_bytes(workbook)
