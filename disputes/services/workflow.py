"""The closed loop 研-交-办-督-结-评: one atomic, row-locked function per transition,
guarded on the current state (ALLOWED_FROM) and recorded as a CaseEvent."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentLine,
    AssignmentStatus,
    Case,
    CaseAction,
    CaseLevel,
    CaseStatus,
)
from disputes.selectors.cases import case_assigners, case_centre_staff, cases_active_handlers
from disputes.services import notices
from disputes.services.config import LEVEL_ABOVE, restart_clock
from disputes.services.events import notify_case, record_event
from grids.jurisdiction import can_see
from notifications.models import NotificationKind
from personnel.models import User
from personnel.selectors import line_routing, staff_of_user


class TransitionError(ValidationError):
    pass


HANDLING = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
FINISHED = (CaseStatus.RESOLVED, CaseStatus.STABILISED, CaseStatus.CLOSED, CaseStatus.EVALUATED)
# The states each transition may start from: the state machine in one table.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    CaseAction.ACCEPT: (CaseStatus.REPORTED,),
    CaseAction.MERGE: (CaseStatus.REPORTED, CaseStatus.ACCEPTED),
    CaseAction.ASSIGN: (CaseStatus.ACCEPTED,),
    CaseAction.RECORD: HANDLING,
    CaseAction.RETURN: HANDLING,
    CaseAction.RESOLVE: HANDLING,
    CaseAction.CLOSE: (CaseStatus.RESOLVED, CaseStatus.STABILISED),
    CaseAction.EVALUATE: (CaseStatus.CLOSED,),
    CaseAction.ESCALATE: OPEN_STATUSES,
    CaseAction.SUPERVISE: OPEN_STATUSES,
    CaseAction.REOPEN: FINISHED,
}


def _locked(case: Case, action: str) -> Case:
    """Re-read the case under a row lock and refuse the action from any other state."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status not in ALLOWED_FROM[action]:
        raise TransitionError(
            {
                "action": [
                    _("“%(action)s” is not possible while the case is %(status)s.")
                    % {"action": CaseAction(action).label, "status": locked.get_status_display()}
                ]
            }
        )
    return locked


def _assigners(case: Case, lines) -> list[User]:
    """Who assigned these lines; the centre of the case's level when nobody did (a line
    from before the assigner's account was closed)."""
    return case_assigners(case=case, lines=lines) or list(case_centre_staff(case=case))


def _source(source: dict | None) -> dict:
    """Where a decision came from, kept on the timeline: {"meeting": id, "label": "…"}."""
    return {"source": source} if source else {}


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor: User,
    severity: str | None = None,
    criminal_risk: bool | None = None,
    note: str = "",
    source: dict | None = None,
) -> Case:
    case = _locked(case, CaseAction.ACCEPT)
    old = case.status
    if severity:
        case.severity = severity
    if criminal_risk is not None:
        case.criminal_risk = criminal_risk
    case.status = CaseStatus.ACCEPTED
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.ACCEPT,
        from_status=old,
        note=note,
        data={
            "severity": case.severity,
            "criminal_risk": case.criminal_risk,
            **_source(source),
        },
    )
    return case


@transaction.atomic
def case_merge(*, case: Case, into: Case, actor: User, note: str = "") -> Case:
    if into.pk == case.pk or into.status == CaseStatus.MERGED:
        raise TransitionError({"into": [_("Merge into another case that is not merged itself.")]})
    case = _locked(case, CaseAction.MERGE)
    old = case.status
    case.status = CaseStatus.MERGED
    case.merged_into = into
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.MERGE,
        from_status=old,
        note=note,
        data={"into": into.pk},
    )
    return case


