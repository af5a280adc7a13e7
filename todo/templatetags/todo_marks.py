"""How near a deadline is, in the words the to-do shows: "超期 N 天" in red once past it,
"剩余 N 小时" in amber inside the warning window (临期预警), the date otherwise."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.translation import ngettext

register = template.Library()

HOUR = 3600


@register.simple_tag
def deadline_mark(deadline: datetime | None, warn_at: datetime | None, now: datetime) -> dict:
    if deadline is None:
        return {"kind": "", "text": ""}
    seconds = (deadline - now).total_seconds()
    if seconds < 0:
        hours = int(-seconds // HOUR)
        if hours < 24:
            text = ngettext(
                "Overdue by %(count)d hour", "Overdue by %(count)d hours", max(hours, 1)
            ) % {"count": max(hours, 1)}
        else:
            text = ngettext(
                "Overdue by %(count)d day", "Overdue by %(count)d days", hours // 24
            ) % {"count": hours // 24}
        return {"kind": "overdue", "text": text}
    hours = int(seconds // HOUR)
    if hours < 48:
        text = ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
    else:
        text = ngettext("%(count)d day left", "%(count)d days left", hours // 24) % {
            "count": hours // 24
        }
    soon = warn_at is not None and warn_at <= now
    return {"kind": "soon" if soon else "", "text": text}


@register.simple_tag
def days_overdue(due, today) -> int:
    return (today - due).days
