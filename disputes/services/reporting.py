"""Filing a report from the field: validated, placed in the tree, idempotent on the
client's UUID."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import (
    Case,
    CaseAction,
    CaseLevel,
    CaseStatus,
    Category,
    Severity,
)
from disputes.selectors.cases import case_intake_staff, cases_visible_to
from disputes.services import notices
from disputes.services.config import category_for_grid, county_id_of, restart_clock
from disputes.services.events import notify_case, record_event
from governance.platform.resends import made_before, resent_first
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from grids.jurisdiction import can_see
from grids.models import Area, AreaLevel
from notifications.models import NotificationKind
from personnel.models import User

MAX_PARTIES = 20


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


def _resent(*, client_uuid: uuid.UUID, reporter: User, **_) -> ReportResult | None:
    visible = cases_visible_to(reporter)
    existing = made_before(visible, client_uuid=client_uuid, actor=reporter, by="reporter")
    return ReportResult(existing, created=False) if existing is not None else None


@resent_first(_resent)
def case_report(
    *,
    reporter: User,
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
    """File a report; the same client UUID again returns the case already filed (to its
    reporter, while they may see it: governance.platform.resends)."""
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
    # Each county keeps its own categories: a case takes one of its own county's.
    if "grid" not in errors and category.county_id != county_id_of(grid):
        errors["category"] = [
            _("“%(category)s” is not a category of the county this grid lies in.")
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
    restart_clock(case, timezone.now())
    with transaction.atomic():
        case.save()
        record_event(case, actor=reporter, action=CaseAction.REPORT, from_status="")
        notify_case(
            case,
            kind=NotificationKind.NEW_REPORT,
            recipients=case_intake_staff(case=case),
            actor=reporter,
            text=notices.new_report,
        )
    return ReportResult(case, created=True)


@dataclass
class CaseDraft:
    """A case raised in the same step as other field work (a visit, a campaign task): what
    the case report form asks. The form knows the reporter, not the grid: the case takes
    the category of the same code in its grid's county (category_for_grid)."""

    kind: str
    category: Category
    title: str
    description: str
    severity: str = Severity.ORDINARY
    criminal_risk: bool = False


def case_report_draft(
    *,
    draft: CaseDraft,
    reporter: User,
    source_uuid: uuid.UUID,
    grid: Area,
    parties: list | None = None,
    location_lat: Any = None,
    location_lng: Any = None,
) -> Case:
    """File the draft as a case. Its UUID derives from the field work's own, so a resent
    visit or task never files a second case; errors come back under "case_<field>"."""
    try:
        result = case_report(
            reporter=reporter,
            client_uuid=uuid.uuid5(source_uuid, "case"),
            kind=draft.kind,
            category=category_for_grid(category=draft.category, grid=grid),
            title=draft.title.strip(),
            description=draft.description.strip(),
            grid=grid,
            severity=draft.severity,
            criminal_risk=draft.criminal_risk,
            parties=parties,
            location_lat=location_lat,
            location_lng=location_lng,
        )
    except ValidationError as error:
        raise ValidationError(
            {f"case_{field}": problems for field, problems in error.message_dict.items()}
        ) from error
    return result.case
