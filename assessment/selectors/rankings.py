"""Reading the monthly rankings, always through the user's jurisdiction: the committee sees
its county's drafts and published months; everyone else sees published months only, and
only the rows of the areas in their own subtree (a township its own row and its villages)
and of the areas their own lies in (a grid worker sees their village's and township's place).
A vetoed area 一票否决 has no rank: it is listed after the ranked ones, whatever the sort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet

from assessment.models import RankingRow, RankingSnapshot, SnapshotStatus
from assessment.services.rankings import newest_of
from governance.platform.months import month_start
from grids import tree
from grids.jurisdiction import (
    can_edit_scoring,
    jurisdiction_root,
    scope_with_own_line,
    sees_everything,
)
from grids.models import AreaLevel
from personnel.models import User

RANKED_LEVELS = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)


def snapshots_visible_to(user: User) -> QuerySet[RankingSnapshot]:
    snapshots = RankingSnapshot.objects.select_related("county")
    if sees_everything(user):
        return snapshots
    root = jurisdiction_root(user)
    if root is None:
        return snapshots.none()
    # The counties in the user's subtree (a city's), and the county the user's area lies in.
    enclosing = Q(
        county__tree_id=root.tree_id, county__lft__lte=root.lft, county__rght__gte=root.rght
    )
    snapshots = snapshots.filter(tree.subtree_q(root, "county__") | enclosing)
    if not can_edit_scoring(user):
        snapshots = snapshots.filter(status=SnapshotStatus.PUBLISHED)
    return snapshots


def snapshot_for(
    *, user: User, month: date, version: int | None = None, county_id: int | None = None
) -> RankingSnapshot | None:
    """The month's snapshot the user sees: the asked version, else the newest published,
    else (for the committee) the draft."""
    snapshots = snapshots_visible_to(user).filter(month=month_start(month))
    if county_id is not None:
        snapshots = snapshots.filter(county_id=county_id)
    if version is not None:
        return snapshots.filter(version=version).first()
    return newest_of(snapshots)


def months_ranked(*, user: User) -> list[date]:
    return list(
        snapshots_visible_to(user).order_by("-month").values_list("month", flat=True).distinct()
    )


def snapshot_versions(*, user: User, snapshot: RankingSnapshot) -> list[RankingSnapshot]:
    return list(
        snapshots_visible_to(user)
        .filter(county_id=snapshot.county_id, month=snapshot.month)
        .order_by("version")
    )


def ranking_rows(
    *,
    user: User,
    snapshot: RankingSnapshot,
    level: str = "",
    township_id: int | None = None,
    sort: str = "rank",
) -> list[RankingRow]:
    rows = _visible_rows(user, snapshot.rows.all()).select_related("area", "township")
    if level:
        rows = rows.filter(level=level)
    if township_id is not None:
        rows = rows.filter(Q(township_id=township_id) | Q(area_id=township_id))
    # Rows of published snapshots from before vetoed areas went unranked keep a rank: the
    # veto flag, not the rank, puts them last.
    ordered = list(rows.order_by("level", "veto", F("rank").asc(nulls_last=True), "area__code"))
    column = sort.lstrip("-") or "rank"
    if column == "rank":
        if sort.startswith("-"):
            ordered = ordered[::-1]
    else:
        # Any other column (an indicator's code included); an unknown one keeps rank order.
        ordered = sorted(ordered, key=_sort_key(column), reverse=sort.startswith("-"))
    return [row for row in ordered if not row.veto] + [row for row in ordered if row.veto]


def _visible_rows(user: User, rows: QuerySet[RankingRow]) -> QuerySet[RankingRow]:
    return scope_with_own_line(user, rows, via="area")


def _sort_key(column: str):
    def key(row: RankingRow):
        if column == "name":
            return (row.area.code,)
        if column == "score":
            return (row.score,)
        if column == "change":
            change = row.rank_change
            return (change is not None, change or 0)
        entry = row.values.get(column) or {}
        value = entry.get("value")
        return (value is not None, Decimal(value) if value is not None else Decimal(0))

    return key


def ranking_row(*, user: User, snapshot: RankingSnapshot, area_id: int) -> RankingRow | None:
    return (
        _visible_rows(user, snapshot.rows.filter(area_id=area_id))
        .select_related("area", "township")
        .first()
    )


def level_sizes(*, snapshot: RankingSnapshot) -> dict[str, int]:
    """How many areas each level ranks ("3rd of 12"), which is no secret of any area."""
    counted = snapshot.rows.filter(veto=False).values("level").annotate(n=Count("pk")).order_by()
    return {row["level"]: row["n"] for row in counted}


@dataclass
class VersionChange:
    row: RankingRow
    before: RankingRow | None


def version_changes(
    *, user: User, snapshot: RankingSnapshot, earlier: RankingSnapshot
) -> list[VersionChange]:
    """Rows whose score, rank, veto or number of cases differ from the earlier version's."""
    before = {row.area_id: row for row in ranking_rows(user=user, snapshot=earlier)}
    changes = []
    for row in ranking_rows(user=user, snapshot=snapshot):
        old = before.get(row.area_id)
        if old is None or (old.score, old.rank, old.veto, old.cases) != (
            row.score,
            row.rank,
            row.veto,
            row.cases,
        ):
            changes.append(VersionChange(row=row, before=old))
    return changes


# Where each user's own place is ranked: village-level posts (village staff, village police,
# grid workers, N members) among villages, everyone else among townships.
VILLAGE_SIDE = frozenset({AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID})


def landing_level(*, user: User) -> str:
    root = jurisdiction_root(user)
    if root is not None and root.level in VILLAGE_SIDE:
        return AreaLevel.VILLAGE
    return AreaLevel.TOWNSHIP


def own_places(*, user: User, snapshot: RankingSnapshot) -> list[RankingRow]:
    """The rows of the user's own township and village (those at ranked levels among their
    area and the areas above it), township first."""
    root = jurisdiction_root(user)
    if root is None:
        return []
    own = tree.ancestors(root, include_self=True).filter(level__in=RANKED_LEVELS).values("pk")
    rows = _visible_rows(user, snapshot.rows.filter(area_id__in=own))
    return list(rows.select_related("area").order_by("level"))
