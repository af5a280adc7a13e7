"""Supervision inspections 督导检查: the county's visits to townships and villages, each with
its checklist, score and the problems found, which are tracked until fixed. The month's
average score per area feeds the assessment's inspection indicator."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from governance.platform.months import month_start, next_month
from governance.platform.resends import once
from grids import tree
from grids.jurisdiction import (
    can_fix_problems,
    can_record_inspections,
    can_see,
    scope,
)
from grids.models import Area, AreaLevel
from personnel.models import User
from supervision.models import Inspection, InspectionItem, InspectionProblem, ProblemStatus

# The county's usual checklist; an inspection may add, drop or reword items.
DEFAULT_CHECKLIST = [
    gettext_lazy("The governance centre is set up to standard and staffed on duty"),
    gettext_lazy("Grid workers are in post and patrol their grids"),
    gettext_lazy("The dispute ledger is complete and cases are closed on time"),
    gettext_lazy("Residents of concern are visited on their cycle"),
    gettext_lazy("One police officer, three specialists and N members are in place"),
    gettext_lazy("Analysis meetings are held and minuted"),
    gettext_lazy("Safety publicity reaches the villages"),
    gettext_lazy("Files and records are kept in order"),
]
INSPECTED_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
BACKDATE_DAYS = 92


@dataclass
class ItemInput:
    text: str
    passed: bool
    note: str = ""


@dataclass
class ProblemInput:
    description: str
    fix_by: date


@dataclass
class InspectionInput:
    area: Area
    inspected_on: date
    inspectors: str
    score: Decimal
    summary: str = ""
    items: list[ItemInput] = field(default_factory=list)
    problems: list[ProblemInput] = field(default_factory=list)
    client_uuid: uuid.UUID | None = None


def inspections_visible_to(user: User) -> QuerySet[Inspection]:
    return scope(user, Inspection.objects.all(), via="area")


def inspection_for(*, user: User, pk: int) -> Inspection | None:
    return inspections_visible_to(user).select_related("area", "created_by").filter(pk=pk).first()


def inspections_list(
    *, user: User, area: Area | None = None, query: str = ""
) -> QuerySet[Inspection]:
    inspections = inspections_visible_to(user).select_related("area", "area__parent")
    if area is not None:
        inspections = inspections.filter(tree.subtree_q(area, "area__"))
    if query:
        inspections = inspections.filter(
            Q(summary__icontains=query) | Q(inspectors__icontains=query) | Q(area__name=query)
        )
    open_problems = Q(problems__status=ProblemStatus.OPEN)
    return inspections.annotate(
        problem_count=Count("problems"), open_count=Count("problems", filter=open_problems)
    ).order_by("-inspected_on", "-id")


def problems_visible_to(user: User) -> QuerySet[InspectionProblem]:
    return scope(user, InspectionProblem.objects.all(), via="inspection__area")


def problems_list(
    *, user: User, status: str = "", overdue: bool = False
) -> QuerySet[InspectionProblem]:
    problems = problems_visible_to(user).select_related("inspection", "inspection__area")
    if status:
        problems = problems.filter(status=status)
    if overdue:
        problems = problems.filter(status=ProblemStatus.OPEN, fix_by__lt=timezone.localdate())
    return problems.order_by("status", "fix_by", "pk")


def inspection_errors(*, actor: User, data: InspectionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if data.area.level not in INSPECTED_LEVELS:
        errors["area"] = [_("Inspections are of townships and villages.")]
    elif not can_see(actor, data.area):
        errors["area"] = [_("This area lies outside your jurisdiction.")]
    if data.inspected_on > today:
        errors["inspected_on"] = [_("Record an inspection once it has been made.")]
    elif (today - data.inspected_on).days > BACKDATE_DAYS:
        errors["inspected_on"] = [
            _("Record an inspection within %(days)s days.") % {"days": BACKDATE_DAYS}
        ]
    if not data.inspectors.strip():
        errors["inspectors"] = [_("Name the inspectors.")]
    if data.score is None or not Decimal(0) <= data.score <= Decimal(100):
        errors["score"] = [_("The score is between 0 and 100.")]
    if not data.items:
        errors["items"] = [_("Check at least one item.")]
    for index, item in enumerate(data.items):
        if not item.text.strip() or len(item.text) > 200 or len(item.note) > 300:
            errors[f"items-{index}"] = [
                _("Each item needs its text (200 characters at most; notes 300).")
            ]
    for index, problem in enumerate(data.problems):
        problems = []
        if not problem.description.strip() or len(problem.description) > 500:
            problems.append(_("Describe the problem in at most 500 characters."))
        if problem.fix_by < data.inspected_on:
            problems.append(_("The deadline to fix it comes after the inspection."))
        if problems:
            errors[f"problems-{index}"] = problems
    return errors


def inspection_record(*, actor: User, data: InspectionInput) -> Inspection:
    """The same client UUID again returns the inspection recorded."""
    if not can_record_inspections(actor):
        raise PermissionDenied(_("Supervision inspections are recorded by the county."))
    return once(
        inspections_visible_to(actor),
        client_uuid=data.client_uuid,
        actor=actor,
        make=lambda: _record(actor, data),
    )


def _record(actor: User, data: InspectionInput) -> Inspection:
    errors = inspection_errors(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = Inspection.objects.create(
            area=data.area,
            inspected_on=data.inspected_on,
            inspectors=data.inspectors.strip(),
            score=data.score,
            summary=data.summary.strip(),
            client_uuid=data.client_uuid,
            created_by=actor,
        )
        # Its score feeds the assessment's 督导检查 indicator.
        audit_record(
            action="inspection.record",
            actor=actor,
            obj=inspection,
            area_id=data.area.pk,
            new={"inspected_on": data.inspected_on, "score": data.score},
        )
        InspectionItem.objects.bulk_create(
            InspectionItem(
                inspection=inspection,
                position=position,
                text=item.text.strip(),
                passed=item.passed,
                note=item.note.strip(),
            )
            for position, item in enumerate(data.items, start=1)
        )
        InspectionProblem.objects.bulk_create(
            InspectionProblem(
                inspection=inspection,
                description=problem.description.strip(),
                fix_by=problem.fix_by,
            )
            for problem in data.problems
        )
    return inspection


def problem_fix(
    *, problem: InspectionProblem, actor: User, note: str, fixed_on: date | None = None
) -> InspectionProblem:
    """The inspected area reports the problem fixed; a conditional UPDATE, once."""
    if not can_fix_problems(actor) or not problems_visible_to(actor).filter(pk=problem.pk).exists():
        raise PermissionDenied(_("Only the inspected area's centres report problems fixed."))
    fixed_on = fixed_on or timezone.localdate()
    errors = {}
    if not note.strip():
        errors["fix_note"] = [_("Say how the problem was fixed.")]
    elif len(note) > 500:
        errors["fix_note"] = [_("Keep this to 500 characters.")]
    if fixed_on > timezone.localdate():
        errors["fixed_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    changed = InspectionProblem.objects.filter(pk=problem.pk, status=ProblemStatus.OPEN).update(
        status=ProblemStatus.FIXED, fixed_on=fixed_on, fix_note=note.strip(), fixed_by=actor
    )
    if not changed:
        raise ValidationError({"status": [_("This problem has already been closed.")]})
    problem.refresh_from_db()
    return problem


def inspection_scores(*, county: Area, month: date) -> dict[int, tuple[Decimal, int]]:
    """(sum of scores, number of inspections) per inspected area in the month."""
    start = month_start(month)
    end = next_month(start)
    rows = (
        Inspection.objects.filter(
            tree.subtree_q(county, "area__"), inspected_on__gte=start, inspected_on__lt=end
        )
        .values_list("area_id")
        .annotate(Sum("score"), Count("pk"))
        .order_by()
    )
    return {area_id: (total, count) for area_id, total, count in rows}
