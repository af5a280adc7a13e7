"""Tap to call on a case's page: a party's or a handler's full mobile, for the call only,
each written to the audit log with its purpose (the numbers stay masked on every page)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.services import audit_record
from disputes.models import Case
from governance.platform.calls import CALL_PURPOSE
from governance.platform.validators import purpose_errors
from grids.jurisdiction import can_call_parties
from personnel.models import User


class NoNumber(LookupError):
    """No such party or line, or no mobile on record for them."""


@transaction.atomic
def case_party_call(*, case: Case, actor: User, index: int) -> tuple[str, str]:
    """(name, full mobile) of the case's party number `index`, for those who may call the
    parties (grids.jurisdiction.can_call_parties); logged as case.party_call."""
    if not can_call_parties(actor, case):
        raise PermissionDenied
    parties = case.parties or []
    if not 0 <= index < len(parties) or not parties[index].get("phone"):
        raise NoNumber
    party = parties[index]
    audit_record(
        action="case.party_call",
        actor=actor,
        obj=case,
        area_id=case.grid_id,
        new={"purpose": CALL_PURPOSE, "party": party.get("name", "")},
    )
    return party.get("name", ""), party["phone"]


@transaction.atomic
def case_handler_call(*, case: Case, actor: User, assignment_id: int) -> tuple[str, str]:
    """(name, full mobile) of the handler of one of the case's lines, from the roster, for
    anyone who sees the case (they work on it together); logged as case.handler_call."""
    lines = case.assignments.select_related("handler__staff", "staff")
    line = lines.filter(pk=assignment_id).first()
    if line is None:
        raise NoNumber
    handler_staff = getattr(line.handler, "staff", None) if line.handler_id else None
    staff = line.staff or handler_staff
    if staff is None or not staff.phone:
        raise NoNumber
    audit_record(
        action="case.handler_call",
        actor=actor,
        obj=case,
        area_id=case.grid_id,
        new={"purpose": CALL_PURPOSE, "line": line.line, "handler": staff.name},
    )
    return staff.name, staff.phone


@transaction.atomic
def case_party_reveal(*, case: Case, actor: User, index: int, reason: str) -> dict[str, str]:
    """The full phone and ID number of the case's party number `index`, for a stated
    purpose written to the audit log (case.party_reveal); refused without one, and to
    anyone who may not call the parties."""
    if not can_call_parties(actor, case):
        raise PermissionDenied
    parties = case.parties or []
    if not 0 <= index < len(parties):
        raise NoNumber
    reason = (reason or "").strip()
    if errors := purpose_errors(reason):
        raise ValidationError(errors)
    party = parties[index]
    audit_record(
        action="case.party_reveal",
        actor=actor,
        obj=case,
        area_id=case.grid_id,
        new={"purpose": reason, "party": party.get("name", "")},
    )
    return {"id_number": party.get("id_number", ""), "phone": party.get("phone", "")}
