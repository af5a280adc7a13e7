"""The escalation sweep: `disputes.services.sweeps.escalate_overdue` with some thousands of open
village and township cases past their deadline among all the cases, against a per-row loop
on the same cases (load the case, change its level and deadline, save it, add the event and
the audit entry every change to a case gets: how common helpdesk software does it).

Before every run (untimed) the chosen cases' deadlines are put in the past; after it their
level, status, deadline and the rest are put back from a table saved first, and the
events, notifications, deliveries and assignment changes the run made are removed. The
saved state lives in a real table, so a run that died is undone by the next one.

The sweep's notifications are written as in production (inbox rows, and deliveries on the
configured channel) and deleted afterwards; only the Celery task that would send them after
the commit is not published, so that nothing reaches the broker."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

from benchmarks.harness import Context, Row, measure_side_by_side, ms

TARGET_CASES = 10_000
SHARE_OF_OPEN = 0.8  # the city has ~13,000 open village and township cases
TARGET_FASTER = 50
TARGET_SECONDS = 3
LOOP_RUNS = 3
NOTE = "deliveries written, their Celery task not published"
SAVED = "bench_escalation_saved"
SAVED_ASSIGNMENTS = "bench_escalation_assignments"


def run(context: Context) -> list[Row]:
    from disputes.services.sweeps import escalate_overdue

    _restore(drop=True)  # what a run that died left behind
    ids, candidates, now = _choose()
    _save(ids)
    marks: dict[str, int] = {}

    def overdue() -> None:
        marks.update(_marks())
        _execute(
            f"UPDATE disputes_case SET deadline = %s WHERE id IN (SELECT id FROM {SAVED})",
            [now - timedelta(hours=1)],
        )

    def restore() -> None:
        _restore(marks)
        # Every run rewrites the same 10,000 rows twice (the run, then the restore): without
        # a vacuum the next run's claim reads their dead versions in the open-case index
        # (EXPLAIN: 251,000 index entries for 10,000 open overdue cases after a few runs),
        # a bloat that autovacuum keeps away from a real table. Untimed.
        _execute("VACUUM disputes_case")

    try:
        with mock.patch("notifications.services._schedule_delivery"):
            overdue()
            counts = escalate_overdue(now=now)
            restore()
            if counts != {"escalated": len(ids), "flagged": 0}:
                raise AssertionError(f"the sweep moved {counts}, not the {len(ids)} cases chosen")
            # In turns, sweep and loop. The loop's thousands of round trips a run average
            # themselves: fewer runs keep the city's minutes down.
            timings = measure_side_by_side(
                {"sweep": lambda: escalate_overdue(now=now), "loop": lambda: _loop(now)},
                runs=min(context.runs, LOOP_RUNS),
                warmup=context.warmup,
                before=dict.fromkeys(("sweep", "loop"), overdue),
                after=dict.fromkeys(("sweep", "loop"), restore),
            )
        sweep, loop = timings["sweep"], timings["loop"]
    finally:
        _restore(marks, drop=True)
    faster = loop.median / sweep.median
    within = faster >= TARGET_FASTER and sweep.median < TARGET_SECONDS * 1000
    scaled = "" if len(ids) == TARGET_CASES else f"; {SHARE_OF_OPEN:.0%} of {candidates:,} open"
    return [
        Row(
            workload="escalation",
            case=f"{len(ids):,} overdue of {context.info['cases']:,} cases{scaled}",
            value=ms(sweep.median),
            spread=sweep.spread,
            baseline=f"per-row load/save/event loop {ms(loop.median)}",
            ratio=f"{faster:.0f}× faster",
            target=f"≥ {TARGET_FASTER}× faster; < {TARGET_SECONDS} s",
            passed=within,
            note=NOTE,
        )
    ]


def _execute(sql: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _choose() -> tuple[list[int], int, datetime]:
    """The cases to make overdue (open, at village or township: min(10,000, 80 %) of them,
    spread over the whole tree), how many there were to choose from, and the sweep's `now`:
    before every other open case's deadline, so that the sweep finds only the chosen."""
    from django.db import connection
    from django.db.models import CharField
    from django.db.models.functions import MD5, Cast
    from django.utils import timezone

    from disputes.models import OPEN_STATUSES, Case, CaseLevel

    # Only the built cases: other workloads may add (and remove) cases meanwhile.
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(built_at) FROM bench_meta")
        built_at = cursor.fetchone()[0]
    candidates = Case.objects.filter(
        status__in=OPEN_STATUSES,
        level__in=(CaseLevel.VILLAGE, CaseLevel.TOWNSHIP),
        created_at__lt=built_at,
    )
    count = candidates.count()
    wanted = min(TARGET_CASES, round(SHARE_OF_OPEN * count))
    # Spread over the whole tree, the same every run.
    ids = list(
        candidates.order_by(MD5(Cast("pk", CharField()))).values_list("pk", flat=True)[:wanted]
    )
    earliest = (
        Case.objects.filter(status__in=OPEN_STATUSES, deadline__isnull=False)
        .exclude(pk__in=ids)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first()
    )
    now = timezone.now()
    if earliest is not None and earliest <= now:
        now = earliest - timedelta(seconds=1)
    return ids, count, now


