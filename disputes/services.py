"""Every change of a case goes through these functions: atomic, row-locked, guarded on the
current state, and recorded as a CaseEvent. No other code changes a case's status."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import notices
from disputes.defaults import DEFAULT_CATEGORIES
from disputes.models import (
    ACTION_LABELS,
    OPEN_STATUSES,
    Assignment,
    AssignmentLine,
    AssignmentStatus,
    Case,
    CaseEvent,
    CaseLevel,
    CaseStatus,
    Category,
    DeadlineRule,
    Severity,
)
from disputes.selectors import case_centre_staff, cases_active_handlers
from governance.jurisdiction import can_see
from governance.validators import id_number_is_valid, mobile_is_valid
from grids.models import Area, AreaLevel
from notifications.models import NotificationKind
from notifications.services import notify

# Hours each level has, when the county has not set a rule (小事不出村、大事不出镇).
DEFAULT_HOURS = {
    (Severity.ORDINARY, CaseLevel.VILLAGE): 72,
    (Severity.ORDINARY, CaseLevel.TOWNSHIP): 168,
    (Severity.ORDINARY, CaseLevel.COUNTY): 360,
    (Severity.ATTENTION, CaseLevel.VILLAGE): 48,
    (Severity.ATTENTION, CaseLevel.TOWNSHIP): 120,
    (Severity.ATTENTION, CaseLevel.COUNTY): 240,
    (Severity.KEY_ATTENTION, CaseLevel.VILLAGE): 24,
    (Severity.KEY_ATTENTION, CaseLevel.TOWNSHIP): 72,
    (Severity.KEY_ATTENTION, CaseLevel.COUNTY): 168,
}
LEVEL_ABOVE = {CaseLevel.VILLAGE: CaseLevel.TOWNSHIP, CaseLevel.TOWNSHIP: CaseLevel.COUNTY}
MAX_PARTIES = 20


def categories_ensure_defaults() -> int:
    """Create the default categories that are missing; returns how many were created."""
    existing = set(Category.objects.values_list("code", flat=True))
    missing = [
        Category(code=code, kind=kind, name=name, sort_order=order)
        for order, (kind, code, name) in enumerate(DEFAULT_CATEGORIES)
        if code not in existing
    ]
    Category.objects.bulk_create(missing)
    return len(missing)


def deadline_hours(*, category_id: int | None, severity: str, level: str) -> int:
    rules = {
        rule.category_id: rule.hours
        for rule in DeadlineRule.objects.filter(severity=severity, level=level).filter(
            Q(category_id=category_id) | Q(category__isnull=True)
        )
    }
    if category_id in rules:
        return rules[category_id]
    if None in rules:
        return rules[None]
    return DEFAULT_HOURS[(Severity(severity), CaseLevel(level))]


WARN_SHARE = 0.75  # 临期预警: the handler is warned once 75 % of the level's time has passed


def deadline_times(
    start: datetime, *, category_id: int, severity: str, level: str
) -> tuple[datetime, datetime]:
    """(deadline, warn_at) for a case that reaches `level` at `start`."""
    hours = deadline_hours(category_id=category_id, severity=severity, level=level)
    return start + timedelta(hours=hours), start + timedelta(hours=hours * WARN_SHARE)


def _restart_clock(case: Case, start: datetime) -> None:
    case.deadline, case.warn_at = deadline_times(
        start, category_id=case.category_id, severity=case.severity, level=case.level
    )
    case.deadline_warned = False


def parties_errors(parties: Any) -> list[str]:
    if not isinstance(parties, list):
        return [_("Parties must be a list of {name, phone, id_number, role}.")]
    if len(parties) > MAX_PARTIES:
        return [_("At most %(max)s parties per case.") % {"max": MAX_PARTIES}]
    errors = []
    for number, party in enumerate(parties, start=1):
        if not isinstance(party, dict) or not str(party.get("name", "")).strip():
            errors.append(_("Party %(n)s: a name is required.") % {"n": number})
            continue
        if set(party) - {"name", "phone", "id_number", "role"}:
            errors.append(
                _("Party %(n)s: only name, phone, id_number and role may be given.") % {"n": number}
            )
        phone = str(party.get("phone") or "")
        if phone and not mobile_is_valid(phone):
            errors.append(
                _(
                    "Party %(n)s: “%(phone)s” is not a mainland mobile number "
                    "(11 digits starting with 1)."
                )
                % {"n": number, "phone": phone}
            )
        id_number = str(party.get("id_number") or "")
        if id_number and not id_number_is_valid(id_number):
            errors.append(
                _(
                    "Party %(n)s: the ID number is not valid (18 characters whose last "
                    "one is the GB 11643 check digit)."
                )
                % {"n": number}
            )
    return errors


@dataclass
class ReportResult:
    case: Case
    created: bool


def case_report(
    *,
    reporter,
    client_uuid: uuid.UUID,
    kind: str,
    category: Category,
    title: str,
    description: str,
    grid: Area,
    severity: str = Severity.ORDINARY,
    criminal_risk: bool = False,
    parties: list | None = None,
    location_lat: Any = None,
    location_lng: Any = None,
) -> ReportResult:
    """File a report; the same client UUID again returns the case already filed."""
    existing = Case.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        return _resent(existing, reporter)
    parties = parties or []
    errors: dict[str, list[str]] = {}
    if grid.level == AreaLevel.MICROGRID:
        grid = grid.parent
    if grid.level != AreaLevel.GRID:
        errors["grid"] = [
            _("Choose a grid (or micro-grid), not a %(level)s.")
            % {"level": grid.get_level_display()}
        ]
    elif not can_see(reporter, grid):
        errors["grid"] = [_("This grid lies outside your jurisdiction.")]
    if category.kind != kind or not category.is_active:
        errors["category"] = [
            _("“%(category)s” is not a category of this kind of case.")
            % {"category": category.name}
        ]
    if party_problems := parties_errors(parties):
        errors["parties"] = party_problems
    if errors:
        raise ValidationError(errors)

    village = grid.parent
    township = village.parent
    county = township.parent  # a township's parent is always its county
    case = Case(
        client_uuid=client_uuid,
        kind=kind,
        category=category,
        severity=severity,
        criminal_risk=criminal_risk,
        title=title,
        description=description,
        parties=parties,
        grid=grid,
        village=village,
        township=township,
        county=county,
        reporter=reporter,
        location_lat=location_lat,
        location_lng=location_lng,
        level=CaseLevel.VILLAGE,
        status=CaseStatus.REPORTED,
    )
    _restart_clock(case, timezone.now())
    try:
        with transaction.atomic():
            case.save()
            _record(case, actor=reporter, action="report", from_status="")
    except IntegrityError:
        # A concurrent resend won the race on client_uuid: theirs is the case.
        return _resent(Case.objects.get(client_uuid=client_uuid), reporter)
    return ReportResult(case, created=True)


def _resent(existing: Case, reporter) -> ReportResult:
    # Only the reporter's own resend gets the case back; anyone else's UUID clash is refused.
    if existing.reporter_id != reporter.pk:
        raise ValidationError({"client_uuid": [_("This client UUID is already in use.")]})
    return ReportResult(existing, created=False)


def _record(
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


def _notify(
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


class TransitionError(ValidationError):
    pass


HANDLING = (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS)
FINISHED = (CaseStatus.RESOLVED, CaseStatus.STABILISED, CaseStatus.CLOSED, CaseStatus.EVALUATED)
# The states each transition may start from: the state machine in one table.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "accept": (CaseStatus.REPORTED,),
    "merge": (CaseStatus.REPORTED, CaseStatus.ACCEPTED),
    "assign": (CaseStatus.ACCEPTED,),
    "record": HANDLING,
    "return": HANDLING,
    "resolve": HANDLING,
    "close": (CaseStatus.RESOLVED, CaseStatus.STABILISED),
    "evaluate": (CaseStatus.CLOSED,),
    "escalate": OPEN_STATUSES,
    "supervise": OPEN_STATUSES,
    "reopen": FINISHED,
}


def _locked(case: Case, action: str) -> Case:
    """Re-read the case under a row lock and refuse the action from any other state."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status not in ALLOWED_FROM[action]:
        raise TransitionError(
            {
                "action": [
                    _("“%(action)s” is not possible while the case is %(status)s.")
                    % {"action": ACTION_LABELS[action], "status": locked.get_status_display()}
                ]
            }
        )
    return locked


