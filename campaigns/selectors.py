"""Campaigns 专项行动: reads. Every figure is counted from the task table, scoped by the
jurisdiction selector: a township watching the county's campaign sees its own part."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTask, TaskStatus
from governance.platform.roles import Role
from grids import tree
from grids.jurisdiction import jurisdiction_root, scope, sees_everything
from grids.models import Area, AreaLevel
from personnel.models import User

# Up to this long a campaign's completion curve is drawn by the hour, beyond by the day.
HOURLY_UP_TO = timedelta(days=3)


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """Campaigns over the user's subtree, and the launched ones that cover it from above
    (the county's campaign, seen by a township or a grid worker taking part)."""
    if sees_everything(user):
        return Campaign.objects.all()
    root = jurisdiction_root(user)
    if root is None:
        return Campaign.objects.none()
    own = scope(user, Campaign.objects.all(), via="area")
    covering = Campaign.objects.filter(
        area__in=tree.ancestors(root), status__in=[CampaignStatus.RUNNING, CampaignStatus.FINISHED]
    )
    return (own | covering).distinct()


def campaign_for(*, user: User, pk: int) -> Campaign | None:
    return campaigns_visible_to(user).select_related("area", "created_by").filter(pk=pk).first()


def campaigns_list(*, user: User, status: str = "", query: str = "") -> QuerySet[Campaign]:
    campaigns = campaigns_visible_to(user).select_related("area", "created_by")
    if status:
        campaigns = campaigns.filter(status=status)
    if query:
        campaigns = campaigns.filter(title__icontains=query)
    return campaigns.annotate(
        total=Count("tasks"), done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE))
    ).order_by("-created_at", "-id")


def tasks_visible_to(user: User) -> QuerySet[CampaignTask]:
    return scope(user, CampaignTask.objects.all(), via="area")


def campaign_tasks(*, campaign: Campaign, user: User) -> QuerySet[CampaignTask]:
    return tasks_visible_to(user).filter(campaign=campaign)


def task_for(*, user: User, pk: int) -> CampaignTask | None:
    return (
        tasks_visible_to(user)
        .select_related("campaign", "target", "staff", "area", "village", "case")
        .filter(pk=pk)
        .first()
    )


def my_tasks(*, user: User, status: str = "") -> QuerySet[CampaignTask]:
    """The user's own tasks in running campaigns, and for the village staff the tasks of
    their village's grids that have no grid worker."""
    mine = Q(staff__user=user)
    if user.role == Role.VILLAGE_STAFF and user.area_id is not None:
        mine |= Q(staff__isnull=True, village_id=user.area_id)
    tasks = tasks_visible_to(user).filter(mine, campaign__status=CampaignStatus.RUNNING)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.select_related("campaign", "target", "area").order_by(
        "-status", "campaign__deadline", "target__row", "pk"
    )


@dataclass
class AreaProgress:
    level: str
    id: int
    name: str
    parent_id: int | None
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Progress:
    done: int = 0
    total: int = 0
    unassigned: int = 0
    by_area: list[AreaProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def campaign_progress(*, campaign: Campaign, user: User, levels: tuple[str, ...] = ()) -> Progress:
    """Done and total overall and per township, village and grid (or only `levels`)."""
    tasks = campaign_tasks(campaign=campaign, user=user)
    done = Count("pk", filter=Q(status=TaskStatus.DONE))
    totals = tasks.aggregate(
        total=Count("pk"), done=done, unassigned=Count("pk", filter=Q(staff__isnull=True))
    )
    progress = Progress(**totals)
    counts: list[tuple[str, int, int, int]] = []
    columns = {
        AreaLevel.TOWNSHIP: "township",
        AreaLevel.VILLAGE: "village",
        AreaLevel.GRID: "area",
    }
    for level, column in columns.items():
        if levels and level not in levels:
            continue
        rows = tasks.exclude(**{f"{column}__isnull": True})
        if level == AreaLevel.GRID:
            rows = rows.filter(area__level=AreaLevel.GRID)
        for area_id, n_total, n_done in (
            rows.values_list(column).annotate(n_total=Count("pk"), n_done=done).order_by()
        ):
            counts.append((level, area_id, n_total, n_done))
    areas = {
        area.pk: area
        for area in Area.objects.filter(pk__in={c[1] for c in counts}).only(
            "pk", "name", "parent_id", "tree_id", "lft"
        )
    }
    rows = [
        AreaProgress(
            level=level,
            id=area_id,
            name=areas[area_id].name,
            parent_id=areas[area_id].parent_id,
            done=n_done,
            total=n_total,
        )
        for level, area_id, n_total, n_done in counts
    ]
    rows.sort(key=lambda row: (areas[row.id].tree_id, areas[row.id].lft))
    progress.by_area = rows
    return progress


@dataclass
class Laggard:
    staff_id: int
    name: str
    area: str
    phone: str
    has_login: bool
    total: int


def campaign_laggards(*, campaign: Campaign, user: User, limit: int = 200) -> list[Laggard]:
    """Who has not started: people with tasks and none of them done, most tasks first."""
    rows = (
        campaign_tasks(campaign=campaign, user=user)
        .filter(staff__isnull=False)
        .values("staff_id", "staff__name", "staff__phone", "staff__user_id", "area__name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)))
        .filter(done=0)
        .order_by("-total", "staff__name")[:limit]
    )
    return [
        Laggard(
            staff_id=row["staff_id"],
            name=row["staff__name"],
            area=row["area__name"],
            phone=row["staff__phone"],
            has_login=row["staff__user_id"] is not None,
            total=row["total"],
        )
        for row in rows
    ]


def campaign_unassigned(*, campaign: Campaign, user: User) -> QuerySet[CampaignTask]:
    """Targets in grids without a grid worker: the village covers them."""
    return (
        campaign_tasks(campaign=campaign, user=user)
        .filter(staff__isnull=True)
        .select_related("target", "area", "village")
        .order_by("village__lft", "area__lft", "target__row")
    )


@dataclass
class Curve:
    step: timedelta  # each point counts the tasks done by the end of its hour (or day)
    points: list[tuple[datetime, int]]  # (bucket start, tasks done so far)


def campaign_curve(*, campaign: Campaign, user: User) -> Curve:
    """Tasks done by the end of each hour (or day, for a long campaign) since the launch."""
    start = campaign.launched_at or campaign.starts_at
    end = min(campaign.finished_at or timezone.now(), campaign.deadline)
    if campaign.finished_at is None and timezone.now() > campaign.deadline:
        end = timezone.now()
    hourly = end - start <= HOURLY_UP_TO
    trunc = TruncHour if hourly else TruncDay
    rows = (
        campaign_tasks(campaign=campaign, user=user)
        .filter(status=TaskStatus.DONE)
        .annotate(bucket=trunc("done_at", tzinfo=timezone.get_current_timezone()))
        .values_list("bucket")
        .annotate(n=Count("pk"))
        .order_by("bucket")
    )
    points = []
    running = 0
    for bucket, n in rows:
        running += n
        points.append((bucket, running))
    return Curve(step=timedelta(hours=1) if hourly else timedelta(days=1), points=points)


def campaign_results(*, campaign: Campaign, user: User) -> QuerySet[CampaignTask]:
    """Every task with what the export shows, in the tree's order."""
    return (
        campaign_tasks(campaign=campaign, user=user)
        .select_related("target", "staff", "area", "village", "township", "done_by", "case")
        .order_by("township__lft", "village__lft", "area__lft", "target__row", "pk")
    )
