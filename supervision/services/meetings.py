"""Analysis meetings 研判会: the record of a township's daily or leadership's weekly meeting, or
the county's monthly one, with the cases discussed, the judgement on each and the decisions.
A decision to assign or to supervise is carried out at once by the case workflow's own
services, its timeline entry naming the meeting; the whole record is one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from disputes import services
from disputes.models import OPEN_STATUSES, AssignmentLine, Case, CaseStatus
from disputes.selectors.cases import cases_visible_to
from governance.platform.case_actions import CaseAction
from governance.platform.resends import once
from grids import tree
from grids.jurisdiction import can_act_on_case, can_record_meetings, can_see, scope
from grids.models import Area, AreaLevel
from personnel.models import User
from supervision.models import (
    Decision,
    Judgement,
    Meeting,
    MeetingCase,
    MeetingLevel,
    MeetingUnit,
    RiskFlag,
)

# Which level of area holds each kind of meeting.
MEETING_AREA_LEVEL = {
    MeetingLevel.TOWNSHIP_DAILY: AreaLevel.TOWNSHIP,
    MeetingLevel.LEADERSHIP_WEEKLY: AreaLevel.TOWNSHIP,
    MeetingLevel.COUNTY_MONTHLY: AreaLevel.COUNTY,
}
MAX_CASES = 100


@dataclass
class ItemInput:
    case: Case
    judgement: str
    risk_flags: list[str] = field(default_factory=list)
    decision: str = Decision.WATCH
    # For ASSIGN: the lines, each routed by the roster; empty: the political-legal line.
    lines: list[str] = field(default_factory=list)
    supervision_deadline: datetime | None = None
    note: str = ""


@dataclass
class MeetingInput:
    level: str
    area: Area
    held_on: date
    chair: str
    units: list[str] = field(default_factory=list)
    participants: str = ""
    summary: str = ""
    items: list[ItemInput] = field(default_factory=list)
    client_uuid: uuid.UUID | None = None


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    return scope(user, Meeting.objects.all(), via="area")


def meeting_for(*, user: User, pk: int) -> Meeting | None:
    return meetings_visible_to(user).select_related("area", "created_by").filter(pk=pk).first()


def meetings_list(
    *, user: User, level: str = "", query: str = "", area: Area | None = None
) -> QuerySet[Meeting]:
    meetings = meetings_visible_to(user).select_related("area")
    if area is not None:
        meetings = meetings.filter(tree.subtree_q(area, "area__"))
    if level:
        meetings = meetings.filter(level=level)
    if query:
        meetings = meetings.filter(Q(summary__icontains=query) | Q(chair__icontains=query))
    return meetings.annotate(
        case_count=Count("items"),
        decided=Count("items", filter=~Q(items__decision=Decision.WATCH)),
    ).order_by("-held_on", "-id")


def meeting_items(*, meeting: Meeting) -> QuerySet[MeetingCase]:
    return meeting.items.select_related("case", "case__village", "case__category", "event")


def meeting_candidates(*, user: User, area: Area) -> QuerySet[Case]:
    """The queue a meeting picks from: the open cases of its area, supervised and
    overdue first."""
    return (
        cases_visible_to(user)
        .filter(tree.subtree_q(area, "grid__"), status__in=OPEN_STATUSES)
        .select_related("village", "category")
        .order_by("-supervised", "-overdue", "deadline", "pk")
    )


def meeting_errors(*, actor: User, data: MeetingInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    wanted = MEETING_AREA_LEVEL.get(data.level)
    if wanted is None:
        errors["level"] = [_("Choose the kind of meeting.")]
    elif data.area.level != wanted:
        errors["area"] = [
            _("A %(meeting)s is held by a %(level)s.")
            % {"meeting": MeetingLevel(data.level).label, "level": AreaLevel(wanted).label}
        ]
    elif not can_see(actor, data.area):
        errors["area"] = [_("This area lies outside your jurisdiction.")]
    if data.held_on > timezone.localdate():
        errors["held_on"] = [_("Record a meeting once it has been held.")]
    if not data.chair.strip():
        errors["chair"] = [_("Say who chaired the meeting.")]
    if unknown := [unit for unit in data.units if unit not in MeetingUnit.values]:
        errors["units"] = [_("Unknown unit: %(units)s.") % {"units": ", ".join(unknown)}]
    if len(data.items) > MAX_CASES:
        errors["items"] = [_("At most %(max)s cases per meeting.") % {"max": MAX_CASES}]
    seen: set[int] = set()
    for index, item in enumerate(data.items):
        problems = _item_errors(actor=actor, area=data.area, item=item)
        if item.case.pk in seen:
            problems.append(_("This case is listed twice."))
        seen.add(item.case.pk)
        if problems:
            errors[f"items-{index}"] = problems
    return errors


def _item_errors(*, actor: User, area: Area, item: ItemInput) -> list[str]:
    problems = []
    case = item.case
    if not cases_visible_to(actor).filter(pk=case.pk).exists() or not tree.is_within(
        case.grid, area
    ):
        return [_("Case %(id)s is not a case of this area.") % {"id": case.pk}]
    if item.judgement not in Judgement.values:
        problems.append(_("Choose attention or key attention."))
    if unknown := [flag for flag in item.risk_flags if flag not in RiskFlag.values]:
        problems.append(_("Unknown risk: %(flags)s.") % {"flags": ", ".join(unknown)})
    if item.decision == Decision.ASSIGN:
        if case.status not in (CaseStatus.REPORTED, CaseStatus.ACCEPTED):
            problems.append(
                _("Case %(id)s is %(status)s: it cannot be assigned now.")
                % {"id": case.pk, "status": case.get_status_display()}
            )
        elif not can_act_on_case(actor, case, CaseAction.ASSIGN):
            problems.append(_("Your centre does not assign cases of this level."))
        if unknown := [line for line in item.lines if line not in AssignmentLine.values]:
            problems.append(_("Unknown line: %(lines)s.") % {"lines": ", ".join(unknown)})
    elif item.decision == Decision.SUPERVISE:
        if case.status not in OPEN_STATUSES:
            problems.append(_("Case %(id)s is no longer open.") % {"id": case.pk})
        elif not can_act_on_case(actor, case, CaseAction.SUPERVISE):
            problems.append(_("Supervision of this case is for a higher level."))
        if item.supervision_deadline is None or item.supervision_deadline <= timezone.now():
            problems.append(_("Give a supervision deadline in the future."))
    elif item.decision != Decision.WATCH:
        problems.append(_("Choose keep watching, assign or supervise."))
    if len(item.note) > 500:
        problems.append(_("Keep the decision note to 500 characters."))
    return problems


def meeting_record(*, actor: User, data: MeetingInput) -> Meeting:
    """Record it and carry out its decisions; the same client UUID again returns the
    meeting recorded, its decisions carried out once."""
    if not can_record_meetings(actor):
        raise PermissionDenied(_("Only the county and township centres record meetings."))
    return once(
        meetings_visible_to(actor),
        client_uuid=data.client_uuid,
        actor=actor,
        make=lambda: _record(actor, data),
    )


def _record(actor: User, data: MeetingInput) -> Meeting:
    errors = meeting_errors(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            level=data.level,
            area=data.area,
            held_on=data.held_on,
            chair=data.chair.strip(),
            units=sorted(set(data.units)),
            participants=data.participants.strip(),
            summary=data.summary.strip(),
            client_uuid=data.client_uuid,
            created_by=actor,
        )
        for index, item in enumerate(data.items):
            row = MeetingCase.objects.create(
                meeting=meeting,
                case=item.case,
                judgement=item.judgement,
                risk_flags=sorted(set(item.risk_flags)),
                decision=item.decision,
                lines=sorted(set(item.lines)),
                supervision_deadline=item.supervision_deadline,
                note=item.note.strip(),
            )
            try:
                row.event = _carry_out(meeting=meeting, item=row, actor=actor)
            except ValidationError as error:  # the case moved since the form was filled
                raise ValidationError({f"items-{index}": error.messages}) from error
            if row.event is not None:
                row.save(update_fields=["event"])
        audit_record(
            action="meeting.record",
            actor=actor,
            obj=meeting,
            area_id=meeting.area_id,
            new={
                "level": meeting.level,
                "area": meeting.area_id,
                "held_on": meeting.held_on,
                "cases": [item.case.pk for item in data.items],
                "decisions": [item.decision for item in data.items],
            },
        )
    return meeting


def _carry_out(*, meeting: Meeting, item: MeetingCase, actor: User):
    """The decision, through the workflow: accept (if still reported) and assign on the
    chosen lines, routed by the roster; or supervise. Returns the timeline event."""

    source = {"meeting": meeting.pk, "label": str(meeting)}
    note = _("Decided at %(meeting)s.") % {"meeting": meeting}
    if item.note:
        note = f"{note} {item.note}"
    case = item.case
    if item.decision == Decision.ASSIGN:
        if case.status == CaseStatus.REPORTED:
            case = services.case_accept(case=case, actor=actor, note=note, source=source)
        lines = item.lines or [AssignmentLine.POLITICAL_LEGAL]
        services.case_assign(
            case=case,
            actor=actor,
            lines=[{"line": line} for line in lines],
            note=note,
            source=source,
        )
    elif item.decision == Decision.SUPERVISE:
        services.case_supervise(
            case=case, actor=actor, deadline=item.supervision_deadline, note=note, source=source
        )
    else:
        return None
    return case.events.order_by("-created_at", "-pk").first()


def meetings_of_case(*, case: Case, user: User) -> QuerySet[MeetingCase]:
    """Where the case was discussed (for its detail page), as far as the user may see."""
    return (
        MeetingCase.objects.filter(case=case, meeting__in=meetings_visible_to(user))
        .select_related("meeting")
        .order_by("-meeting__held_on")
    )