def _save(ids: list[int]) -> None:
    _execute(
        f"""
        CREATE TABLE {SAVED} AS
        SELECT id, level, status, deadline, warn_at, deadline_warned, overdue, updated_at,
            went_overdue, escalated_overdue, escalated_to_township, escalated_to_county
        FROM disputes_case WHERE id = ANY(%s)
        """,
        [ids],
    )
    _execute(f"ALTER TABLE {SAVED} ADD PRIMARY KEY (id)")
    _execute(
        f"""
        CREATE TABLE {SAVED_ASSIGNMENTS} AS
        SELECT id, status, finished_at, cancelled_overdue FROM disputes_assignment
        WHERE case_id = ANY(%s)
        """,
        [ids],
    )


def _marks() -> dict[str, int]:
    """The newest event and notification before a run: what comes after is the run's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT coalesce(max(id), 0) FROM disputes_caseevent),
                   (SELECT coalesce(max(id), 0) FROM notifications_notification)
            """
        )
        event, notification = cursor.fetchone()
    return {"event": event, "notification": notification}


def _restore(marks: dict[str, int] | None = None, *, drop: bool = False) -> None:
    """Put the saved cases and assignments back and remove what the run added for them.
    Without marks (a run that died), everything since the cases were saved is the run's."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [SAVED])
        if not cursor.fetchone()[0]:
            return
    marks = marks or {"event": None, "notification": None}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE disputes_case c SET level = s.level, status = s.status,
                deadline = s.deadline, warn_at = s.warn_at, deadline_warned = s.deadline_warned,
                overdue = s.overdue, updated_at = s.updated_at, went_overdue = s.went_overdue,
                escalated_overdue = s.escalated_overdue,
                escalated_to_township = s.escalated_to_township,
                escalated_to_county = s.escalated_to_county
            FROM {SAVED} s WHERE c.id = s.id
            """
        )
        cursor.execute(
            f"""
            UPDATE disputes_assignment a SET status = s.status, finished_at = s.finished_at,
                cancelled_overdue = s.cancelled_overdue
            FROM {SAVED_ASSIGNMENTS} s WHERE a.id = s.id
            """
        )
        # Every escalation event of a saved case after the mark (without one: every
        # automatic one, as the data has none) and every notification about it.
        cursor.execute(
            f"""
            DELETE FROM disputes_caseevent WHERE case_id IN (SELECT id FROM {SAVED})
                AND action = 'escalate_overdue'
                AND CASE WHEN %(event)s::bigint IS NULL THEN data ? 'automatic'
                         ELSE id > %(event)s END
            """,
            marks,
        )
        cursor.execute(
            f"""
            CREATE TEMP TABLE bench_escalation_notifications ON COMMIT DROP AS
            SELECT id FROM notifications_notification
            WHERE (case_id IN (SELECT id FROM {SAVED})
                    AND (%(notification)s::bigint IS NULL OR id > %(notification)s))
                -- a sweep's message counting several cases names none of them
                OR (case_id IS NULL AND kind IN ('escalated', 'overdue')
                    AND id > %(notification)s)
            """,
            marks,
        )
        cursor.execute(
            "DELETE FROM notifications_delivery WHERE notification_id IN"
            " (SELECT id FROM bench_escalation_notifications)"
        )
        cursor.execute(
            "DELETE FROM notifications_notification WHERE id IN"
            " (SELECT id FROM bench_escalation_notifications)"
        )
        if drop:
            cursor.execute(f"DROP TABLE {SAVED}, {SAVED_ASSIGNMENTS}")


def _loop(now: datetime) -> int:
    """The overdue cases one at a time: load, move up, save, add the event."""
    from django.db import transaction

    from audit.services import audit_record
    from disputes.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus
    from disputes.selectors.figures import event_flags
    from disputes.services import LEVEL_ABOVE, deadline_times

    overdue = Case.objects.filter(
        status__in=OPEN_STATUSES, level__in=list(LEVEL_ABOVE), deadline__lt=now
    ).values_list("pk", flat=True)
    for pk in list(overdue):
        with transaction.atomic():
            case = Case.objects.get(pk=pk)
            level, status = case.level, case.status
            case.level = LEVEL_ABOVE[level]
            case.status = CaseStatus.REPORTED
            case.deadline, case.warn_at = deadline_times(
                now,
                county_id=case.county_id,
                category_id=case.category_id,
                severity=case.severity,
                level=case.level,
            )
            case.deadline_warned = False
            for flag, value in event_flags("escalate_overdue", case.level).items():
                setattr(case, flag, value)
            case.save()
            CaseEvent.objects.create(
                case=case,
                action="escalate_overdue",
                from_status=status,
                to_status=CaseStatus.REPORTED,
                level=case.level,
                created_at=now,
                data={"from_level": level, "automatic": True},
            )
            # The audit entry every change to a case gets (as the sweep writes it).
            audit_record(
                action="case.escalate_overdue",
                obj=case,
                area_id=case.grid_id,
                old={"status": status, "level": level},
                new={"status": case.status, "level": case.level},
            )
    return len(overdue)
