""" "三零" creation 三零创建: incidents recorded by county staff (越级上访, major safety
accidents, criminal cases). A village or township with any incident in its subtree during a
month fails "三零" for that month; the monthly assessment vetoes it (一票否决)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Incident, IncidentKind
from audit.services import audit_record
from governance.platform.months import month_bounds
from grids import tree
from grids.jurisdiction import can_record_incidents, can_see, scope
from grids.models import Area, AreaLevel
from personnel.models import User

INCIDENT_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID)
EARLIEST = date(2000, 1, 1)
DESCRIPTION_MAX = 2000


def incident_record(
    *, area: Area, kind: str, occurred_at: datetime, description: str, actor: User
) -> Incident:
    if not can_record_incidents(actor):
        raise PermissionDenied(_("Only the county records incidents."))
    errors: dict[str, list[str]] = {}
    if not can_see(actor, area):
        errors["area"] = [_("Choose an area in your jurisdiction.")]
    elif area.level not in INCIDENT_LEVELS:
        errors["area"] = [_("Choose a township, village, grid or micro-grid, not a county.")]
    if kind not in IncidentKind.values:
        errors["kind"] = [_("Choose a petition, an accident or a criminal case.")]
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at, timezone.get_default_timezone())
    if occurred_at > timezone.now():
        errors["occurred_at"] = [_("The time it occurred cannot be in the future.")]
    elif timezone.localtime(occurred_at).date() < EARLIEST:
        errors["occurred_at"] = [_("Incidents before 2000 are not recorded.")]
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("Describe what happened.")]
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = [
            _("Keep the description to %(max)s characters.") % {"max": DESCRIPTION_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = Incident.objects.create(
            area=area,
            kind=kind,
            occurred_at=occurred_at,
            description=description,
            recorded_by=actor,
        )
        # The veto 一票否决 it brings is a score: recorded as such.
        audit_record(
            action="incident.record",
            actor=actor,
            obj=incident,
            area_id=area.pk,
            new={"kind": kind, "occurred_at": occurred_at},
        )
        return incident


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    return scope(user, Incident.objects.all(), via="area")


def incident_list(
    *, user: User, month: date | None = None, kind: str = "", area: Area | None = None
) -> QuerySet[Incident]:
    incidents = incidents_visible_to(user)
    if month is not None:
        start, end = month_bounds(month)
        incidents = incidents.filter(occurred_at__gte=start, occurred_at__lt=end)
    if kind:
        incidents = incidents.filter(kind=kind)
    if area is not None:
        incidents = incidents.filter(tree.subtree_q(area, "area__"))
    return incidents.select_related("area__parent", "recorded_by").order_by("-occurred_at", "-id")


def _enclosing(level: str) -> Subquery:
    """The id of the incident's area's ancestor (or itself) at `level`."""
    return Subquery(
        Area.objects.filter(
            level=level,
            tree_id=OuterRef("area__tree_id"),
            lft__lte=OuterRef("area__lft"),
            rght__gte=OuterRef("area__rght"),
        ).values("pk")[:1]
    )


def three_zero_failures(*, month: date) -> dict[int, list[str]]:
    """Every village and township id with an incident in its subtree during `month`, with
    the kinds that occurred there (sorted, once each). One query for the whole county."""
    start, end = month_bounds(month)
    rows = (
        Incident.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(
            village_id=_enclosing(AreaLevel.VILLAGE),
            township_id=_enclosing(AreaLevel.TOWNSHIP),
        )
        .values_list("kind", "village_id", "township_id")
    )
    failures: dict[int, set[str]] = {}
    for kind, village_id, township_id in rows:
        for area_id in (village_id, township_id):
            if area_id is not None:
                failures.setdefault(area_id, set()).add(kind)
    return {area_id: sorted(kinds) for area_id, kinds in failures.items()}
