"""Visits 走访 to residents of concern: the cycle each one is visited on, recording a visit
from the phone (idempotent on the client's UUID, optionally raising a case in the same
step), the lists of visits due, the daily reminders, and the month's visit completion that
the assessment scores."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record, snapshot
from disputes.services import case_report_draft
from disputes.services.reporting import CaseDraft
from governance.platform.resends import made_before, resent_first
from grids import tree
from grids.jurisdiction import can_report
from grids.models import Area, AreaLevel
from notifications.models import NotificationKind
from notifications.services import Notice, notify_many
from personnel.models import User
from residents.models import Resident, ResidentStatus, RiskLevel, Visit
from residents.services.cycles import registered_on, resident_schedule, visit_cycles
from residents.services.residents import residents_visible_to

DUE_SOON_DAYS = 7  # "due soon" on the lists: within a week
BACKDATE_DAYS = 31  # a visit written up late may be dated at most this far back
SITUATION_MAX = 2000
NOTE_MAX = 500
# What a visit changes of the resident, for the audit log.
VISIT_AUDITED = ("risk", "last_visited_on", "next_visit_due")


# --- Recording a visit ---------------------------------------------------------------------


def can_record_visit(user: User, resident: Resident) -> bool:
    return (
        can_report(user)
        and resident.status == ResidentStatus.ACTIVE
        and residents_visible_to(user).filter(pk=resident.pk).exists()
    )


@dataclass
class VisitInput:
    client_uuid: uuid.UUID
    visited_on: date
    met: bool = True
    situation: str = ""
    risk_after: str = ""  # empty: unchanged
    needs: str = ""
    follow_up: str = ""
    location_lat: Decimal | None = None
    location_lng: Decimal | None = None
    photo: Any = None
    raise_case: CaseDraft | None = None


@dataclass
class VisitResult:
    visit: Visit
    created: bool


def visit_errors(*, resident: Resident, data: VisitInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if data.visited_on > today:
        errors["visited_on"] = [_("A visit cannot be dated in the future.")]
    elif data.visited_on < today - timedelta(days=BACKDATE_DAYS):
        errors["visited_on"] = [
            _("Record a visit within %(days)s days of making it.") % {"days": BACKDATE_DAYS}
        ]
    elif data.visited_on < registered_on(resident):
        errors["visited_on"] = [_("The visit is dated before the person was registered.")]
    if data.risk_after and data.risk_after not in RiskLevel.values:
        errors["risk_after"] = [_("Choose low, medium or high.")]
    if len(data.situation) > SITUATION_MAX:
        errors["situation"] = [
            _("Keep the situation to %(max)s characters.") % {"max": SITUATION_MAX}
        ]
    if not data.met and not data.situation.strip():
        errors["situation"] = [_("Say why the person was not met and what you did instead.")]
    for name in ("needs", "follow_up"):
        if len(getattr(data, name)) > NOTE_MAX:
            errors[name] = [_("Keep this to %(max)s characters.") % {"max": NOTE_MAX}]
    return errors


def _resent(*, actor: User, data: VisitInput, **_) -> VisitResult | None:
    """The visit this UUID recorded, to its recorder while they may see the person
    (governance.platform.resends)."""
    visible = Visit.objects.filter(resident__in=residents_visible_to(actor))
    existing = made_before(visible, client_uuid=data.client_uuid, actor=actor, by="recorded_by")
    return VisitResult(existing, created=False) if existing is not None else None


@resent_first(_resent)
def visit_record(*, resident: Resident, actor: User, data: VisitInput) -> VisitResult:
    """Record a visit and move the resident's next visit one cycle on; the same client UUID
    again returns the visit already recorded (and the case it raised), never a second one."""
    if not can_record_visit(actor, resident):
        raise PermissionDenied(_("You cannot record visits to this person."))
    errors = visit_errors(resident=resident, data=data)
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []  # a photo written to storage, removed if the transaction fails
    try:
        with transaction.atomic():
            resident = Resident.objects.select_for_update().get(pk=resident.pk)
            before = snapshot(resident, VISIT_AUDITED)
            risk_after = data.risk_after or resident.risk
            visit = Visit.objects.create(
                client_uuid=data.client_uuid,
                resident=resident,
                visited_on=data.visited_on,
                met=data.met,
                situation=data.situation.strip(),
                risk_before=resident.risk,
                risk_after=risk_after,
                needs=data.needs.strip(),
                follow_up=data.follow_up.strip(),
                due_on=resident.next_visit_due,
                location_lat=data.location_lat,
                location_lng=data.location_lng,
                recorded_by=actor,
            )
            if data.raise_case is not None:
                visit.case = _raise_case(visit=visit, resident=resident, actor=actor, data=data)
            if data.photo:
                visit.photo.save(data.photo.name, data.photo, save=False)
                stored.append(visit.photo.name)
            if data.photo or visit.case_id:
                visit.save(update_fields=["photo", "case"])
            if resident.last_visited_on is None or data.visited_on >= resident.last_visited_on:
                resident.last_visited_on = data.visited_on
            resident.risk = risk_after
            resident_schedule(resident)
            resident.save(update_fields=["last_visited_on", "risk", "next_visit_due", "updated_at"])
            audit_record(
                action="resident.visit",
                actor=actor,
                obj=resident,
                area_id=resident.grid_id,
                old=before,
                new={**snapshot(resident, VISIT_AUDITED), "visit": visit.pk},
            )
    except BaseException:  # a concurrent resend too: theirs is the visit (resent_first)
        _remove(stored)
        raise
    return VisitResult(visit, created=True)


def _remove(names: list[str]) -> None:
    for name in names:
        Visit.photo.field.storage.delete(name)


def _raise_case(*, visit: Visit, resident: Resident, actor: User, data: VisitInput):

    return case_report_draft(
        draft=data.raise_case,
        reporter=actor,
        source_uuid=data.client_uuid,
        grid=resident.grid,
        # The name only: the ID number stays in the encrypted register.
        parties=[{"name": resident.name, "role": _("visited person")}],
        location_lat=data.location_lat,
        location_lng=data.location_lng,
    )


def visits_of(*, resident: Resident) -> QuerySet[Visit]:
    """A resident's visits, newest first (the caller has been let see the resident)."""
    return resident.visits.select_related("recorded_by", "case").order_by("-visited_on", "-id")


