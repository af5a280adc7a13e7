"""One mark for a deadline wherever it shows (cases, lines, visits, tasks): "超期 N 天" in red
once past, "剩余 N 小时" (or N 天) in amber inside the warning window, else the plain date."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import template
from django.utils import timezone

from disputes.services.config import WARN_SHARE

register = template.Library()

# Without a warning time of its own (a line, a task), a deadline warns this long before it.
DEFAULT_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class DeadlineMark:
    state: str  # "overdue", "soon", "plain" or "none"
    when: datetime | date | None
    days: int = 0
    hours: int = 0
    is_date: bool = False


def deadline_state(
    when: datetime | date | None,
    *,
    now: datetime | None = None,
    warn_at: datetime | None = None,
    start: datetime | None = None,
    window: timedelta | None = None,
    done: bool = False,
) -> DeadlineMark:
    """The mark of a deadline: past it, inside its warning window (from `warn_at`, else the
    cases' share of the time from `start`, else `window`), or neither. A finished item keeps
    its plain date."""
    if when is None:
        return DeadlineMark("none", None)
    now = now or timezone.now()
    if not isinstance(when, datetime):  # a day, such as a visit's due date
        today = timezone.localdate(now)
        days = (when - today).days
        if done:
            return DeadlineMark("plain", when, is_date=True)
        if days < 0:
            return DeadlineMark("overdue", when, days=-days, is_date=True)
        limit = (window or DEFAULT_WINDOW).days
        return DeadlineMark("soon" if days <= limit else "plain", when, days=days, is_date=True)
    if done:
        return DeadlineMark("plain", when)
    if when <= now:
        late = now - when
        return DeadlineMark("overdue", when, days=late.days, hours=max(1, late.seconds // 3600))
    if warn_at is None and start is not None and start < when:
        warn_at = start + (when - start) * WARN_SHARE
    if warn_at is None:
        warn_at = when - (window or DEFAULT_WINDOW)
    if now < warn_at:
        return DeadlineMark("plain", when)
    left = when - now
    hours = math.ceil(left.total_seconds() / 3600)
    return DeadlineMark("soon", when, days=left.days if hours > 24 else 0, hours=hours)


@register.inclusion_tag("_deadline.html")
def deadline(
    when,
    warn_at=None,
    start=None,
    window_hours=None,
    window_days=None,
    done=False,
    open=None,
    format="Y-m-d H:i",
):
    """{% deadline case.deadline warn_at=case.warn_at open=case.is_open %}; a finished item
    (`done` truthy, or `open` false) shows its plain date."""
    done = bool(done) or (open is not None and not open)
    window = None
    if window_hours is not None:
        window = timedelta(hours=window_hours)
    elif window_days is not None:
        window = timedelta(days=window_days)
    mark = deadline_state(when, warn_at=warn_at, start=start, window=window, done=done)
    return {"mark": mark, "format": "Y-m-d" if mark.is_date else format}
