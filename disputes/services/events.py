"""What every transition does besides changing the case: a timeline event, and a
notification to the people concerned (sent after commit)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from audit.services import audit_record
from disputes.models import (
    Case,
    CaseEvent,
)
from disputes.selectors.figures import event_flags
from disputes.services import notices
from notifications.services import notify
from personnel.models import User


def record_event(
    case: Case,
    *,
    actor: User,
    action: str,
    from_status: str,
    note: str = "",
    data: dict | None = None,
    before: dict | None = None,
) -> CaseEvent:
    """The timeline event, and its audit entry in the same transaction (`before`: what else
    the step changed, as it was); an escalation also flags the case for the figures."""
    if flags := event_flags(action, case.level):
        Case.objects.filter(pk=case.pk).update(**flags)
        for name, value in flags.items():
            setattr(case, name, value)
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=case.status,
        level=case.level,
        note=note,
        data=data or {},
    )
    audit_record(
        action=f"case.{action}",
        actor=actor,
        obj=case,
        area_id=case.grid_id,
        old={"status": from_status, **(before or {})},
        new={"status": case.status, "level": case.level, "note": note, **(data or {})},
    )
    return event


def notify_case(
    case: Case, *, kind: str, recipients: Iterable, actor: User, text: Callable[[Case], str]
) -> None:
    """Tell the people concerned, but not the one who acted; sent after commit."""
    with notices.site_language():
        notify(
            recipients=[user for user in recipients if user.pk != actor.pk],
            kind=kind,
            case=case,
            text=text(case),
        )