# --- What is due ---------------------------------------------------------------------------


def _due(residents: QuerySet[Resident]) -> QuerySet[Resident]:
    return (
        residents.filter(status=ResidentStatus.ACTIVE, next_visit_due__isnull=False)
        .select_related("grid__parent", "responsible")
        .order_by("next_visit_due", "grid__code", "name", "id")
    )


def visits_due_for(*, user: User, within_days: int = DUE_SOON_DAYS) -> QuerySet[Resident]:
    """My visits: the residents I am responsible for (or, with nobody responsible, those of
    my own grid) whose visit is overdue or due within `within_days`, the most overdue first."""
    today = timezone.localdate()
    mine = Q(responsible__user_id=user.pk)
    if user.area_id is not None and user.area.level == AreaLevel.GRID:
        mine |= Q(responsible__isnull=True, grid_id=user.area_id)
    return _due(residents_visible_to(user).filter(mine)).filter(
        next_visit_due__lte=today + timedelta(days=within_days)
    )


def visits_overdue(*, user: User, area: Area | None = None) -> QuerySet[Resident]:
    residents = residents_visible_to(user)
    if area is not None:
        residents = residents.filter(tree.subtree_q(area, "grid__"))
    return _due(residents).filter(next_visit_due__lt=timezone.localdate())