@transaction.atomic
def case_accept(
    *,
    case: Case,
    actor,
    severity: str | None = None,
    criminal_risk: bool | None = None,
    note: str = "",
) -> Case:
    case = _locked(case, "accept")
    old = case.status
    if severity:
        case.severity = severity
    if criminal_risk is not None:
        case.criminal_risk = criminal_risk
    case.status = CaseStatus.ACCEPTED
    case.save()
    _record(
        case,
        actor=actor,
        action="accept",
        from_status=old,
        note=note,
        data={"severity": case.severity, "criminal_risk": case.criminal_risk},
    )
    return case


@transaction.atomic
def case_merge(*, case: Case, into: Case, actor, note: str = "") -> Case:
    if into.pk == case.pk or into.status == CaseStatus.MERGED:
        raise TransitionError({"into": [_("Merge into another case that is not merged itself.")]})
    case = _locked(case, "merge")
    old = case.status
    case.status = CaseStatus.MERGED
    case.merged_into = into
    case.save()
    _record(case, actor=actor, action="merge", from_status=old, note=note, data={"into": into.pk})
    return case


@transaction.atomic
def case_assign(*, case: Case, actor, lines: list[dict], note: str = "") -> Case:
    """Assign on one or both lines: [{"line": "police", "unit": "...", "handler": user}]."""
    if not lines or len({line["line"] for line in lines}) != len(lines):
        raise TransitionError({"lines": [_("Give each assignment line once.")]})
    case = _locked(case, "assign")
    old = case.status
    for line in lines:
        if line["line"] not in AssignmentLine.values:
            raise TransitionError({"lines": [_("Unknown line “%(line)s”.") % line]})
        handler = line.get("handler")
        if handler is not None and not can_see(handler, case.grid):
            raise TransitionError(
                {
                    "lines": [
                        _("%(handler)s does not serve this case's area.") % {"handler": handler}
                    ]
                }
            )
        Assignment.objects.create(
            case=case,
            line=line["line"],
            unit=line.get("unit", ""),
            handler=handler,
            level=case.level,
            deadline=case.deadline,
        )
    case.status = CaseStatus.ASSIGNED
    case.save()
    _record(
        case,
        actor=actor,
        action="assign",
        from_status=old,
        note=note,
        data={
            "lines": [
                {
                    "line": x["line"],
                    "unit": x.get("unit", ""),
                    "handler": getattr(x.get("handler"), "pk", None),
                }
                for x in lines
            ]
        },
    )
    _notify(
        case,
        kind=NotificationKind.ASSIGNED,
        recipients=[line["handler"] for line in lines if line.get("handler") is not None],
        actor=actor,
        text=notices.assigned,
    )
    return case


