"""The demo's older history, written in bulk: the case services' steps kept in memory and
their rows inserted at once.

Replaying a year of cases through the services is about a hundred thousand row-locked
transactions of a dozen queries each: minutes on SQLite. The `Ledger` plays the same steps
on the same calendar (demo.history), with the same arguments, in memory: each method does
what its service in disputes.services does (the state it allows, the columns it sets, the
timeline event, the audit entry, the flags, the notifications and who gets them), stamped
with the tick's historical time instead of the wall clock moved back. At the cut-off,
`flush` writes the cases, assignments, events and notifications with one INSERT per table
(governance.platform.bulk) and the audit entries through the audit chain's own batch
function (audit_record_many); the last weeks then run through the real services, so that
the pages show live work. tests/test_demo_ledger.py holds the two paths to the same year.

Reads that do not change during the year (the roster's routing, the centres' staff, a
user's staff record, the deadline rules) are asked of the database once and kept.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

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
from disputes.selectors.cases import CENTRE_STAFF
from disputes.selectors.figures import event_flags
from disputes.services import LEVEL_ABOVE, WARN_SHARE, notices
from disputes.services.sweeps import DIGESTS
from disputes.services.workflow import ALLOWED_FROM, TransitionError
from governance.platform.bulk import insert_rows
from governance.platform.roles import Role
from grids.models import Area
from notifications.models import Notification, NotificationKind
from notifications.services import Notice
from personnel.models import Staff, User
from personnel.selectors import RoutedLine, line_routing

AUDIT_CHUNK = 20_000  # audit entries per call of audit_record_many
INSERT_CHUNK = 20_000  # rows per INSERT


@dataclass
class Written:
    """A case's rows in memory: its assignments (in the order created)."""

    assignments: list[Assignment]