def overdue_by_area(*, user: User, parent: Area) -> list[dict]:
    """The overdue-visit report: for each child of `parent` (a township's villages, a
    village's grids…), residents under management, overdue and due within a week."""
    today = timezone.localdate()
    children = list(parent.get_children().order_by("code"))
    if not children:
        return []
    depth_prefix = {
        AreaLevel.VILLAGE: "grid__parent_id",
        AreaLevel.GRID: "grid_id",
        AreaLevel.TOWNSHIP: "grid__parent__parent_id",
    }
    key = depth_prefix.get(children[0].level)
    if key is None:
        return []
    rows = (
        residents_visible_to(user)
        .filter(tree.subtree_q(parent, "grid__"), status=ResidentStatus.ACTIVE)
        .values(key)
        .annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=Q(next_visit_due__lt=today)),
            due_soon=Count(
                "pk",
                filter=Q(
                    next_visit_due__gte=today,
                    next_visit_due__lte=today + timedelta(days=DUE_SOON_DAYS),
                ),
            ),
        )
        .order_by()
    )
    counts = {row.pop(key): row for row in rows}
    empty = {"active": 0, "overdue": 0, "due_soon": 0}
    return [{"area": child, **counts.get(child.pk, empty)} for child in children]


# --- Reminders -----------------------------------------------------------------------------

REMINDER_BATCH = 5000


def visit_reminders_send(*, today: date | None = None, batch_size: int = REMINDER_BATCH) -> int:
    """走访提醒: once per due date, tell each responsible worker how many of their visits are
    due tomorrow or overdue. Set-based: a batch of residents is claimed with row locks
    (others skip them) and marked with one UPDATE, and one inbox row goes to each worker
    for the whole batch. Safe to run twice and from two workers at once."""
    today = today or timezone.localdate()
    told = 0
    while claimed := _remind_batch(today, batch_size):
        told += claimed
    return told


@transaction.atomic
def _remind_batch(today: date, batch_size: int) -> int:

    rows = list(
        Resident.objects.filter(
            status=ResidentStatus.ACTIVE,
            next_visit_due__lte=today + timedelta(days=1),
            responsible__user__isnull=False,
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("next_visit_due")))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("next_visit_due", "id")
        .values_list("pk", "next_visit_due", "responsible__user_id")[:batch_size]
    )
    if not rows:
        return 0
    for due, ids in _group(rows).items():
        Resident.objects.filter(pk__in=ids).update(reminded_for=due)
    per_user: dict[int, list[date]] = defaultdict(list)
    for _pk, due, user_id in rows:
        per_user[user_id].append(due)
    users = User.objects.in_bulk(list(per_user))
    notices = []
    for user_id, dues in per_user.items():
        overdue = sum(1 for due in dues if due < today)
        text = ngettext(
            "%(count)s visit to a resident of concern is due by tomorrow",
            "%(count)s visits to residents of concern are due by tomorrow",
            len(dues),
        ) % {"count": len(dues)}
        if overdue:
            text += _(", %(overdue)s of them overdue") % {"overdue": overdue}
        text += _(". See My visits.")
        notices.append(Notice(recipient=users[user_id], case_id=None, text=text))
    notify_many(kind=NotificationKind.VISIT_DUE, notices=notices)
    return len(rows)


def _group(rows: list[tuple]) -> dict[date, list[int]]:
    grouped: dict[date, list[int]] = defaultdict(list)
    for pk, due, _user_id in rows:
        grouped[due].append(pk)
    return grouped


# --- The month's visit completion, for the assessment --------------------------------------


def visit_completion(*, county: Area, month_end: date) -> dict[int, tuple[int, int]]:
    """For each village: (residents whose visits were up to date at the month's end, the
    residents under management then). Up to date: the last visit on or before the month's
    end (or the registration) plus the cycle reaches the month's end. One query."""
    cycles = visit_cycles(county=county)
    rows = (
        Resident.objects.filter(
            tree.subtree_q(county, "grid__"),
            created_at__date__lte=month_end,
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=month_end))
        .values_list("pk", "grid__parent_id", "category", "risk", "created_at")
        .annotate(last=Max("visits__visited_on", filter=Q(visits__visited_on__lte=month_end)))
        .order_by()
    )
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _pk, village_id, category, risk, created, last in rows:
        start = last or timezone.localdate(created)
        counts = result[village_id]
        counts[1] += 1
        if start + timedelta(days=cycles[(category, risk)]) >= month_end:
            counts[0] += 1
    return {village_id: (done, total) for village_id, (done, total) in result.items()}