@transaction.atomic
def case_record_action(*, case: Case, actor, action_kind: str, note: str) -> Case:
    """A handler's visit, mediation session, agreement or evidence (调解协议, 走访…)."""
    case = _locked(case, "record")
    old = case.status
    case.status = CaseStatus.IN_PROGRESS
    case.save()
    _record(
        case, actor=actor, action="record", from_status=old, note=note, data={"kind": action_kind}
    )
    return case


@transaction.atomic
def case_return(*, case: Case, line: str, actor, reason: str) -> Case:
    if not reason.strip():
        raise TransitionError({"reason": [_("Say why the assignment is returned.")]})
    case = _locked(case, "return")
    old = case.status
    updated = Assignment.objects.filter(
        case=case, line=line, status=AssignmentStatus.ACTIVE
    ).update(status=AssignmentStatus.RETURNED, note=reason)
    if not updated:
        raise TransitionError({"line": [_("This line has no active assignment.")]})
    if not Assignment.objects.filter(case=case, status=AssignmentStatus.ACTIVE).exists():
        case.status = CaseStatus.ACCEPTED  # back to the centre to assign again
        case.save()
    _record(case, actor=actor, action="return", from_status=old, note=reason, data={"line": line})
    _notify(
        case,
        kind=NotificationKind.RETURNED,
        recipients=case_centre_staff(case=case),
        actor=actor,
        text=lambda case: notices.returned(case, by=actor, reason=reason),
    )
    return case


