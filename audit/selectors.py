"""Reading the audit log: the county's administrators search their county's entries,
through the one scoping selector."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from grids.jurisdiction import can_read_audit_log, scope

if TYPE_CHECKING:
    from personnel.models import User


def audit_entries(
    *,
    user: User,
    actor_query: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """Newest first. `action` is one action ("case.escalate") or a family ("case.")."""
    if not can_read_audit_log(user):
        return AuditEntry.objects.none()
    entries = scope(user, AuditEntry.objects.all(), via="area").select_related("actor", "area")
    if actor_query:
        entries = entries.filter(
            Q(actor_name__icontains=actor_query)
            | Q(actor__first_name__icontains=actor_query)
            | Q(actor__last_name__icontains=actor_query)
        )
    if action.endswith("."):
        entries = entries.filter(action__startswith=action)
    elif action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    # Local days as ranges of the indexed time column.
    if since:
        entries = entries.filter(created_at__gte=_day_start(since))
    if until:
        entries = entries.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return entries.order_by("-created_at", "-id")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
