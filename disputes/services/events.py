"""What every transition does besides changing the case: a timeline event, and a
notification to the people concerned (sent after commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from disputes import notices
from disputes.models import (
    Case,
    CaseEvent,
)
from notifications.services import notify


def record_event(
    case: Case, *, actor, action: str, from_status: str, note: str = "", data: dict | None = None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=case.status,
        level=case.level,
        note=note,
        data=data or {},
    )


def notify_case(
    case: Case, *, kind: str, recipients: Iterable, actor, text: Callable[[Case], str]
) -> None:
    """Tell the people concerned, but not the one who acted; sent after commit."""
    with notices.site_language():
        notify(
            recipients=[user for user in recipients if user.pk != actor.pk],
            kind=kind,
            case=case,
            text=text(case),
        )
