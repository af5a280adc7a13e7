"""Trainings 培训 and phone spot checks 电话访问 of the network: recording them, listing them,
and counting them per township and year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from grids import tree
from grids.jurisdiction import can_manage_roster, can_see, scope
from grids.models import Area, AreaLevel
from personnel.models import SpotCheck, Staff, Training, User
from personnel.selectors import staff_visible_to

# Who organises a session: a county, a township or a village.
ORGANISER_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
MAX_HOURS = Decimal(99)
MAX_ATTENDEES = 500


def _check_may_write(actor: User) -> None:
    if not can_manage_roster(actor):
        raise PermissionDenied(_("Only the governance centres record trainings and spot checks."))


def _date_errors(day: date | None) -> list[str]:
    if day is None:
        return [_("Give the date.")]
    if day > timezone.localdate():
        return [_("The date cannot be in the future: record it once it has happened.")]
    return []


@transaction.atomic
def training_create(
    *,
    area: Area | None,
    day: date | None,
    topic: str,
    hours: Decimal | str | int | None,
    attendees: list[int],
    actor: User,
) -> Training:
    """Record a session; the attendees are roster ids the actor sees, all or nothing."""
    _check_may_write(actor)
    errors: dict[str, list[str]] = {}
    if area is None or not can_see(actor, area):
        errors["area"] = [_("Choose an area in your jurisdiction.")]
    elif area.level not in ORGANISER_LEVELS:
        errors["area"] = [_("A session is organised by a county, a township or a village.")]
    if problems := _date_errors(day):
        errors["day"] = problems
    topic = (topic or "").strip()
    if not topic:
        errors["topic"] = [_("Give the session's topic.")]
    elif len(topic) > 200:
        errors["topic"] = [_("Keep the topic within 200 characters.")]
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        hours = None
    if hours is None or not Decimal(0) < hours <= MAX_HOURS:
        errors["hours"] = [_("Give the hours as a number above 0, e.g. 2 or 1.5.")]
    wanted = set(attendees or [])
    if not wanted:
        errors["attendees"] = [_("Choose who attended.")]
    elif len(wanted) > MAX_ATTENDEES:
        errors["attendees"] = [
            _("Record at most %(n)s attendees per session.") % {"n": MAX_ATTENDEES}
        ]
    else:
        found = set(staff_visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True))
        if missing := wanted - found:
            errors["attendees"] = [
                _(
                    "%(n)s of the attendees are not on the roster of your jurisdiction; "
                    "nothing was saved."
                )
                % {"n": len(missing)}
            ]
    if errors:
        raise ValidationError(errors)
    training = Training.objects.create(
        area=area, day=day, topic=topic, hours=hours, created_by=actor
    )
    training.attendees.set(sorted(wanted))
    audit_record(
        action="training.record",
        actor=actor,
        obj=training,
        area_id=area.pk,
        new={"day": day, "topic": topic, "hours": hours, "attendees": len(wanted)},
    )
    return training


@transaction.atomic
def spot_check_create(
    *, staff: Staff | None, day: date | None, reached: bool, problems: str, fix: str, actor: User
) -> SpotCheck:
    """A phone call to a staff member, recorded under the unit that manages them."""
    _check_may_write(actor)
    errors: dict[str, list[str]] = {}
    if staff is None or not staff_visible_to(actor).filter(pk=staff.pk).exists():
        errors["staff"] = [_("Choose a person on the roster of your jurisdiction.")]
    if problems_of_date := _date_errors(day):
        errors["day"] = problems_of_date
    problems, fix = (problems or "").strip(), (fix or "").strip()
    for name, text in (("problems", problems), ("fix", fix)):
        if len(text) > 500:
            errors[name] = [_("Keep this within 500 characters.")]
    if fix and not problems:
        errors["fix"] = [_("Say which problem the fix addresses.")]
    if errors:
        raise ValidationError(errors)
    check = SpotCheck.objects.create(
        staff=staff,
        area_id=staff.area_id,
        day=day,
        reached=bool(reached),
        problems=problems,
        fix=fix,
        checked_by=actor,
    )
    audit_record(
        action="training.spot_check",
        actor=actor,
        obj=check,
        area_id=staff.area_id,
        new={"staff": staff.pk, "day": day, "reached": check.reached, "problems": problems},
    )
    return check


# --- Reading ---------------------------------------------------------------------------


def trainings_visible_to(user: User) -> QuerySet[Training]:
    return scope(user, Training.objects.all(), via="area")


def spot_checks_visible_to(user: User) -> QuerySet[SpotCheck]:
    return scope(user, SpotCheck.objects.all(), via="area")


def training_list(*, user: User, year: int | None = None, area: Area | None = None) -> QuerySet:
    trainings = trainings_visible_to(user)
    if year:
        trainings = trainings.filter(day__year=year)
    if area is not None:
        trainings = trainings.filter(tree.subtree_q(area, "area__"))
    return (
        trainings.select_related("area", "created_by")
        .annotate(attendee_count=Count("attendees"))
        .order_by("-day", "-id")
    )


def spot_check_list(
    *, user: User, year: int | None = None, area: Area | None = None, reached: bool | None = None
) -> QuerySet[SpotCheck]:
    checks = spot_checks_visible_to(user)
    if year:
        checks = checks.filter(day__year=year)
    if area is not None:
        checks = checks.filter(tree.subtree_q(area, "area__"))
    if reached is not None:
        checks = checks.filter(reached=reached)
    return checks.select_related("staff", "area", "checked_by").order_by("-day", "-id")


def _township_of(prefix: str) -> Case:
    """The id of the township an area lies in (None at county level), for GROUP BY."""
    return Case(
        When(**{f"{prefix}level": AreaLevel.TOWNSHIP}, then=F(f"{prefix}id")),
        When(**{f"{prefix}level": AreaLevel.VILLAGE}, then=F(f"{prefix}parent_id")),
        When(**{f"{prefix}level": AreaLevel.GRID}, then=F(f"{prefix}parent__parent_id")),
        default=None,
        output_field=IntegerField(),
    )


@dataclass
class TownshipCounts:
    township: Area | None  # None: sessions and checks recorded at county level
    sessions: int = 0
    attendances: int = 0
    spot_checks: int = 0
    reached: int = 0
    problems: int = 0

    @property
    def reached_share(self) -> int | None:
        return round(100 * self.reached / self.spot_checks) if self.spot_checks else None


def training_counts(*, user: User, year: int) -> list[TownshipCounts]:
    """Per township, for the year: sessions, attendances, spot checks, the share of calls
    that reached the person, and problems found. One GROUP BY each."""
    counts: dict[int | None, TownshipCounts] = {}

    def row(township_id: int | None) -> TownshipCounts:
        return counts.setdefault(township_id, TownshipCounts(None))

    sessions = (
        trainings_visible_to(user)
        .filter(day__year=year)
        .annotate(township_id=_township_of("area__"))
        .values("township_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    for item in sessions:
        row(item["township_id"]).sessions = item["total"]
    attendances = (
        Training.attendees.through.objects.filter(
            training__in=trainings_visible_to(user).filter(day__year=year)
        )
        .annotate(township_id=_township_of("training__area__"))
        .values("township_id")
        .annotate(total=Count("id"))
        .order_by()
    )
    for item in attendances:
        row(item["township_id"]).attendances = item["total"]
    checks = (
        spot_checks_visible_to(user)
        .filter(day__year=year)
        .annotate(township_id=_township_of("area__"))
        .values("township_id")
        .annotate(
            total=Count("id"),
            reached=Count("id", filter=Q(reached=True)),
            problems=Count("id", filter=~Q(problems="")),
        )
        .order_by()
    )
    for item in checks:
        counted = row(item["township_id"])
        counted.spot_checks = item["total"]
        counted.reached = item["reached"]
        counted.problems = item["problems"]
    townships = Area.objects.in_bulk([pk for pk in counts if pk is not None])
    for pk, counted in counts.items():
        counted.township = townships.get(pk) if pk is not None else None
    return sorted(
        counts.values(),
        key=lambda c: (c.township is not None, c.township.code if c.township else ""),
    )


def training_years(*, user: User) -> list[int]:
    """The years with sessions or spot checks, latest first, and always this year."""
    years = {timezone.localdate().year}
    years.update(d.year for d in trainings_visible_to(user).dates("day", "year"))
    years.update(d.year for d in spot_checks_visible_to(user).dates("day", "year"))
    return sorted(years, reverse=True)


def training_roster(*, user: User, area: Area | None, query: str = "") -> QuerySet[Staff]:
    """People who may be picked as attendees: the roster of the area's subtree."""
    staff = staff_visible_to(user)
    if area is not None:
        staff = staff.filter(tree.subtree_q(area, "area__"))
    if query:
        staff = staff.filter(name__icontains=query)
    return staff.select_related("area").order_by("area__code", "name", "id")[:MAX_ATTENDEES]