class Ledger:
    """The case services, in memory, at the tick's time (`now` of every method)."""

    def __init__(self, *, hours: Callable[[int, int, str, str], int]) -> None:
        self.hours = hours  # (county_id, category_id, severity, level) → hours at the level
        start = Case.objects.aggregate(last=Max("id"))["last"] or 0
        self.next_id = start + 1
        self.cases: dict[int, Case] = {}
        self.assignments: dict[int, list[Assignment]] = defaultdict(list)
        self.events: list[CaseEvent] = []
        self.notifications: list[Notification] = []
        self.audit: list[AuditInput] = []
        self.open: set[int] = set()  # ids of the open cases, for the sweep
        self._routing: dict[tuple, RoutedLine] = {}
        self._staff: dict[int, Staff | None] = {}
        self._centres: dict[tuple[str, int], list[User]] = {}
        # Who gave each line at each level last (case_assigners): (case, level, line) → user.
        self._assigners: dict[tuple[int, str, str], User] = {}
        self._areas: dict[int, Area] = {}

    # --- what the replay asks between steps -----------------------------------------

    def active_lines(self, case: Case) -> list[tuple[str, int | None, int | None, str]]:
        return [
            (a.line, a.handler_id, a.staff_id, a.routing_note)
            for a in self.assignments[case.pk]
            if a.status == AssignmentStatus.ACTIVE
        ]

    def status_of(self, case: Case) -> str:
        return self.cases[case.pk].status

    # --- the services ---------------------------------------------------------------

    def case_report(
        self, *, now: datetime, reporter: User, client_uuid: uuid.UUID, grid: Area, **fields
    ) -> Case:
        village = grid.parent
        township = village.parent
        county = self._area(township.parent_id)
        case = Case(
            id=self.next_id,
            client_uuid=client_uuid,
            grid=grid,
            village=village,
            township=township,
            county=county,
            reporter=reporter,
            level=CaseLevel.VILLAGE,
            status=CaseStatus.REPORTED,
            created_at=now,
            **fields,
        )
        self.next_id += 1
        self.cases[case.pk] = case
        self._restart_clock(case, now)
        self.open.add(case.pk)
        self._event(case, now, actor=reporter, action=CaseAction.REPORT, from_status="")
        self._notify(
            case, now, NotificationKind.NEW_REPORT, self._intake(case), reporter, notices.new_report
        )
        return case

    def case_accept(
        self,
        *,
        now: datetime,
        case: Case,
        actor: User,
        severity: str,
        criminal_risk: bool,
        note: str,
    ) -> Case:
        case, old = self._locked(case, "accept")
        case.severity = severity
        case.criminal_risk = criminal_risk
        case.status = CaseStatus.ACCEPTED
        data = {"severity": case.severity, "criminal_risk": case.criminal_risk}
        self._event(
            case, now, actor=actor, action=CaseAction.ACCEPT, from_status=old, note=note, data=data
        )
        return case

    def case_merge(self, *, now: datetime, case: Case, into: Case, actor: User, note: str) -> Case:
        into = self.cases[into.pk]
        if into.pk == case.pk or into.status == CaseStatus.MERGED:
            raise TransitionError("merge into a merged case")
        case, old = self._locked(case, "merge")
        case.status = CaseStatus.MERGED
        case.merged_into = into
        data = {"into": into.pk}
        self._event(
            case, now, actor=actor, action=CaseAction.MERGE, from_status=old, note=note, data=data
        )
        return case

    def case_assign(
        self, *, now: datetime, case: Case, actor: User, lines: list[dict], note: str
    ) -> Case:
        case, old = self._locked(case, "assign")
        chosen = []
        for line in lines:
            handler = line.get("handler")
            if handler is None and not line.get("unit"):
                routed = self._routed(case, line["line"])
                chosen.append(
                    {
                        "line": routed.line,
                        "unit": routed.unit,
                        "handler": routed.handler,
                        "staff": routed.staff,
                        "routing_note": routed.routing_note,
                    }
                )
            else:
                chosen.append({**line, "staff": self._staff_of(handler), "routing_note": ""})
        for line in chosen:
            self.assignments[case.pk].append(
                Assignment(
                    case_id=case.pk,
                    line=line["line"],
                    unit=line.get("unit") or str(line["handler"]),
                    handler=line["handler"],
                    staff=line["staff"],
                    routing_note=line["routing_note"],
                    level=case.level,
                    deadline=case.deadline,
                    created_at=now,
                )
            )
        case.status = CaseStatus.ASSIGNED
        for line in chosen:
            self._assigners[(case.pk, case.level, line["line"])] = actor
        data = {
            "lines": [
                {
                    "line": x["line"],
                    "unit": x.get("unit") or str(x["handler"]),
                    "handler": getattr(x["handler"], "pk", None),
                    "staff": getattr(x["staff"], "pk", None),
                    **({"routing": x["routing_note"]} if x["routing_note"] else {}),
                }
                for x in chosen
            ]
        }
        self._event(
            case, now, actor=actor, action=CaseAction.ASSIGN, from_status=old, note=note, data=data
        )
        self._notify(
            case,
            now,
            NotificationKind.ASSIGNED,
            [x["handler"] for x in chosen if x["handler"] is not None],
            actor=actor,
            text=notices.assigned,
        )
        return case

    def case_record_action(
        self, *, now: datetime, case: Case, actor: User, action_kind: str, note: str
    ) -> Case:
        case, old = self._locked(case, "record")
        case.status = CaseStatus.IN_PROGRESS
        data = {"kind": action_kind}
        self._event(
            case, now, actor=actor, action=CaseAction.RECORD, from_status=old, note=note, data=data
        )
        return case

    def case_return(
        self, *, now: datetime, case: Case, line: str, actor: User, reason: str
    ) -> Case:
        case, old = self._locked(case, "return")
        self._finish(case, line, now, status=AssignmentStatus.RETURNED, note=reason)
        if not self._active(case):
            case.status = CaseStatus.ACCEPTED
        data = {"line": line}
        self._event(
            case,
            now,
            actor=actor,
            action=CaseAction.RETURN,
            from_status=old,
            note=reason,
            data=data,
        )
        self._notify(
            case,
            now,
            NotificationKind.RETURNED,
            self._assigned_by(case, [line]),
            actor=actor,
            text=lambda case: notices.returned(case, by=actor, reason=reason),
        )
        return case

    def case_resolve(
        self, *, now: datetime, case: Case, line: str, actor: User, outcome: str, note: str
    ) -> Case:
        case, old = self._locked(case, "resolve")
        self._finish(case, line, now, status=AssignmentStatus.DONE, note=note, outcome=outcome)
        if not self._active(case):
            outcomes = {
                a.outcome
                for a in self.assignments[case.pk]
                if a.status == AssignmentStatus.DONE and a.level == case.level
            }
            stabilised = CaseStatus.STABILISED in outcomes
            case.status = CaseStatus.STABILISED if stabilised else CaseStatus.RESOLVED
            case.resolved_at = now
        else:
            case.status = CaseStatus.IN_PROGRESS
        data = {"line": line, "outcome": outcome}
        self._event(
            case, now, actor=actor, action=CaseAction.RESOLVE, from_status=old, note=note, data=data
        )
        if case.status != CaseStatus.IN_PROGRESS:
            done = {
                a.line
                for a in self.assignments[case.pk]
                if a.status == AssignmentStatus.DONE and a.level == case.level
            }
            self._notify(
                case,
                now,
                NotificationKind.LINES_DONE,
                self._assigned_by(case, done),
                actor,
                notices.lines_done,
            )
        return case

    def case_close(self, *, now: datetime, case: Case, actor: User, note: str) -> Case:
        case, old = self._locked(case, "close")
        case.status = CaseStatus.CLOSED
        case.closed_at = now
        self.open.discard(case.pk)
        self._event(case, now, actor=actor, action=CaseAction.CLOSE, from_status=old, note=note)
        self._notify(case, now, NotificationKind.CLOSED, [case.reporter], actor, notices.closed)
        return case

    def case_evaluate(
        self, *, now: datetime, case: Case, actor: User, satisfaction: int, review: str
    ) -> Case:
        case, old = self._locked(case, "evaluate")
        case.status = CaseStatus.EVALUATED
        case.satisfaction = satisfaction
        case.review = review
        data = {"satisfaction": satisfaction}
        self._event(
            case,
            now,
            actor=actor,
            action=CaseAction.EVALUATE,
            from_status=old,
            note=review,
            data=data,
        )
        return case

    def case_escalate(self, *, now: datetime, case: Case, actor: User, reason: str) -> Case:
        case, old = self._locked(case, "escalate")
        if case.level not in LEVEL_ABOVE:
            raise TransitionError("a county case cannot be escalated further")
        old_level = case.level
        handlers = self._handlers(case)
        for assignment in self._active(case):
            assignment.status = AssignmentStatus.CANCELLED
            assignment.finished_at = now
        case.level = LEVEL_ABOVE[CaseLevel(case.level)]
        case.status = CaseStatus.REPORTED
        self._restart_clock(case, now)
        self._event(
            case,
            now,
            actor=actor,
            action=CaseAction.ESCALATE,
            from_status=old,
            note=reason,
            before={"level": old_level},
        )
        self._notify(
            case,
            now,
            NotificationKind.ESCALATED,
            [*self._centre(case), *handlers],
            actor=actor,
            text=lambda case: notices.escalated(case, reason=reason),
        )
        return case

    def case_supervise(
        self,
        *,
        now: datetime,
        case: Case,
        actor: User,
        deadline: datetime,
        note: str,
        tick: object = None,
    ) -> Case:
        case, status = self._locked(case, "supervise")
        case.supervised = True
        case.supervision_deadline = deadline
        case.supervision_note = note
        case.supervision_told = ""
        data = {"deadline": deadline.isoformat()}
        self._event(
            case,
            now,
            actor=actor,
            action=CaseAction.SUPERVISE,
            from_status=status,
            note=note,
            data=data,
        )
        self._notify(
            case,
            now,
            NotificationKind.SUPERVISED,
            [*self._handlers(case), *self._centre(case)],
            actor=actor,
            text=notices.supervised,
        )
        return case

    def case_reopen(self, *, now: datetime, case: Case, actor: User, reason: str) -> Case:
        case, old = self._locked(case, "reopen")
        case.status = CaseStatus.ACCEPTED
        self._restart_clock(case, now)
        case.resolved_at = case.closed_at = None
        self.open.add(case.pk)
        self._event(case, now, actor=actor, action=CaseAction.REOPEN, from_status=old, note=reason)
        return case

    # --- the overdue sweep (disputes.services.sweeps.escalate_overdue) --------------

    def escalate_overdue(self, *, now: datetime) -> list[tuple[int, str, str, str]]:
        """The sweep at `now`; returns (case id, action, from status, level) of its events."""
        swept = []
        for level, above in LEVEL_ABOVE.items():
            claimed = self._claim(lambda c, level=level: c.level == level, now)
            entries = []
            told: list[tuple[Case, list[User]]] = []
            for case in claimed:
                old = case.status
                handlers = self._handlers(case)
                for assignment in self._active(case):
                    assignment.status = AssignmentStatus.CANCELLED
                    assignment.finished_at = now
                    assignment.cancelled_overdue = True
                self._system_event(
                    case, now, CaseAction.ESCALATE_OVERDUE, above, CaseStatus.REPORTED
                )
                hours = self.hours(case.county_id, case.category_id, case.severity, above)
                case.level = above
                case.status = CaseStatus.REPORTED
                case.deadline = now + timedelta(hours=hours)
                case.warn_at = now + timedelta(hours=hours * WARN_SHARE)
                case.deadline_warned = False
                case.updated_at = now
                self._flag(case, CaseAction.ESCALATE_OVERDUE)
                entries.append((case, old, {"level": level}, {}))
                swept.append((case.pk, CaseAction.ESCALATE_OVERDUE, old, above))
                told.append((case, [*self._centre(case), *handlers]))
            self._audit_batch(entries, CaseAction.ESCALATE_OVERDUE)
            self._notify_batch(
                told, now, NotificationKind.ESCALATED, text=notices.escalated_overdue
            )
        claimed = self._claim(lambda c: c.level == CaseLevel.COUNTY and not c.overdue, now)
        entries = []
        told = []
        for case in claimed:
            case.overdue = True
            case.updated_at = now
            self._flag(case, CaseAction.FLAG_OVERDUE)
            self._system_event(case, now, CaseAction.FLAG_OVERDUE, CaseLevel.COUNTY, None)
            entries.append((case, case.status, {"overdue": False}, {"overdue": True}))
            swept.append((case.pk, CaseAction.FLAG_OVERDUE, case.status, CaseLevel.COUNTY))
            told.append((case, self._centre(case)))
        self._audit_batch(entries, CaseAction.FLAG_OVERDUE)
        self._notify_batch(told, now, NotificationKind.OVERDUE, text=notices.overdue)
        return sorted(swept)

    def _claim(self, where: Callable[[Case], bool], now: datetime) -> list[Case]:
        found = [
            case
            for pk in self.open
            if (case := self.cases[pk]).status in OPEN_STATUSES
            and case.deadline < now
            and where(case)
        ]
        return sorted(found, key=lambda case: (case.deadline, case.pk))

    def _system_event(
        self, case: Case, now: datetime, action: str, level: str, to_status: str | None
    ) -> None:
        data = {"from_level": case.level} if action == CaseAction.ESCALATE_OVERDUE else {}
        self.events.append(
            CaseEvent(
                case_id=case.pk,
                actor=None,
                action=action,
                from_status=case.status,
                to_status=to_status or case.status,
                level=level,
                note="",
                data={**data, "automatic": True},
                created_at=now,
            )
        )

    def _audit_batch(self, entries: list[tuple[Case, str, dict, dict]], action: str) -> None:
        for case, status_before, old, new in entries:
            self.audit.append(
                AuditInput(
                    action=f"case.{action}",
                    object_type="case",
                    object_id=str(case.pk),
                    area_id=case.grid_id,
                    old={"status": status_before, **old},
                    new={"status": case.status, "level": case.level, **new},
                )
            )

    # --- what every step does (disputes.services.events) ----------------------------

    def _locked(self, case: Case, action: str) -> tuple[Case, str]:
        case = self.cases[case.pk]
        if case.status not in ALLOWED_FROM[action]:
            raise TransitionError(f"{action} while the case is {case.status}")
        return case, case.status

    def _event(
        self,
        case: Case,
        now: datetime,
        *,
        actor: User,
        action: str,
        from_status: str,
        note: str = "",
        data: dict | None = None,
        before: dict | None = None,
    ) -> None:
        case.updated_at = now
        self._flag(case, action)
        self.events.append(
            CaseEvent(
                case_id=case.pk,
                actor=actor,
                action=action,
                from_status=from_status,
                to_status=case.status,
                level=case.level,
                note=note,
                data=data or {},
                created_at=now,
            )
        )
        self.audit.append(
            AuditInput(
                action=f"case.{action}",
                object_type="case",
                object_id=str(case.pk),
                actor=actor,
                area_id=case.grid_id,
                old={"status": from_status, **(before or {})},
                new={"status": case.status, "level": case.level, "note": note, **(data or {})},
            )
        )

    def _flag(self, case: Case, action: str) -> None:
        for name, value in event_flags(action, case.level).items():
            setattr(case, name, value)

    def _notify(
        self,
        case: Case,
        now: datetime,
        kind: str,
        recipients: Iterable[User],
        actor: User | None,
        text: Callable[[Case], str],
    ) -> None:
        """notify_case (not the one who acted) and notify_many (active users, each once)."""
        with notices.site_language():
            message = text(case)[:500]
        seen: set[int] = set()
        for user in recipients:
            if (actor is not None and user.pk == actor.pk) or not user.is_active:
                continue
            if user.pk in seen:
                continue
            seen.add(user.pk)
            self.notifications.append(
                Notification(
                    recipient_id=user.pk, kind=kind, case_id=case.pk, text=message, created_at=now
                )
            )

    def _notify_batch(
        self,
        told: list[tuple[Case, list[User]]],
        now: datetime,
        kind: str,
        text: Callable[[Case], str],
    ) -> None:
        """The sweep's _notify_batch: each active person once per case, and a person with
        several cases in the batch one message counting them (notify_many's digest)."""
        theirs: dict[int, list[Notice]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        with notices.site_language():
            for case, recipients in told:
                for user in recipients:
                    if not user.is_active or (user.pk, case.pk) in seen:
                        continue
                    seen.add((user.pk, case.pk))
                    theirs[user.pk].append(Notice(recipient=user, case_id=case.pk, text=""))
            digest = DIGESTS[kind]()
            texts = {case.pk: text(case)[:500] for case, _recipients in told}
            for user_id, mine in theirs.items():
                if len(mine) > 1:
                    self.notifications.append(
                        Notification(
                            recipient_id=user_id,
                            kind=kind,
                            text=digest.text(mine)[:500],
                            link=digest.link,
                            created_at=now,
                        )
                    )
                    continue
                self.notifications.append(
                    Notification(
                        recipient_id=user_id,
                        kind=kind,
                        case_id=mine[0].case_id,
                        text=texts[mine[0].case_id],
                        created_at=now,
                    )
                )

    def _restart_clock(self, case: Case, start: datetime) -> None:
        hours = self.hours(case.county_id, case.category_id, case.severity, case.level)
        case.deadline = start + timedelta(hours=hours)
        case.warn_at = start + timedelta(hours=hours * WARN_SHARE)
        case.deadline_warned = False

    def _active(self, case: Case) -> list[Assignment]:
        return [a for a in self.assignments[case.pk] if a.status == AssignmentStatus.ACTIVE]

    def _finish(self, case: Case, line: str, now: datetime, *, status: str, **columns) -> None:
        finished = [a for a in self._active(case) if a.line == line]
        if not finished:
            raise TransitionError(f"no active assignment on the {line} line")
        for assignment in finished:
            assignment.status = status
            assignment.finished_at = now
            for name, value in columns.items():
                setattr(assignment, name, value)

    def _handlers(self, case: Case) -> list[User]:
        """cases_active_handlers: the active users of the active lines, oldest line first."""
        return [
            a.handler for a in self._active(case) if a.handler is not None and a.handler.is_active
        ]

    def _centre(self, case: Case) -> list[User]:
        """case_centre_staff: the active staff of the centre at the case's level."""
        role, column = CENTRE_STAFF[case.level]
        key = (role, getattr(case, column))
        if key not in self._centres:
            self._centres[key] = list(
                User.objects.filter(is_active=True, role=role, area_id=key[1]).order_by("id")
            )
        return self._centres[key]

    def _intake(self, case: Case) -> list[User]:
        """case_intake_staff: the centre of the new report's level, or the township's."""
        staff = self._centre(case)
        if staff or case.level != CaseLevel.VILLAGE:
            return staff
        key = (Role.TOWNSHIP_CENTRE, case.township_id)
        if key not in self._centres:
            self._centres[key] = list(
                User.objects.filter(is_active=True, role=key[0], area_id=key[1]).order_by("id")
            )
        return self._centres[key]

    def _assigned_by(self, case: Case, lines: Iterable[str]) -> list[User]:
        """case_assigners (or the centre, when nobody active did): who gave these lines."""
        found: dict[int, User] = {}
        for line in lines:
            user = self._assigners.get((case.pk, case.level, line))
            if user is not None and user.is_active:
                found.setdefault(user.pk, user)
        return list(found.values()) or self._centre(case)

    def _routed(self, case: Case, line: str) -> RoutedLine:
        # The roster does not change while the cases are played (posts are read as of today).
        key = (case.level, case.grid_id, line)
        if key not in self._routing:
            self._routing[key] = line_routing(case=case, line=line)
        return self._routing[key]

    def _staff_of(self, user: User | None) -> Staff | None:
        if user is None:
            return None
        if user.pk not in self._staff:
            self._staff[user.pk] = Staff.objects.filter(user=user).first()
        return self._staff[user.pk]

    def _area(self, pk: int) -> Area:
        if pk not in self._areas:
            self._areas[pk] = Area.objects.get(pk=pk)
        return self._areas[pk]

    # --- the rows -------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            "cases": len(self.cases),
            "events": len(self.events),
            "notifications": len(self.notifications),
        }

    def flush(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Write everything played so far, then forget it: cases, assignments, events and
        notifications in bulk, and the audit entries onto the chain in the order of the
        steps. The case table's sequence is moved past the ids given here."""
        cases = [self.cases[pk] for pk in sorted(self.cases)]
        steps = [
            ("cases", Case, [_row(case) for case in cases]),
            (
                "assignments",
                Assignment,
                [_row(a) for pk in sorted(self.assignments) for a in self.assignments[pk]],
            ),
            ("events", CaseEvent, [_row(event) for event in self.events]),
            ("notifications", Notification, [_row(n) for n in self.notifications]),
        ]
        for name, model, rows in steps:
            for start in range(0, len(rows), INSERT_CHUNK):
                insert_rows(model, rows[start : start + INSERT_CHUNK])
                if progress:
                    progress(name, min(start + INSERT_CHUNK, len(rows)), len(rows))
        if cases and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Case]):
                    cursor.execute(sql)
        for start in range(0, len(self.audit), AUDIT_CHUNK):
            audit_record_many(self.audit[start : start + AUDIT_CHUNK])
            if progress:
                progress("audit", min(start + AUDIT_CHUNK, len(self.audit)), len(self.audit))
        self.cases.clear()
        self.assignments.clear()
        self.events.clear()
        self.notifications.clear()
        self.audit.clear()
        self.open.clear()
        self._assigners.clear()


def _row(obj: Any) -> dict[str, Any]:
    """The model instance as {column: value}, its id left to the database when unset."""
    row = {}
    for model_field in obj._meta.concrete_fields:
        value = getattr(obj, model_field.attname)
        if model_field.primary_key and value is None:
            continue
        row[model_field.column] = value
    return row