@transaction.atomic
def case_assign(
    *, case: Case, actor: User, lines: list[dict], note: str = "", source: dict | None = None
) -> Case:
    """Assign on one or both lines: [{"line": "police", "unit": "...", "handler": user}].

    A line with neither unit nor handler is routed by the roster: the village police
    officer takes the police line, the security director or the grid worker the
    political-legal line, and a vacant post sends the line to the township centre, which
    the line's routing note says."""
    if not lines or len({line["line"] for line in lines}) != len(lines):
        raise TransitionError({"lines": [_("Give each assignment line once.")]})
    case = _locked(case, CaseAction.ASSIGN)
    old = case.status
    chosen = []
    for line in lines:
        if line["line"] not in AssignmentLine.values:
            raise TransitionError({"lines": [_("Unknown line “%(line)s”.") % line]})
        handler = line.get("handler")
        if handler is None and not line.get("unit"):
            routed = line_routing(case=case, line=line["line"])
            chosen.append(
                {
                    "line": routed.line,
                    "unit": routed.unit,
                    "handler": routed.handler,
                    "staff": routed.staff,
                    "routing_note": routed.routing_note,
                }
            )
            continue
        if handler is not None and not can_see(handler, case.grid):
            raise TransitionError(
                {
                    "lines": [
                        _("%(handler)s does not serve this case's area.") % {"handler": handler}
                    ]
                }
            )
        chosen.append({**line, "staff": staff_of_user(handler), "routing_note": ""})
    for line in chosen:
        Assignment.objects.create(
            case=case,
            line=line["line"],
            unit=line.get("unit") or str(line["handler"]),
            handler=line["handler"],
            staff=line["staff"],
            routing_note=line["routing_note"],
            level=case.level,
            deadline=case.deadline,
        )
    case.status = CaseStatus.ASSIGNED
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.ASSIGN,
        from_status=old,
        note=note,
        data={
            "lines": [
                {
                    "line": x["line"],
                    "unit": x.get("unit") or str(x["handler"]),
                    "handler": getattr(x["handler"], "pk", None),
                    "staff": getattr(x["staff"], "pk", None),
                    **({"routing": x["routing_note"]} if x["routing_note"] else {}),
                }
                for x in chosen
            ],
            **_source(source),
        },
    )
    notify_case(
        case,
        kind=NotificationKind.ASSIGNED,
        recipients=[line["handler"] for line in chosen if line["handler"] is not None],
        actor=actor,
        text=notices.assigned,
    )
    return case


@transaction.atomic
def case_record_action(*, case: Case, actor: User, action_kind: str, note: str) -> Case:
    """A handler's visit, mediation session, agreement or evidence (调解协议, 走访…)."""
    case = _locked(case, CaseAction.RECORD)
    old = case.status
    case.status = CaseStatus.IN_PROGRESS
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.RECORD,
        from_status=old,
        note=note,
        data={"kind": action_kind},
    )
    return case


@transaction.atomic
def case_return(*, case: Case, line: str, actor: User, reason: str) -> Case:
    if not reason.strip():
        raise TransitionError({"reason": [_("Say why the assignment is returned.")]})
    case = _locked(case, CaseAction.RETURN)
    old = case.status
    updated = Assignment.objects.filter(
        case=case, line=line, status=AssignmentStatus.ACTIVE
    ).update(status=AssignmentStatus.RETURNED, note=reason, finished_at=timezone.now())
    if not updated:
        raise TransitionError({"line": [_("This line has no active assignment.")]})
    if not Assignment.objects.filter(case=case, status=AssignmentStatus.ACTIVE).exists():
        case.status = CaseStatus.ACCEPTED  # back to the centre to assign again
        case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.RETURN,
        from_status=old,
        note=reason,
        data={"line": line},
    )
    notify_case(
        case,
        kind=NotificationKind.RETURNED,
        recipients=_assigners(case, [line]),
        actor=actor,
        text=lambda case: notices.returned(case, by=actor, reason=reason),
    )
    return case


@transaction.atomic
def case_resolve(*, case: Case, line: str, actor: User, outcome: str, note: str = "") -> Case:
    """Finish one line; the case is resolved (or stabilised) when every line is."""
    if outcome not in (CaseStatus.RESOLVED, CaseStatus.STABILISED):
        raise TransitionError({"outcome": [_("The outcome is resolved or stabilised.")]})
    case = _locked(case, CaseAction.RESOLVE)
    old = case.status
    updated = Assignment.objects.filter(
        case=case, line=line, status=AssignmentStatus.ACTIVE
    ).update(status=AssignmentStatus.DONE, outcome=outcome, note=note, finished_at=timezone.now())
    if not updated:
        raise TransitionError({"line": [_("This line has no active assignment.")]})
    if not Assignment.objects.filter(case=case, status=AssignmentStatus.ACTIVE).exists():
        outcomes = set(
            Assignment.objects.filter(
                case=case, status=AssignmentStatus.DONE, level=case.level
            ).values_list("outcome", flat=True)
        )
        case.status = (
            CaseStatus.STABILISED if CaseStatus.STABILISED in outcomes else CaseStatus.RESOLVED
        )
        case.resolved_at = timezone.now()
    else:
        case.status = CaseStatus.IN_PROGRESS
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.RESOLVE,
        from_status=old,
        note=note,
        data={"line": line, "outcome": outcome},
    )
    if case.status != CaseStatus.IN_PROGRESS:
        # Every line is done: the case goes back to whoever assigned its lines, to close.
        done = Assignment.objects.filter(
            case=case, status=AssignmentStatus.DONE, level=case.level
        ).values_list("line", flat=True)
        notify_case(
            case,
            kind=NotificationKind.LINES_DONE,
            recipients=_assigners(case, set(done)),
            actor=actor,
            text=notices.lines_done,
        )
    return case


