"""Editing the scoring scheme 考核方案 from the settings page: the whole scheme as one change,
and a month's grid of the committee's entered values, each all or nothing. The rules
themselves (what a valid scheme and a valid value are) live in assessment.services.scoring."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from assessment.models import EnteredValue, Indicator, ScoringScheme, Source
from assessment.services.scoring import (
    entered_value_set,
    indicator_problems,
    scheme_errors,
    weight_problems,
)
from audit.services import audit_record, changes, snapshot
from grids import tree
from grids.jurisdiction import can_edit_scoring, can_see, jurisdiction_root, scope
from grids.models import Area, AreaLevel
from personnel.models import User

logger = logging.getLogger(__name__)

# The settings page's two writes: the whole scheme at once, and a month's grid of values.

EDITABLE_FIELDS = [
    "code",
    "name",
    "source",
    "formula",
    "weight",
    "direction",
    "full_marks_at",
    "zero_at",
    "is_percentage",
    "unit",
    "applies_to_township",
    "applies_to_village",
    "sort_order",
]
SCHEME_AUDITED = ("min_cases", "below_min_rule", "safe_village_score", "note")
STALE_PAGE = _lazy("An indicator on this page was changed or deleted meanwhile; reload the page.")


def indicator_error_key(row: int, field: str) -> str:
    """How scheme_update names a problem of the `row`-th indicator it was given."""
    return f"indicators.{row}.{field}"


def scoring_counties_for(user: User) -> list[Area]:
    """The counties whose scheme `user` may read: the county their jurisdiction lies in
    (a township is judged by it) and any county inside their jurisdiction."""
    counties = list(
        tree.in_order(
            scope(user, Area.objects.filter(level__in=[AreaLevel.CITY, AreaLevel.COUNTY]))
        )
    )
    root = jurisdiction_root(user)
    if root is not None and root.level not in (AreaLevel.CITY, AreaLevel.COUNTY):
        above = tree.ancestor_at_level(root, AreaLevel.COUNTY)
        if above is not None:
            counties.insert(0, above)
    return counties


def _require_scoring_editor(actor: User, county: Area) -> None:
    if not can_edit_scoring(actor):
        raise PermissionDenied(_("Only the county committee changes the scoring scheme."))
    if not can_see(actor, county):
        raise PermissionDenied(_("This scoring scheme belongs to another county."))


@transaction.atomic
def scheme_update(
    *,
    scheme: ScoringScheme,
    actor: User,
    min_cases: int,
    below_min_rule: str,
    note: str,
    indicators: list[dict],
    deleted: Iterable[int] = (),
    dry_run: bool = False,
    safe_village_score: Decimal | None = None,
) -> ScoringScheme:
    """Save the scheme and its indicators as one change, or nothing at all.

    `indicators` are rows of EDITABLE_FIELDS, with "id" for an existing indicator (a row
    gives only the fields it changes); existing indicators neither listed nor `deleted`
    stay as they are. A problem of the n-th row is keyed `indicator_error_key(n, field)`;
    problems of the whole scheme (weights per level) are not keyed by a field. `dry_run`
    checks everything and writes nothing (the page asks before deleting)."""
    _require_scoring_editor(actor, scheme.county)
    scheme = ScoringScheme.objects.select_for_update().get(pk=scheme.pk)
    before = snapshot(scheme, SCHEME_AUDITED)
    errors: dict[str, list[str]] = {}
    scheme.min_cases, scheme.below_min_rule, scheme.note = min_cases, below_min_rule, note
    if safe_village_score is not None:  # None: as it is
        scheme.safe_village_score = safe_village_score
    try:
        scheme.clean_fields(exclude=["county", "year"])
    except ValidationError as error:
        errors.update(error.message_dict)

    existing = {i.pk: i for i in scheme.indicators.all()}
    deleted = set(deleted)
    if not deleted <= existing.keys():
        errors.setdefault(NON_FIELD_ERRORS, []).append(str(STALE_PAGE))
    listed: dict[int, Indicator] = {}  # row number → the indicator as it would be saved
    listed_pks: set[int] = set()
    for n, row in enumerate(indicators):
        pk = row.get("id")
        if pk is not None and (pk not in existing or pk in deleted or pk in listed_pks):
            errors[indicator_error_key(n, NON_FIELD_ERRORS)] = [str(STALE_PAGE)]
            continue
        if pk is not None:
            listed_pks.add(pk)
        base = existing.get(pk) or Indicator()  # a new row starts from the model's defaults
        candidate = Indicator(
            pk=pk, scheme=scheme, **{f: row.get(f, getattr(base, f)) for f in EDITABLE_FIELDS}
        )
        try:
            candidate.clean_fields(exclude=["scheme"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[indicator_error_key(n, field)] = messages
            continue
        listed[n] = candidate
        for field, message in indicator_problems(candidate):
            errors.setdefault(indicator_error_key(n, field), []).append(message)

    untouched = [i for pk, i in existing.items() if pk not in listed_pks and pk not in deleted]
    for i in untouched:  # changed elsewhere (the admin) and not on this page
        errors.setdefault(NON_FIELD_ERRORS, []).extend(m for _f, m in indicator_problems(i))
    _duplicates_refused(listed, untouched, errors)
    if len(listed) == len(indicators):  # every weight is a number: the totals mean something
        totals = weight_problems(untouched + list(listed.values()))
        errors.setdefault(NON_FIELD_ERRORS, []).extend(totals)
    errors = {key: messages for key, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    if dry_run:
        return scheme

    scheme.save(update_fields=["min_cases", "below_min_rule", "safe_village_score", "note"])
    Indicator.objects.filter(scheme=scheme, pk__in=deleted).delete()  # their values go too
    changed = [
        i
        for i in listed.values()
        if i.pk is not None
        and any(getattr(i, f) != getattr(existing[i.pk], f) for f in EDITABLE_FIELDS)
    ]
    try:
        with transaction.atomic():
            Indicator.objects.bulk_update(changed, EDITABLE_FIELDS)
            Indicator.objects.bulk_create([i for i in listed.values() if i.pk is None])
    except IntegrityError as error:  # a code taken by another change at the same moment
        raise ValidationError(str(STALE_PAGE)) from error
    # The stored result is what the monthly run reads: check it, not the rows given.
    problems = scheme_errors(scheme=scheme)
    if problems:
        raise ValidationError(problems)
    _audit_scheme(scheme, actor=actor, before=before, existing=existing, listed=listed,
                  changed=changed, deleted=deleted)  # fmt: skip
    logger.info(
        "scoring scheme %s (%s %s) saved by %s: %d changed, %d added, %d deleted",
        scheme.pk,
        scheme.county_id,
        scheme.year,
        actor.pk,
        len(changed),
        sum(1 for i in listed.values() if i.pk is None),
        len(deleted),
    )
    return scheme


@transaction.atomic
def scheme_create(
    *,
    scheme: ScoringScheme,
    actor: User,
    min_cases: int,
    below_min_rule: str,
    note: str,
    indicators: list[dict],
    safe_village_score: Decimal | None = None,
) -> ScoringScheme:
    """Save a year's first scheme from its draft (scoring.scheme_draft, unsaved, as the page
    showed it): the scheme and all of `indicators` (rows as scheme_update takes them, none
    with an id) as one change checked and audited by scheme_update, or nothing at all."""
    _require_scoring_editor(actor, scheme.county)
    try:
        with transaction.atomic():
            stored = ScoringScheme.objects.create(
                county=scheme.county,
                year=scheme.year,
                min_cases=scheme.min_cases,
                below_min_rule=scheme.below_min_rule,
                safe_village_score=scheme.safe_village_score,
            )
    except IntegrityError as error:  # saved meanwhile from another page
        raise ValidationError(str(STALE_PAGE)) from error
    return scheme_update(
        scheme=stored,
        actor=actor,
        min_cases=min_cases,
        below_min_rule=below_min_rule,
        note=note,
        indicators=indicators,
        safe_village_score=safe_village_score,
    )


def _audit_scheme(
    scheme: ScoringScheme,
    *,
    actor: User,
    before: dict,
    existing: dict[int, Indicator],
    listed: dict[int, Indicator],
    changed: list[Indicator],
    deleted: set[int],
) -> None:
    """The change as one audit entry: the scheme's own fields, and each indicator changed,
    added (no old value) or deleted (no new value), by its code."""
    old, new = changes(before, snapshot(scheme, SCHEME_AUDITED))
    for indicator in changed:
        was, now = changes(
            snapshot(existing[indicator.pk], EDITABLE_FIELDS), snapshot(indicator, EDITABLE_FIELDS)
        )
        old[f"indicator {existing[indicator.pk].code}"] = was
        new[f"indicator {existing[indicator.pk].code}"] = now
    for indicator in listed.values():
        if indicator.pk is None or indicator.pk not in existing:
            new[f"indicator {indicator.code}"] = snapshot(indicator, EDITABLE_FIELDS)
    for pk in deleted:
        old[f"indicator {existing[pk].code}"] = snapshot(existing[pk], EDITABLE_FIELDS)
        new[f"indicator {existing[pk].code}"] = None
    audit_record(
        action="settings.change",
        actor=actor,
        obj=scheme,
        area_id=scheme.county_id,
        old=old,
        new=new,
    )


def _duplicates_refused(
    listed: dict[int, Indicator], untouched: list[Indicator], errors: dict[str, list[str]]
) -> None:
    """Codes are unique in a scheme, and each figure computed from the data counts once
    (the same rate twice would double its weight)."""
    codes = {i.code for i in untouched}
    sources = {i.source for i in untouched if i.source != Source.ENTERED}
    for n, i in listed.items():
        if i.code in codes:
            errors.setdefault(indicator_error_key(n, "code"), []).append(
                _("Another indicator of this scheme has the code %(code)s.") % {"code": i.code}
            )
        codes.add(i.code)
        if i.source == Source.ENTERED:
            continue
        if i.source in sources:
            errors.setdefault(indicator_error_key(n, "source"), []).append(
                _("%(source)s is already counted by another indicator; use it once.")
                % {"source": Source(i.source).label}
            )
        sources.add(i.source)


def entered_values_set(
    *, month: date, values: Mapping[tuple[int, int], object], actor: User
) -> list[EnteredValue]:
    """Save a month's grid of entered values {(indicator id, area id): value}, every cell
    checked by entered_value_set, all or nothing. An empty cell is skipped: it neither
    writes nor deletes. Problems come back keyed by the cell's (indicator id, area id)."""
    cells = {key: str(raw).strip() for key, raw in values.items() if raw is not None}
    cells = {key: raw for key, raw in cells.items() if raw}
    indicators = Indicator.objects.select_related("scheme__county").in_bulk(
        {indicator_id for indicator_id, _area in cells}
    )
    areas = Area.objects.in_bulk({area_id for _indicator, area_id in cells})
    errors: dict[tuple[int, int], list[str]] = {}
    saved: list[EnteredValue] = []
    with transaction.atomic():
        for (indicator_id, area_id), raw in cells.items():
            indicator, area = indicators.get(indicator_id), areas.get(area_id)
            if indicator is None:
                errors[(indicator_id, area_id)] = [str(STALE_PAGE)]
                continue
            if area is None:
                errors[(indicator_id, area_id)] = [_("Choose an area in your jurisdiction.")]
                continue
            try:
                saved.append(
                    entered_value_set(
                        indicator=indicator, area=area, month=month, value=raw, actor=actor
                    )
                )
            except ValidationError as error:
                errors[(indicator_id, area_id)] = error.messages
        if errors:
            raise ValidationError(errors)  # leaves the atomic block: nothing is kept
    return saved
