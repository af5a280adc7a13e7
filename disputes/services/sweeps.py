"""Periodic work over cases, set-based: a batch of rows is claimed with row locks (others
skip them) and moved with a few UPDATEs, never a loop of saves. Safe to run twice and from
two workers at once: each case is escalated at most once per level, and warned at most
once per level. The people concerned are found for a whole batch with a query or two and
notified in bulk, with one delivery task per batch; someone concerned by several cases of
a batch gets one message counting them, linked to the list of such cases."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from audit.services import AuditInput, audit_record_many
from disputes.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Case,
    CaseAction,
    CaseEvent,
    CaseLevel,
    CaseStatus,
)
from disputes.selectors.cases import (
    cases_active_handlers,
    cases_centre_staff,
    cases_supervisors,
)
from disputes.selectors.figures import event_flags
from disputes.services import LEVEL_ABOVE, notices
from disputes.services.config import WARN_SHARE, deadline_hours_for
from notifications.models import NotificationKind
from notifications.services import Digest, Notice, notify_many

BATCH_SIZE = 5000
# 督办临期: how long before a supervision deadline its handlers and supervisor are told.
SUPERVISION_WARN_BEFORE = timedelta(hours=24)


def case_list_link(**filters: str) -> str:
    """The case list of open cases filtered so (where a sweep's grouped message leads)."""
    query = {"status": [str(status) for status in OPEN_STATUSES], **filters}
    return f"{reverse('case_list')}?{urlencode(query, doseq=True)}"


# Each sweep's message to a person with several cases in one batch, and where it leads.
DIGESTS = {
    NotificationKind.ESCALATED: lambda: Digest(
        text=notices.escalated_several, link=case_list_link(escalated_overdue="true")
    ),
    NotificationKind.OVERDUE: lambda: Digest(
        text=notices.overdue_several, link=case_list_link(overdue="true")
    ),
    NotificationKind.DEADLINE_WARNING: lambda: Digest(
        text=notices.deadline_warning_several, link=case_list_link(deadline_warned="true")
    ),
    NotificationKind.SUPERVISION_DUE: lambda: Digest(
        text=notices.supervision_due_several, link=case_list_link(supervised="true")
    ),
    NotificationKind.SUPERVISION_OVERDUE: lambda: Digest(
        text=notices.supervision_overdue_several, link=case_list_link(supervised="true")
    ),
}


def escalate_overdue(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Move every open case past its deadline one level up; flag overdue county cases."""
    now = now or timezone.now()
    counts = {"escalated": 0, "flagged": 0}
    for level, above in LEVEL_ABOVE.items():
        while claimed := _escalate_batch(level, above, now, batch_size):
            counts["escalated"] += claimed
    while claimed := _flag_county_batch(now, batch_size):
        counts["flagged"] += claimed
    return counts


def _claim(queryset, batch_size: int) -> list[tuple]:
    return list(
        queryset.select_for_update(skip_locked=True)
        .order_by("deadline")
        .values_list("id", "status", "county_id", "category_id", "severity")[:batch_size]
    )


@transaction.atomic
def _escalate_batch(level: str, above: str, now: datetime, batch_size: int) -> int:
    rows = _claim(
        Case.objects.filter(status__in=OPEN_STATUSES, level=level, deadline__lt=now), batch_size
    )
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    # The events first, while the cases still hold the status they leave.
    _record_system_events(
        ids,
        action=CaseAction.ESCALATE_OVERDUE,
        level=above,
        now=now,
        to_status=CaseStatus.REPORTED,
        data={"from_level": level},
    )
    # The level above gives each (county, category, severity) its hours by the county's
    # own rules (one query for them all); one UPDATE per distinct number of hours, usually
    # a handful.
    hours = deadline_hours_for(keys={row[2:] for row in rows}, level=above)
    by_hours: dict[int, list[int]] = {}
    for case_id, _status, *key in rows:
        by_hours.setdefault(hours[tuple(key)], []).append(case_id)
    for count, case_ids in by_hours.items():
        Case.objects.filter(id__in=case_ids, level=level).update(
            level=above,
            status=CaseStatus.REPORTED,
            deadline=now + timedelta(hours=count),
            warn_at=now + timedelta(hours=count * WARN_SHARE),
            deadline_warned=False,
            updated_at=now,
            **event_flags(CaseAction.ESCALATE_OVERDUE, above),
        )
    # Their handlers hear that the case left them, with the new level's centre.
    handlers = cases_active_handlers(case_ids=ids)
    Assignment.objects.filter(case_id__in=ids, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.CANCELLED, finished_at=now, cancelled_overdue=True
    )
    cases = _reloaded(ids)
    _audit_batch(rows, cases, action=CaseAction.ESCALATE_OVERDUE, old={"level": level})
    centres = cases_centre_staff(cases=cases)
    _notify_batch(
        cases,
        {pk: centres.get(pk, []) + handlers.get(pk, []) for pk in ids},
        kind=NotificationKind.ESCALATED,
        text=notices.escalated_overdue,
    )
    return len(ids)


@transaction.atomic
def _flag_county_batch(now: datetime, batch_size: int) -> int:
    rows = _claim(
        Case.objects.filter(
            status__in=OPEN_STATUSES, level=CaseLevel.COUNTY, deadline__lt=now, overdue=False
        ),
        batch_size,
    )
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    Case.objects.filter(id__in=ids).update(
        overdue=True, updated_at=now, **event_flags(CaseAction.FLAG_OVERDUE, CaseLevel.COUNTY)
    )
    _record_system_events(ids, action=CaseAction.FLAG_OVERDUE, level=CaseLevel.COUNTY, now=now)
    cases = _reloaded(ids)
    _audit_batch(
        rows, cases, action=CaseAction.FLAG_OVERDUE, old={"overdue": False}, new={"overdue": True}
    )
    _notify_batch(
        cases, cases_centre_staff(cases=cases), kind=NotificationKind.OVERDUE, text=notices.overdue
    )
    return len(ids)


def warn_deadlines(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """临期预警: tell the handlers of every open case past 75 % of its time at its level,
    once per case and level (escalation resets the flag); returns how many were warned."""
    now = now or timezone.now()
    warned = 0
    for level in CaseLevel.values:
        while claimed := _warn_batch(level, now, batch_size):
            warned += claimed
    return warned


@transaction.atomic
def _warn_batch(level: str, now: datetime, batch_size: int) -> int:
    rows = _claim(
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            level=level,
            warn_at__lte=now,
            deadline__gt=now,
            deadline_warned=False,
        ),
        batch_size,
    )
    if not rows:
        return 0
    ids = [row[0] for row in rows]
    Case.objects.filter(id__in=ids).update(deadline_warned=True, updated_at=now)
    _record_system_events(ids, action=CaseAction.DEADLINE_WARNING, level=level, now=now)
    cases = _reloaded(ids)
    # The active handlers; a case nobody handles yet warns its level's centre instead.
    recipients = cases_active_handlers(case_ids=ids)
    unhandled = [case for case in cases if not recipients.get(case.pk)]
    recipients.update(cases_centre_staff(cases=unhandled))
    _notify_batch(
        cases, recipients, kind=NotificationKind.DEADLINE_WARNING, text=notices.deadline_warning
    )
    return len(ids)


def warn_supervision(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """督办临期/超期: tell the handlers (the centre, while nobody handles the case) and the
    supervisor of every open supervised case whose supervision deadline is near, and again
    once it has passed; once each per supervision (case_supervise starts afresh). Returns
    how many cases were told of."""
    now = now or timezone.now()
    told = 0
    for stage in ("passed", "near"):
        while claimed := _supervision_batch(stage, now, batch_size):
            told += claimed
    return told


@transaction.atomic
def _supervision_batch(stage: str, now: datetime, batch_size: int) -> int:
    supervised = Case.objects.filter(status__in=OPEN_STATUSES, supervised=True)
    if stage == "passed":
        due = supervised.filter(supervision_deadline__lt=now).exclude(supervision_told="passed")
        kind, text = NotificationKind.SUPERVISION_OVERDUE, notices.supervision_overdue
    else:
        due = supervised.filter(
            supervision_deadline__gte=now,
            supervision_deadline__lt=now + SUPERVISION_WARN_BEFORE,
            supervision_told="",
        )
        kind, text = NotificationKind.SUPERVISION_DUE, notices.supervision_due
    ids = list(
        due.select_for_update(skip_locked=True)
        .order_by("supervision_deadline", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    Case.objects.filter(id__in=ids).update(supervision_told=stage)
    cases = _reloaded(ids)
    recipients = cases_active_handlers(case_ids=ids)
    unhandled = [case for case in cases if not recipients.get(case.pk)]
    recipients.update(cases_centre_staff(cases=unhandled))
    supervisors = cases_supervisors(case_ids=ids)
    for case in cases:
        if case.pk in supervisors:
            recipients[case.pk] = [*recipients.get(case.pk, []), supervisors[case.pk]]
    _notify_batch(cases, recipients, kind=kind, text=text)
    return len(ids)


def _reloaded(ids: list[int]) -> list[Case]:
    """The claimed cases as they are now, with what notifying about them needs."""
    return list(
        Case.objects.filter(id__in=ids).only(
            "id",
            "title",
            "status",
            "level",
            "deadline",
            "grid_id",
            "village_id",
            "township_id",
            "county_id",
            "supervision_deadline",
        )
    )


def _audit_batch(
    rows: list[tuple], cases: list[Case], *, action: str, old: dict, new: dict | None = None
) -> None:
    """The batch's audit entries, by the system: chained in one pass under the chain lock and
    written with one INSERT (`rows`: the claim, with each case's status before the sweep)."""
    status_before = {row[0]: row[1] for row in rows}
    audit_record_many(
        [
            AuditInput(
                action=f"case.{action}",
                object_type="case",
                object_id=str(case.pk),
                area_id=case.grid_id,
                old={"status": status_before[case.pk], **old},
                new={"status": case.status, "level": case.level, **(new or {})},
            )
            for case in cases
        ]
    )


def _notify_batch(
    cases: list[Case], recipients: dict[int, list], *, kind: str, text: Callable[[Case], str]
) -> None:
    """The batch's notices; a person with several cases in it gets one message (DIGESTS)."""
    with notices.site_language():
        notify_many(
            kind=kind,
            notices=[
                Notice(recipient=user, case_id=case.pk, text=text(case))
                for case in cases
                for user in recipients.get(case.pk, [])
            ],
            digest=DIGESTS[kind](),
        )


def _record_system_events(
    ids: list[int],
    *,
    action: str,
    level: str,
    now: datetime,
    to_status: str | None = None,
    data: dict | None = None,
) -> None:
    """One timeline event per claimed case, written by the system (no actor): one
    INSERT … SELECT, the case's current status as the event's from_status."""
    table = connection.ops.quote_name
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(CaseEvent._meta.db_table)}
                (case_id, actor_id, action, from_status, to_status, level, note, data,
                 created_at)
            SELECT id, NULL, %s, status, COALESCE(%s, status), %s, '', {json_param}, %s
            FROM {table(Case._meta.db_table)} WHERE id IN ({", ".join(["%s"] * len(ids))})
            """,
            [
                action,
                to_status,
                level,
                json.dumps({**(data or {}), "automatic": True}),
                # As the ORM writes a time (SQLite: UTC text), so that it compares with them.
                connection.ops.adapt_datetimefield_value(now),
                *ids,
            ],
        )
