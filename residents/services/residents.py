"""The register of residents of concern 重点人员与特殊人群 (toward issue 6): who may register
whom, what each role may see, and the exact lookup by ID number. Every read goes through
`residents_visible_to`: the jurisdiction's subtree (a grid worker: their own grid), and no
sensitive category for roles that do not need it unless they are responsible for the
person."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes, snapshot
from governance.platform.locks import RESIDENT_ID_NUMBER, lock_value
from governance.platform.personal_data import lookup_hash
from governance.platform.roles import Role
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from grids import tree
from grids.jurisdiction import (
    RESPONSIBLE_ONLY_ROLES,
    can_register_residents,
    can_see,
    scope,
    sees_sensitive_residents,
)
from grids.models import Area, AreaLevel
from personnel.models import Staff, User
from residents.models import (
    SENSITIVE_CATEGORIES,
    AccessAction,
    Resident,
    ResidentAccess,
    ResidentCategory,
    ResidentStatus,
    ResidentStatusChange,
    RiskLevel,
)
from residents.services.cycles import resident_schedule

ID_NUMBER = "id_number"
NAME_MAX = 40
SITUATION_MAX = 2000
REASON_MIN = 4
REASON_MAX = 200


def erased_message() -> str:
    return _(
        "This person's personal data was erased at the end of its retention period; "
        "if they come under management again, register them afresh."
    )


# The audit log keeps the facts of management in clear and, of the personal data, only that
# it changed: the log is append-only and outlives the data's retention period.
AUDITED_FIELDS = ("grid", "category", "risk", "responsible", "status")
PERSONAL_FIELDS = ("name", "id_number", "phone", "address", "situation")


def _audited(resident: Resident) -> dict:
    return snapshot(resident, (*AUDITED_FIELDS, *PERSONAL_FIELDS))


def residents_visible_to(user: User) -> QuerySet[Resident]:
    if not user.is_authenticated:
        return Resident.objects.none()
    residents = scope(user, Resident.objects.all(), via="grid")
    if sees_sensitive_residents(user):
        return residents
    mine = Q(responsible__user_id=user.pk)
    if user.role in RESPONSIBLE_ONLY_ROLES:
        # Minimum necessary: a member 成员 sees only the people they look after; a read-only
        # inspector has no need of the register at all.
        return residents.filter(mine) if user.role == Role.MEMBER else residents.none()
    return residents.filter(~Q(category__in=SENSITIVE_CATEGORIES) | mine)


def resident_find(*, user: User, id_number: str) -> Resident | None:
    """Exact match on the full ID number, among the residents the user may see."""
    wanted = (id_number or "").strip().upper()
    if not wanted:
        return None
    return residents_visible_to(user).filter(id_number_hash=lookup_hash(ID_NUMBER, wanted)).first()


@dataclass
class ResidentInput:
    name: str
    id_number: str
    grid: Area | None
    category: str
    risk: str = RiskLevel.LOW
    phone: str = ""
    address: str = ""
    situation: str = ""
    responsible: Staff | None = None


def resident_errors(*, data: ResidentInput, actor: User) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = data.name.strip()
    if not name:
        add("name", _("Enter the person's name."))
    elif len(name) > NAME_MAX:
        add("name", _("Keep the name to %(max)s characters.") % {"max": NAME_MAX})
    if not id_number_is_valid(data.id_number.strip().upper()):
        add("id_number", _("Enter a valid 18-digit ID number (its last digit is a checksum)."))
    if data.phone.strip() and not mobile_is_valid(data.phone):
        add("phone", _("Enter a mainland mobile number of 11 digits, or leave it empty."))
    if data.grid is None or not can_see(actor, data.grid):
        add("grid", _("Choose a grid in your jurisdiction."))
    elif data.grid.level != AreaLevel.GRID:
        add("grid", _("Choose a grid, not a %(level)s.") % {"level": data.grid.get_level_display()})
    if data.category not in ResidentCategory.values:
        add("category", _("Choose a category."))
    if data.risk not in RiskLevel.values:
        add("risk", _("Choose low, medium or high."))
    if len(data.situation) > SITUATION_MAX:
        add("situation", _("Keep the situation to %(max)s characters.") % {"max": SITUATION_MAX})
    if data.responsible is not None and not can_see(actor, data.responsible, via="area"):
        add("responsible", _("Choose a staff member of your jurisdiction."))
    return errors


def _others_with_the_id_number(*, actor: User, number_hash: str, message: str) -> list[int]:
    """The ids of the people registered with this ID number, none of whom the actor may see;
    a clash with someone they may see is refused with `message`. Call it in the transaction
    that saves the number.

    An ID number is unique within each registrar's register, not across the county. A clash
    inside it keeps its helpful message: the person is visible anyway. A clash outside it is
    no error: any answer the actor could tell from an unknown number's (a refusal, however
    vague, or an "invalid number" that the check digit disproves) would tell a township that
    the number is on the county's register of key persons. So the person is registered as
    an unknown one would be, and the clash goes to the access log as a refused lookup of the
    other record, for the county to see and to settle who manages the person."""
    lock_value(RESIDENT_ID_NUMBER, number_hash)  # the check and the save, one writer at a time
    others = Resident.objects.filter(id_number_hash=number_hash)
    if residents_visible_to(actor).filter(pk__in=others.values("pk")).exists():
        raise ValidationError({"id_number": [message]})
    return list(others.values_list("pk", flat=True))


def _refused_lookups(*, actor: User, residents: list[int]) -> None:
    ResidentAccess.objects.bulk_create(
        ResidentAccess(resident_id=pk, actor=actor, action=AccessAction.LOOKUP, denied=True)
        for pk in residents
    )


def resident_register(*, data: ResidentInput, actor: User) -> Resident:
    if not can_register_residents(actor):
        raise PermissionDenied(_("Only the centres, the village staff and the police register."))
    errors = resident_errors(data=data, actor=actor)
    if errors:
        raise ValidationError(errors)
    id_number = data.id_number.strip().upper()
    number_hash = lookup_hash(ID_NUMBER, id_number)
    with transaction.atomic():
        others = _others_with_the_id_number(
            actor=actor,
            number_hash=number_hash,
            message=_("This person is registered already; search by ID number."),
        )
        resident = Resident(
            name=data.name.strip(),
            id_number=id_number,
            id_number_hash=number_hash,
            phone=data.phone.strip(),
            address=data.address.strip(),
            grid=data.grid,
            category=data.category,
            risk=data.risk,
            situation=data.situation.strip(),
            responsible=data.responsible,
            created_by=actor,
        )
        resident_schedule(resident)
        resident.save()
        given = {key: value for key, value in _audited(resident).items() if value}
        audit_record(
            action="resident.register",
            actor=actor,
            obj=resident,
            area_id=resident.grid_id,
            new=changes({}, given, hide=PERSONAL_FIELDS)[1],
        )
        _refused_lookups(actor=actor, residents=others)
        return resident


def resident_update(*, resident: Resident, data: ResidentInput, actor: User) -> Resident:
    """Correct or update a registered person; a change of category or risk moves the next
    visit to the new cycle."""
    if (
        not can_register_residents(actor)
        or not residents_visible_to(actor).filter(pk=resident.pk).exists()
    ):
        raise PermissionDenied(_("Only the centres, the village staff and the police edit."))
    if resident.erased_on:
        raise ValidationError({"__all__": [erased_message()]})
    errors = resident_errors(data=data, actor=actor)
    if errors:
        raise ValidationError(errors)
    id_number = data.id_number.strip().upper()
    number_hash = lookup_hash(ID_NUMBER, id_number)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        others = []
        if number_hash != resident.id_number_hash:
            others = _others_with_the_id_number(
                actor=actor,
                number_hash=number_hash,
                message=_("Another registered person has this ID number."),
            )
        before = _audited(resident)
        resident.name = data.name.strip()
        resident.id_number = id_number
        resident.id_number_hash = number_hash
        resident.phone = data.phone.strip()
        resident.address = data.address.strip()
        resident.grid = data.grid
        resident.category = data.category
        resident.risk = data.risk
        resident.situation = data.situation.strip()
        resident.responsible = data.responsible
        resident_schedule(resident)
        resident.save()
        old, new = changes(before, _audited(resident), hide=PERSONAL_FIELDS)
        if new:
            audit_record(
                action="resident.update",
                actor=actor,
                obj=resident,
                area_id=resident.grid_id,
                old=old,
                new=new,
            )
        _refused_lookups(actor=actor, residents=others)
        return resident


def resident_set_status(*, resident: Resident, actor: User, status: str, reason: str) -> Resident:
    """Move a person out of management (moved away, deceased, closed) or back into it; the
    change is kept in the status history and ends (or restarts) the visit cycle."""
    if (
        not can_register_residents(actor)
        or not residents_visible_to(actor).filter(pk=resident.pk).exists()
    ):
        raise PermissionDenied(_("Only the centres, the village staff and the police do this."))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if status not in ResidentStatus.values:
        errors["status"] = [_("Choose a status.")]
    elif status == resident.status:
        errors["status"] = [_("The person has this status already.")]
    elif resident.erased_on:
        errors["status"] = [erased_message()]
    if len(reason) < REASON_MIN:
        errors["reason"] = [
            _("Give the reason (at least %(min)s characters).") % {"min": REASON_MIN}
        ]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Keep the reason to %(max)s characters.") % {"max": REASON_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        resident = Resident.objects.select_for_update().get(pk=resident.pk)
        change = ResidentStatusChange.objects.create(
            resident=resident,
            from_status=resident.status,
            to_status=status,
            reason=reason,
            actor=actor,
        )
        resident.status = status
        resident.closed_on = None if status == ResidentStatus.ACTIVE else timezone.localdate()
        if status == ResidentStatus.ACTIVE:
            # Back under management: the cycle starts again today.
            resident.last_visited_on = resident.last_visited_on or timezone.localdate()
        resident_schedule(resident)
        resident.save()
        audit_record(
            action="resident.status",
            actor=actor,
            obj=resident,
            area_id=resident.grid_id,
            old={"status": change.from_status},
            new={"status": status, "reason": reason},
        )
    return resident


def resident_list(
    *,
    user: User,
    category: str = "",
    risk: str = "",
    status: str = "",
    area: Area | None = None,
    query: str = "",
) -> QuerySet[Resident]:
    residents = residents_visible_to(user).select_related("grid__parent", "responsible")
    if category:
        residents = residents.filter(category=category)
    if risk:
        residents = residents.filter(risk=risk)
    if status:
        residents = residents.filter(status=status)
    if area is not None:
        residents = residents.filter(tree.subtree_q(area, "grid__"))
    if query:
        residents = residents.filter(name__icontains=query)  # by full ID number: resident_lookup
    return residents.order_by("grid__code", "name", "id")