@transaction.atomic
def case_resolve(*, case: Case, line: str, actor, outcome: str, note: str = "") -> Case:
    """Finish one line; the case is resolved (or stabilised) when every line is."""
    if outcome not in (CaseStatus.RESOLVED, CaseStatus.STABILISED):
        raise TransitionError({"outcome": [_("The outcome is resolved or stabilised.")]})
    case = _locked(case, "resolve")
    old = case.status
    updated = Assignment.objects.filter(
        case=case, line=line, status=AssignmentStatus.ACTIVE
    ).update(status=AssignmentStatus.DONE, outcome=outcome, note=note)
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
    _record(
        case,
        actor=actor,
        action="resolve",
        from_status=old,
        note=note,
        data={"line": line, "outcome": outcome},
    )
    return case


@transaction.atomic
def case_close(*, case: Case, actor, note: str = "") -> Case:
    case = _locked(case, "close")
    old = case.status
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    _record(case, actor=actor, action="close", from_status=old, note=note)
    return case


@transaction.atomic
def case_evaluate(*, case: Case, actor, satisfaction: int, review: str = "") -> Case:
    if satisfaction not in range(1, 6):
        raise TransitionError({"satisfaction": [_("Satisfaction is a score from 1 to 5.")]})
    case = _locked(case, "evaluate")
    old = case.status
    case.status = CaseStatus.EVALUATED
    case.satisfaction = satisfaction
    case.review = review
    case.save()
    _record(
        case,
        actor=actor,
        action="evaluate",
        from_status=old,
        note=review,
        data={"satisfaction": satisfaction},
    )
    return case


@transaction.atomic
def case_escalate(*, case: Case, actor, reason: str) -> Case:
    """Move a case one level up by decision; the upper centre analyses it afresh."""
    case = _locked(case, "escalate")
    if case.level not in LEVEL_ABOVE:
        raise TransitionError({"action": [_("A county case cannot be escalated further.")]})
    old = case.status
    Assignment.objects.filter(case=case, status=AssignmentStatus.ACTIVE).update(
        status=AssignmentStatus.CANCELLED
    )
    case.level = LEVEL_ABOVE[CaseLevel(case.level)]
    case.status = CaseStatus.REPORTED
    _restart_clock(case, timezone.now())
    case.save()
    _record(case, actor=actor, action="escalate", from_status=old, note=reason)
    _notify(
        case,
        kind=NotificationKind.ESCALATED,
        recipients=case_centre_staff(case=case),
        actor=actor,
        text=lambda case: notices.escalated(case, reason=reason),
    )
    return case


@transaction.atomic
def case_supervise(*, case: Case, actor, deadline: datetime, note: str) -> Case:
    if deadline <= timezone.now():
        raise TransitionError({"deadline": [_("The supervision deadline must be in the future.")]})
    case = _locked(case, "supervise")
    case.supervised = True
    case.supervision_deadline = deadline
    case.supervision_note = note
    case.save()
    _record(
        case,
        actor=actor,
        action="supervise",
        from_status=case.status,
        note=note,
        data={"deadline": deadline.isoformat()},
    )
    _notify(
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
def case_reopen(*, case: Case, actor, reason: str) -> Case:
    """A resolved case that flares up goes back to its centre for assignment."""
    case = _locked(case, "reopen")
    old = case.status
    case.status = CaseStatus.ACCEPTED
    _restart_clock(case, timezone.now())
    case.resolved_at = case.closed_at = None
    case.save()
    _record(case, actor=actor, action="reopen", from_status=old, note=reason)
    return case
