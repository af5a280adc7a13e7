"""Access to residents' personal data 个人信息访问: every detail view, reveal, lookup and
export is written to the access log (who, when, which person, why), refused attempts too;
the full ID number and phone only for a stated purpose; exports only by the centres; and a
pace of detail views no visit work needs is stopped and flagged to the county's
administrators. The log is only ever appended to."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import audit_record
from governance.platform.roles import Role
from grids import tree
from grids.jurisdiction import (
    can_export_residents,
    can_read_access_log,
    scope,
)
from grids.models import AreaLevel
from notifications.models import NotificationKind
from notifications.services import notify
from personnel.models import User
from residents.models import AccessAction, Resident, ResidentAccess, Visit
from residents.services.residents import REASON_MAX, REASON_MIN, resident_find, residents_visible_to

EXPORT_LIMIT = 20_000


class AccessLimited(PermissionDenied):
    """More detail views and reveals in the last hour than RESIDENT_VIEWS_PER_HOUR allows."""


def resident_access_record(
    *, resident: Resident | None, actor: User, action: str, reason: str = "", denied: bool = False
) -> None:
    # A refused reveal is logged with the reason it was refused for, be it far too long.
    limit = ResidentAccess._meta.get_field("reason").max_length
    ResidentAccess.objects.create(
        resident=resident, actor=actor, action=action, reason=reason[:limit], denied=denied
    )


# Detail views and reveals together: each shows a person's data.
OPENINGS = (AccessAction.VIEW, AccessAction.REVEAL)
# The audit entry of an alert about a person's pace: at most one an hour per person.
FLAGGED = "resident.flagged"


def _openings_in_the_last_hour(actor: User) -> int:
    return ResidentAccess.objects.filter(
        actor=actor,
        action__in=OPENINGS,
        denied=False,
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()


def _within_the_hourly_limit(*, actor: User, resident: Resident, action: str) -> None:
    """Past RESIDENT_VIEWS_PER_HOUR openings in the last hour, the attempt is refused
    (AccessLimited) and logged as refused, and the county's administrators are told."""
    if _openings_in_the_last_hour(actor) < settings.RESIDENT_VIEWS_PER_HOUR:
        return
    resident_access_record(resident=resident, actor=actor, action=action, denied=True)
    _flag_bulk_viewing(actor=actor, resident=resident)
    raise AccessLimited(
        _(
            "You have opened %(limit)s residents' details in the last hour; the register "
            "is paused for you and the county's administrators have been told. If your "
            "work needs more, ask them."
        )
        % {"limit": settings.RESIDENT_VIEWS_PER_HOUR}
    )


def _flag_bulk_viewing(*, actor: User, resident: Resident) -> None:
    """Tell the county's administrators, once an hour per person, that someone is going
    through the register at a pace no visit work needs. Whether they were told is the
    audit log's own entry of the alert, never a refusal of any other kind (an attempt at
    someone outside the user's register is refused too, and must not silence the alert)."""

    with transaction.atomic():
        # One alert at a time per person: a request past the limit at the same moment waits
        # here, then finds this one's entry.
        User.objects.select_for_update().only("pk").get(pk=actor.pk)
        told = AuditEntry.objects.filter(
            action=FLAGGED, actor=actor, created_at__gte=timezone.now() - timedelta(hours=1)
        ).exists()
        if told:
            return
        audit_record(
            action=FLAGGED,
            actor=actor,
            obj=actor,
            new={"limit": settings.RESIDENT_VIEWS_PER_HOUR},
        )
        county = tree.ancestor_at_level(resident.grid, AreaLevel.COUNTY)
        admins = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True)
        if county is not None:
            admins = admins.filter(area=county)
        notify(
            recipients=list(admins),
            kind=NotificationKind.ACCESS_FLAGGED,
            case=None,
            text=_(
                "%(user)s opened more than %(limit)s residents' details within an hour and "
                "was stopped. See the access log."
            )
            % {
                "user": str(actor),
                "limit": settings.RESIDENT_VIEWS_PER_HOUR,
            },
        )


def _refused(*, actor: User, action: str, resident_id: Subquery) -> None:
    """A refused attempt logged by the resident's id alone, read inside the INSERT: the same
    one statement whether that person exists elsewhere (then the row names them) or nobody
    has the id (then it names nobody). Nothing is loaded or decrypted, so a refusal takes
    the same path, and the same time, for both."""
    ResidentAccess.objects.create(resident_id=resident_id, actor=actor, action=action, denied=True)


def resident_for(*, user: User, pk: int, action: str) -> Resident | None:
    """The resident the user may see, or None; any other id is written to the log as a
    refused attempt (without telling the user whether anyone has it)."""
    resident = (
        residents_visible_to(user)
        .select_related("grid__parent", "responsible")
        .filter(pk=pk)
        .first()
    )
    if resident is None and user.is_authenticated:
        _refused(
            actor=user,
            action=action,
            resident_id=Subquery(Resident.objects.filter(pk=pk).order_by().values("pk")[:1]),
        )
    return resident


