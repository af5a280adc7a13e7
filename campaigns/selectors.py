"""Campaigns 专项行动: reads. Every figure is counted from the task table, scoped by the
jurisdiction selector: a township watching the county's campaign sees its own part."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTask, TaskStatus
from governance.platform.roles import Role
from grids import tree
from grids.jurisdiction import can_see_area, jurisdiction_root, scope, sees_everything
from grids.models import Area, AreaLevel
from grids.selectors import area_for
from personnel.models import Staff, User

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
    # Scoped by the stored ancestor column of the user's level (CampaignTask's
    # JURISDICTION_COLUMNS): one equality, whatever the planner knows of the area tree.
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


def _mine(user: User) -> Q:
    """What "my tasks" means for each role: the tasks assigned to the user's own roster
    entry (grid workers, members, police and anyone else holding a post), and for the
    village staff also the tasks of their village's grids without a grid worker, which the
    village covers. The centres (township, county) have no tasks of their own unless they
    hold a post themselves: for them "mine" is usually empty."""
    mine = Q(staff__in=Staff.objects.filter(user=user).values("pk"))
    if user.role == Role.VILLAGE_STAFF and user.area_id is not None:
        mine |= Q(staff__isnull=True, village_id=user.area_id)
    return mine


def my_tasks(
    *, user: User, status: str = "", campaign: Campaign | None = None
) -> QuerySet[CampaignTask]:
    """The user's own tasks (see _mine): of one campaign whatever its state, or, without
    one, of the running campaigns (the participants' to-do)."""
    tasks = tasks_visible_to(user).filter(_mine(user))
    if campaign is not None:
        tasks = tasks.filter(campaign=campaign)
    else:
        tasks = tasks.filter(campaign__status=CampaignStatus.RUNNING)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.select_related("campaign", "target", "area").order_by(
        "-status", "campaign__deadline", "target__row", "pk"
    )


# The column holding a task's ancestor at each level (a micro-grid's tasks are its own).
AREA_COLUMNS = {
    AreaLevel.COUNTY: "county_id",
    AreaLevel.TOWNSHIP: "township_id",
    AreaLevel.VILLAGE: "village_id",
    AreaLevel.GRID: "grid_id",
    AreaLevel.MICROGRID: "area_id",
}
# Levels whose page lists the tasks themselves: a village's or a grid's few hundred at most.
TASK_LIST_LEVELS = frozenset({AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID})


def tasks_in_area(tasks: QuerySet[CampaignTask], area: Area) -> QuerySet[CampaignTask]:
    """`tasks` whose area lies in `area`'s subtree, by the stored ancestor column (a city,
    above the stored columns, by the tree)."""
    column = AREA_COLUMNS.get(area.level)
    if column is None:
        return tasks.filter(tree.subtree_q(area, "area__"))
    return tasks.filter(**{column: area.pk})


def campaign_focus(*, campaign: Campaign, user: User, area_pk: int | None = None) -> Area | None:
    """The area whose part of the campaign the user looks at: the area asked for (None when
    it lies outside the user's jurisdiction or outside the campaign: a missing area), or by
    default the campaign's area, or the user's own part of a campaign covering it."""
    if area_pk is not None:
        area = area_for(user=user, pk=area_pk)
        if area is None or not tree.is_within(area, campaign.area):
            return None
        return area
    root = None if sees_everything(user) else jurisdiction_root(user)
    if root is None or tree.is_within(campaign.area, root):
        return campaign.area
    return root


def focus_trail(*, top: Area, focus: Area) -> list[Area]:
    """The areas from `top` (the default focus) down to `focus`, for the breadcrumbs."""
    if focus.pk == top.pk:
        return [focus]
    return list(tree.ancestors(focus, include_self=True).filter(lft__gte=top.lft))


@dataclass
class AreaProgress:
    level: str
    id: int
    name: str
    parent_id: int | None
    done: int
    total: int
    unassigned: int = 0
    # The tasks of the focus area itself rather than of a child (a village's own staff
    # reporting in a campaign of each participant; a grid's tasks seen from the grid).
    itself: bool = False

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Progress:
    area: Area | None = None  # the focus: by_area holds its child areas
    done: int = 0
    total: int = 0
    unassigned: int = 0
    by_area: list[AreaProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def campaign_progress(*, campaign: Campaign, user: User, area: Area | None = None) -> Progress:
    """Done and total in the user's part of the campaign under `area` (by default
    campaign_focus's), overall and for each child area of it (county → townships, township
    → villages, village → grids): one GROUP BY of the tasks by their stored ancestor at
    the child level, then the children's names. The rows add up to the overall figures."""
    focus = area or campaign_focus(campaign=campaign, user=user)
    progress = Progress(area=focus)
    if focus is None:
        return progress
    tasks = campaign_tasks(campaign=campaign, user=user)
    root = None if sees_everything(user) else jurisdiction_root(user)
    if root is None or focus.pk != root.pk:  # the scope holds the root's condition already
        tasks = tasks_in_area(tasks, focus)
    child_level = AreaLevel.below(focus.level)
    column = AREA_COLUMNS.get(child_level) if child_level else None
    figures = {
        "n_total": Count("pk"),
        "n_done": Count("pk", filter=Q(status=TaskStatus.DONE)),
        "n_unassigned": Count("pk", filter=Q(staff__isnull=True)),
    }
    if column is None:  # a micro-grid has no children: one group, the area's own
        groups = [{"child": None, **tasks.aggregate(**figures)}]
    else:
        groups = list(tasks.values(child=F(column)).annotate(**figures).order_by())
    # The children's names by primary key, each checked against the jurisdiction as loaded
    # (can_see_area: scope's subtree test without a query; they hold the scoped tasks).
    children = {
        area.pk: area
        for area in tree.in_order(
            Area.objects.filter(
                pk__in=[g["child"] for g in groups if g["child"] not in (None, focus.pk)]
            )
        ).only("pk", "name", "level", "parent_id", "tree_id", "lft", "rght")
        if can_see_area(user, area)
    }
    own = None
    for group in groups:
        progress.total += group["n_total"]
        progress.done += group["n_done"]
        progress.unassigned += group["n_unassigned"]
        child = children.get(group["child"])
        row = AreaProgress(
            level=child.level if child else focus.level,
            id=child.pk if child else focus.pk,
            name=child.name if child else focus.name,
            parent_id=child.parent_id if child else focus.parent_id,
            done=group["n_done"],
            total=group["n_total"],
            unassigned=group["n_unassigned"],
            itself=child is None,
        )
        if child is None:
            own = row if own is None else _summed(own, row)
        else:
            progress.by_area.append(row)
    order = list(children)
    progress.by_area.sort(key=lambda row: order.index(row.id))
    if own is not None and progress.by_area:
        progress.by_area.append(own)  # the area's own tasks after its children's
    return progress


def _summed(one: AreaProgress, other: AreaProgress) -> AreaProgress:
    one.done += other.done
    one.total += other.total
    one.unassigned += other.unassigned
    return one


def campaign_task_list(
    *,
    campaign: Campaign,
    user: User,
    area: Area | None = None,
    status: str = "",
    unassigned: bool = False,
    mine: bool = False,
) -> QuerySet[CampaignTask]:
    """The user's part of the campaign's tasks, filtered, area by area: to be shown a page
    at a time, never all at once."""
    if mine:
        tasks = my_tasks(user=user, campaign=campaign)
    else:
        tasks = campaign_tasks(campaign=campaign, user=user)
    if area is not None:
        tasks = tasks_in_area(tasks, area)
    if status:
        tasks = tasks.filter(status=status)
    if unassigned:
        tasks = tasks.filter(staff__isnull=True)
    # Grouped by township, village and grid by their stored ids, then in the upload's
    # order: a sort of the task table alone, with no join to the areas for each row.
    return tasks.select_related("target", "area", "staff").order_by(
        "township_id", "village_id", "grid_id", "area_id", "target_id", "pk"
    )


@dataclass
class Laggard:
    staff_id: int
    name: str
    area: str
    phone: str
    has_login: bool
    total: int


def campaign_laggards(
    *, campaign: Campaign, user: User, area: Area | None = None, limit: int = 200
) -> list[Laggard]:
    """Who has not started: people with tasks (under `area`) and none of them done, most
    tasks first."""
    tasks = campaign_tasks(campaign=campaign, user=user)
    rows = (
        (tasks_in_area(tasks, area) if area else tasks)
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


def campaign_unassigned(
    *, campaign: Campaign, user: User, area: Area | None = None
) -> QuerySet[CampaignTask]:
    """Targets in grids without a grid worker (under `area`): the village covers them."""
    tasks = campaign_tasks(campaign=campaign, user=user)
    return (
        (tasks_in_area(tasks, area) if area else tasks)
        .filter(staff__isnull=True)
        .select_related("target", "area", "village")
        .order_by("village__lft", "area__lft", "target__row")
    )


@dataclass
class Curve:
    step: timedelta  # each point counts the tasks done by the end of its hour (or day)
    points: list[tuple[datetime, int]]  # (bucket start, tasks done so far)


def campaign_curve(*, campaign: Campaign, user: User, area: Area | None = None) -> Curve:
    """Tasks done (under `area`) by the end of each hour (or day, for a long campaign)
    since the launch."""
    start = campaign.launched_at or campaign.starts_at
    end = min(campaign.finished_at or timezone.now(), campaign.deadline)
    if campaign.finished_at is None and timezone.now() > campaign.deadline:
        end = timezone.now()
    hourly = end - start <= HOURLY_UP_TO
    trunc = TruncHour if hourly else TruncDay
    tasks = campaign_tasks(campaign=campaign, user=user)
    rows = (
        (tasks_in_area(tasks, area) if area else tasks)
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
