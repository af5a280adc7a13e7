"""The register of residents of concern 重点人员与特殊人群 (toward issue 6): who may register
whom, what each role may see, and the exact lookup by ID number. Every read goes through
`residents_visible_to`: the jurisdiction's subtree (a grid worker: their own grid), and no
sensitive category for roles that do not need it unless they are responsible for the
person."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from governance.jurisdiction import can_register_residents, can_see, scope, sees_sensitive_residents
from governance.validators import id_number_is_valid, mobile_is_valid
from grids import tree
from grids.models import (
    SENSITIVE_CATEGORIES,
    AccessAction,
    Area,
    AreaLevel,
    Resident,
    ResidentAccess,
    ResidentCategory,
    RiskLevel,
)
from grids.sensitive import lookup_hash
from personnel.models import Staff

ID_NUMBER = "id_number"
NAME_MAX = 40
SITUATION_MAX = 2000


def residents_visible_to(user) -> QuerySet[Resident]:
    residents = scope(user, Resident.objects.all(), via="grid")
    if sees_sensitive_residents(user):
        return residents
    return residents.filter(~Q(category__in=SENSITIVE_CATEGORIES) | Q(responsible__user_id=user.pk))


def resident_find(*, user, id_number: str) -> Resident | None:
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


def resident_errors(*, data: ResidentInput, actor) -> dict[str, list[str]]:
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


def resident_register(*, data: ResidentInput, actor) -> Resident:
    if not can_register_residents(actor):
        raise PermissionDenied(_("Only the centres, the village staff and the police register."))
    errors = resident_errors(data=data, actor=actor)
    if errors:
        raise ValidationError(errors)
    id_number = data.id_number.strip().upper()
    try:
        with transaction.atomic():
            return Resident.objects.create(
                name=data.name.strip(),
                id_number=id_number,
                id_number_hash=lookup_hash(ID_NUMBER, id_number),
                phone=data.phone.strip(),
                address=data.address.strip(),
                grid=data.grid,
                category=data.category,
                risk=data.risk,
                situation=data.situation.strip(),
                responsible=data.responsible,
                created_by=actor,
            )
    except IntegrityError:  # the same person, registered already (here or elsewhere)
        raise ValidationError(
            {"id_number": [_("This person is registered already; search by ID number.")]}
        ) from None


# --- Access: every detail view, reveal, lookup and export is written down ----------------

REASON_MIN = 4
REASON_MAX = 200


def resident_access_record(*, resident: Resident, actor, action: str, reason: str = "") -> None:
    ResidentAccess.objects.create(resident=resident, actor=actor, action=action, reason=reason)


def resident_detail(*, user, pk: int) -> Resident | None:
    """One resident the user may see, its detail view written to the access log."""
    resident = (
        residents_visible_to(user)
        .select_related("grid__parent", "responsible")
        .filter(pk=pk)
        .first()
    )
    if resident is not None:
        resident_access_record(resident=resident, actor=user, action=AccessAction.VIEW)
    return resident


def resident_reveal(*, resident: Resident, actor, reason: str) -> dict[str, str]:
    """The full ID number and phone, for a stated purpose that the access log keeps."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {
                "reason": [
                    _(
                        "Say why you need the full ID number and phone "
                        "(at least %(min)s characters)."
                    )
                    % {"min": REASON_MIN}
                ]
            }
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason to %(max)s characters.") % {"max": REASON_MAX}]}
        )
    resident_access_record(
        resident=resident, actor=actor, action=AccessAction.REVEAL, reason=reason
    )
    return {"id_number": resident.id_number, "phone": resident.phone}


def resident_lookup(*, user, id_number: str) -> Resident | None:
    """resident_find, written to the access log when it finds someone."""
    resident = resident_find(user=user, id_number=id_number)
    if resident is not None:
        resident_access_record(resident=resident, actor=user, action=AccessAction.LOOKUP)
    return resident


def resident_list(
    *,
    user,
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
