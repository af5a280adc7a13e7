"""The monthly ranking 一月一排名 as snapshots: each month computed into a draft the county
committee reviews and publishes; a published month is frozen, and a correction is a new
version with its reason. The values themselves come from assessment.services.values."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import BulletinSequence, RankingRow, RankingSnapshot, SnapshotStatus
from assessment.services.incidents import three_zero_failures
from assessment.services.scoring import CENT, SCORED_LEVELS, scheme_ensure
from assessment.services.values import (
    AreaLine,
    competition_ranks,
    indicator_snapshot,
    ranking_lines,
)
from audit.services import audit_record
from governance.platform.bulk import insert_rows
from governance.platform.months import month_start, previous_month
from grids.jurisdiction import can_edit_scoring, can_publish_rankings, can_see
from grids.models import Area, AreaLevel
from personnel.models import User

__all__ = [
    "MonthPublished",
    "newest_of",
    "ranking_publish",
    "rankings_compute",
    "rankings_compute_all",
]

REASON_MAX = 500


def newest_of(snapshots: QuerySet[RankingSnapshot]) -> RankingSnapshot | None:
    """The snapshot of a month to show: its newest published version, else its draft."""
    published = snapshots.filter(status=SnapshotStatus.PUBLISHED).order_by("-version").first()
    return published or snapshots.filter(status=SnapshotStatus.DRAFT).first()


def _rows(
    *, snapshot: RankingSnapshot, lines: list[AreaLine], vetoes: dict[int, list[str]]
) -> list[dict]:
    """The snapshot's rows as {column: value}, for one INSERT (governance.platform.bulk)."""
    previous = newest_of(
        RankingSnapshot.objects.filter(
            county_id=snapshot.county_id, month=previous_month(snapshot.month)
        )
    )
    before = (
        dict(previous.rows.values_list("area_id", "rank").order_by())
        if previous is not None
        else {}
    )
    before_score = (
        dict(previous.rows.values_list("area_id", "score").order_by())
        if previous is not None
        else {}
    )
    # 一票否决: an area that failed "三零" keeps its score but takes no place; the ranked
    # areas close up behind it.
    ranked = [line for line in lines if not vetoes.get(line.area_id)]
    ranks: dict[int, int] = {}
    for level in SCORED_LEVELS:
        ranks.update(competition_ranks([line for line in ranked if line.level == level]))
    in_township: dict[int, int] = {}
    by_township: dict[int | None, list[AreaLine]] = defaultdict(list)
    for line in ranked:
        if line.level == AreaLevel.VILLAGE:
            by_township[line.township_id].append(line)
    for villages in by_township.values():
        in_township.update(competition_ranks(villages))
    rows = []
    for line in lines:
        score = line.score.quantize(CENT, rounding=ROUND_HALF_UP)
        kinds = vetoes.get(line.area_id, [])
        rows.append(
            {
                "snapshot_id": snapshot.pk,
                "area_id": line.area_id,
                "level": line.level,
                "township_id": line.township_id,
                "score": score,
                "rank": ranks.get(line.area_id),
                "rank_in_township": in_township.get(line.area_id),
                "previous_rank": before.get(line.area_id),
                "score_change": (
                    score - before_score[line.area_id] if line.area_id in before_score else None
                ),
                "veto": bool(kinds),
                "veto_kinds": kinds,
                "safe_candidate": (
                    line.level == AreaLevel.VILLAGE
                    and not kinds
                    and score >= snapshot.scheme.safe_village_score
                ),
                "cases": line.figures["counted"],
                "below_minimum": line.figures["counted"] < snapshot.min_cases,
                "values": line.values,
                "figures": line.figures,
            }
        )
    return rows


class MonthPublished(Exception):
    """The month is published; only an explicit new version may recompute it."""

    def __init__(self, snapshot: RankingSnapshot) -> None:
        super().__init__(str(snapshot))
        self.snapshot = snapshot