def visit_for(*, user: User, pk: int) -> Visit | None:
    """A visit to a resident the user may see, or None, refused like resident_for."""
    visible = residents_visible_to(user)
    visit = (
        Visit.objects.filter(pk=pk, resident__in=visible).only("id", "photo", "resident").first()
    )
    if visit is None and user.is_authenticated:
        _refused(
            actor=user,
            action=AccessAction.VIEW,
            resident_id=Subquery(Visit.objects.filter(pk=pk).order_by().values("resident_id")[:1]),
        )
    return visit


def resident_detail(*, user: User, pk: int) -> Resident | None:
    """One resident the user may see, its detail view written to the access log. Beyond the
    hourly limit of detail views and reveals the view is refused (AccessLimited) and the
    county's administrators are told."""
    resident = resident_for(user=user, pk=pk, action=AccessAction.VIEW)
    if resident is None:
        return None
    _within_the_hourly_limit(actor=user, resident=resident, action=AccessAction.VIEW)
    resident_access_record(resident=resident, actor=user, action=AccessAction.VIEW)
    return resident


def reason_errors(reason: str) -> dict[str, list[str]]:
    if len(reason) < REASON_MIN:
        return {
            "reason": [
                _("State the purpose (at least %(min)s characters); it is kept in the access log.")
                % {"min": REASON_MIN}
            ]
        }
    if len(reason) > REASON_MAX:
        return {"reason": [_("Keep the reason to %(max)s characters.") % {"max": REASON_MAX}]}
    return {}


def resident_reveal(*, resident: Resident, actor: User, reason: str) -> dict[str, str]:
    """The full ID number and phone, for a stated purpose that the access log keeps; a
    reveal without a purpose is refused and logged as refused. A reveal is an opening of
    the person's data like a detail view: it counts against the hourly limit, and past the
    limit it is refused (AccessLimited), whatever its reason."""
    reason = (reason or "").strip()
    _within_the_hourly_limit(actor=actor, resident=resident, action=AccessAction.REVEAL)
    if errors := reason_errors(reason):
        resident_access_record(
            resident=resident, actor=actor, action=AccessAction.REVEAL, reason=reason, denied=True
        )
        raise ValidationError(errors)
    resident_access_record(
        resident=resident, actor=actor, action=AccessAction.REVEAL, reason=reason
    )
    return {"id_number": resident.id_number, "phone": resident.phone}


def resident_lookup(*, user: User, id_number: str) -> Resident | None:
    """resident_find, written to the access log when it finds someone."""
    resident = resident_find(user=user, id_number=id_number)
    if resident is not None:
        resident_access_record(resident=resident, actor=user, action=AccessAction.LOOKUP)
    return resident


def residents_export(*, user: User, residents: QuerySet[Resident], reason: str) -> list[Resident]:
    """The rows of an export of the register, each written to the access log with the
    stated purpose. Only roles that may export (the centres); a refused export is logged."""
    reason = (reason or "").strip()
    if not can_export_residents(user):
        resident_access_record(
            resident=None, actor=user, action=AccessAction.EXPORT, reason=reason, denied=True
        )
        raise PermissionDenied(
            _("Only the committee and the governance centres export the register.")
        )
    if errors := reason_errors(reason):
        raise ValidationError(errors)
    rows = list(residents.select_related("grid__parent", "responsible")[: EXPORT_LIMIT + 1])
    if len(rows) > EXPORT_LIMIT:
        raise ValidationError(
            {
                "reason": [
                    _("At most %(max)s people per export; narrow the filters.")
                    % {"max": EXPORT_LIMIT}
                ]
            }
        )
    ResidentAccess.objects.bulk_create(
        ResidentAccess(resident=row, actor=user, action=AccessAction.EXPORT, reason=reason)
        for row in rows
    )
    return rows


def access_log(
    *,
    user: User,
    actor_query: str = "",
    resident_query: str = "",
    action: str = "",
    denied: bool | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ResidentAccess]:
    """The access log as the committee's administrators search it: their county's residents
    and people (refused exports and attempts at ids nobody has, which name no resident, by
    the people of their county)."""
    if not can_read_access_log(user):
        return ResidentAccess.objects.none()
    rows = ResidentAccess.objects.all()
    # Through the one scoping selector: rows about the user's residents, and the rows that
    # name no resident by the people of the user's jurisdiction.
    entries = (
        scope(user, rows, via="resident__grid")
        | scope(user, rows.filter(resident__isnull=True), via="actor__area")
    ).select_related("actor", "resident__grid")
    if actor_query:
        entries = entries.filter(
            Q(actor__username__icontains=actor_query)
            | Q(actor__first_name__icontains=actor_query)
            | Q(actor__last_name__icontains=actor_query)
        )
    if resident_query:
        entries = entries.filter(resident__name__icontains=resident_query)
    if action:
        entries = entries.filter(action=action)
    if denied is not None:
        entries = entries.filter(denied=denied)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries.order_by("-created_at", "-id")
