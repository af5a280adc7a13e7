"""Work on several cases at once from the centres' list: assign the ticked cases to one
line and handler, each through case_assign, all or none."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from disputes.models import Case, CaseAction
from disputes.services.workflow import case_assign
from grids.jurisdiction import can_act_on_case
from personnel.models import User


def cases_assign_batch(
    *,
    cases: Sequence[Case],
    actor: User,
    line: str,
    unit: str = "",
    handler: User | None = None,
    note: str = "",
) -> list[Case]:
    """Assign every case on `line` (to `handler` or `unit`, else as the roster routes each),
    one by one in one transaction: if one of them cannot be assigned, none is, and the
    error names each case that failed ({case number: [messages]})."""
    if not all(can_act_on_case(actor, case, CaseAction.ASSIGN) for case in cases):
        raise PermissionDenied
    assigned, errors = [], {}
    with transaction.atomic():
        for case in cases:
            try:
                with transaction.atomic():
                    assigned.append(
                        case_assign(
                            case=case,
                            actor=actor,
                            lines=[{"line": line, "unit": unit, "handler": handler}],
                            note=note,
                        )
                    )
            except ValidationError as error:
                errors[str(case.pk)] = error.messages
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return assigned