def rankings_compute(
    *,
    county: Area,
    month: date,
    actor: User | None = None,
    new_version: bool = False,
    reason: str = "",
) -> RankingSnapshot:
    """Compute the month into its draft (made or rewritten in place). A published month is
    frozen: it raises MonthPublished unless `new_version` asks for the next version, which
    needs a reason and leaves the published one as it was."""
    month = month_start(month)
    reason = (reason or "").strip()
    if actor is not None and not (can_edit_scoring(actor) and can_see(actor, county)):
        raise PermissionDenied(_("Only the county committee computes the rankings."))
    if new_version and not reason:
        raise ValidationError({"reason": [_("Say why the month is computed again.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason to %(max)s characters.") % {"max": REASON_MAX}]}
        )
    if month > month_start(timezone.localdate()):
        raise ValidationError({"month": [_("A month in the future cannot be ranked.")]})
    scheme = scheme_ensure(county=county, year=month.year)
    indicators = indicator_snapshot(list(scheme.indicators.all()))
    try:
        with transaction.atomic():
            # One computation of a county at a time: the next waits and then sees its draft.
            Area.objects.select_for_update().filter(pk=county.pk).first()
            snapshots = RankingSnapshot.objects.filter(county=county, month=month)
            draft = snapshots.filter(status=SnapshotStatus.DRAFT).first()
            newest = snapshots.order_by("-version").first()
            fields = {
                "scheme": scheme,
                "indicators": indicators,
                "min_cases": scheme.min_cases,
                "below_min_rule": scheme.below_min_rule,
                "computed_at": timezone.now(),
                "computed_by": actor,
            }
            if draft is not None:
                for name, value in fields.items():
                    setattr(draft, name, value)
                if reason:
                    draft.reason = reason
                draft.save()
                draft.rows.all().delete()
                snapshot = draft
            elif newest is not None and not new_version:
                raise MonthPublished(newest)
            else:
                snapshot = RankingSnapshot.objects.create(
                    county=county,
                    month=month,
                    version=newest.version + 1 if newest else 1,
                    reason=reason,
                    **fields,
                )
            lines = ranking_lines(county=county, month=month, scheme=scheme, indicators=indicators)
            insert_rows(
                RankingRow,
                _rows(snapshot=snapshot, lines=lines, vetoes=three_zero_failures(month=month)),
            )
            audit_record(
                action="ranking.new_version" if new_version else "ranking.compute",
                actor=actor,
                obj=snapshot,
                area_id=county.pk,
                new={"month": month, "version": snapshot.version, "reason": reason},
            )
    except IntegrityError:  # two first computations raced on a backend without row locks
        draft = RankingSnapshot.objects.filter(
            county=county, month=month, status=SnapshotStatus.DRAFT
        ).first()
        if draft is None:
            raise
        return draft
    return snapshot


def _next_document_number(*, county_id: int, year: int) -> tuple[int, int]:
    """The county's next bulletin number 文号 of `year`, inside the caller's transaction. The
    sequence row is locked until it commits: a second publication waits and takes the next
    number; a rolled-back one gives its number back."""
    sequence, _created = BulletinSequence.objects.select_for_update().get_or_create(
        county_id=county_id, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return year, sequence.last_number


def ranking_publish(*, snapshot: RankingSnapshot, actor: User) -> RankingSnapshot:
    if not (can_publish_rankings(actor) and can_see(actor, snapshot.county)):
        raise PermissionDenied(_("Only the county committee publishes the rankings."))
    with transaction.atomic():
        locked = RankingSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        if locked.status != SnapshotStatus.DRAFT:
            raise ValidationError(_("This version is already published."))
        locked.status = SnapshotStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.document_year, locked.document_number = _next_document_number(
            county_id=locked.county_id, year=timezone.localdate().year
        )
        locked.save(
            update_fields=[
                "status",
                "published_at",
                "published_by",
                "document_year",
                "document_number",
            ]
        )
        audit_record(
            action="ranking.publish",
            actor=actor,
            obj=locked,
            area_id=locked.county_id,
            old={"status": SnapshotStatus.DRAFT},
            new={
                "status": locked.status,
                "month": locked.month,
                "version": locked.version,
                "document_number": locked.document_number,
            },
        )
    return locked


def rankings_compute_all(*, month: date) -> list[RankingSnapshot]:
    """The monthly task: every county's month into its draft; published months stay."""
    computed = []
    for county in Area.objects.filter(level=AreaLevel.COUNTY):
        try:
            computed.append(rankings_compute(county=county, month=month))
        except MonthPublished:
            continue
    return computed