@transaction.atomic
def case_close(*, case: Case, actor: User, note: str = "") -> Case:
    case = _locked(case, CaseAction.CLOSE)
    old = case.status
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    record_event(case, actor=actor, action=CaseAction.CLOSE, from_status=old, note=note)
    notify_case(
        case,
        kind=NotificationKind.CLOSED,
        recipients=[case.reporter],  # inactive accounts are skipped by notify
        actor=actor,
        text=notices.closed,
    )
    return case


@transaction.atomic
def case_evaluate(*, case: Case, actor: User, satisfaction: int, review: str = "") -> Case:
    if satisfaction not in range(1, 6):
        raise TransitionError({"satisfaction": [_("Satisfaction is a score from 1 to 5.")]})
    case = _locked(case, CaseAction.EVALUATE)
    old = case.status
    case.status = CaseStatus.EVALUATED
    case.satisfaction = satisfaction
    case.review = review
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.EVALUATE,
        from_status=old,
        note=review,
        data={"satisfaction": satisfaction},
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, actor: User, reason: str) -> Case:
    """Move a case one level up by decision; the upper centre analyses it afresh."""
    case = _locked(case, CaseAction.ESCALATE)
    if case.level not in LEVEL_ABOVE:
        raise TransitionError({"action": [_("A county case cannot be escalated further.")]})
    old, old_level = case.status, case.level
    handlers = cases_active_handlers(case_ids=[case.pk]).get(case.pk, [])
    Assignment.objects.filter(case=case, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.CANCELLED, finished_at=timezone.now()
    )
    case.level = LEVEL_ABOVE[CaseLevel(case.level)]
    case.status = CaseStatus.REPORTED
    restart_clock(case, timezone.now())
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.ESCALATE,
        from_status=old,
        note=reason,
        before={"level": old_level},
    )
    notify_case(
        case,
        kind=NotificationKind.ESCALATED,
        recipients=[*case_centre_staff(case=case), *handlers],  # the old handlers too
        actor=actor,
        text=lambda case: notices.escalated(case, reason=reason),
    )
    return case


@transaction.atomic
def case_supervise(
    *, case: Case, actor: User, deadline: datetime, note: str, source: dict | None = None
) -> Case:
    if deadline <= timezone.now():
        raise TransitionError({"deadline": [_("The supervision deadline must be in the future.")]})
    case = _locked(case, CaseAction.SUPERVISE)
    case.supervised = True
    case.supervision_deadline = deadline
    case.supervision_note = note
    case.supervision_told = ""
    case.save()
    record_event(
        case,
        actor=actor,
        action=CaseAction.SUPERVISE,
        from_status=case.status,
        note=note,
        data={"deadline": deadline.isoformat(), **_source(source)},
    )
    notify_case(
        case,
        kind=NotificationKind.SUPERVISED,
        recipients=[
            *cases_active_handlers(case_ids=[case.pk]).get(case.pk, []),
            *case_centre_staff(case=case),
        ],
        actor=actor,
        text=notices.supervised,
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor: User, reason: str) -> Case:
    """A resolved case that flares up goes back to its centre for assignment."""
    case = _locked(case, CaseAction.REOPEN)
    old = case.status
    case.status = CaseStatus.ACCEPTED
    restart_clock(case, timezone.now())
    case.resolved_at = case.closed_at = None
    case.save()
    record_event(case, actor=actor, action=CaseAction.REOPEN, from_status=old, note=reason)
    return case
