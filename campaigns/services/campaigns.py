"""Campaigns 专项行动: writes. A centre drafts a campaign over its subtree, gives its targets
(a list of items, each with its grid, or "each participant reports once"), and launches it:
one INSERT … SELECT makes every task, each target going to its grid's grid worker (a grid
without one leaves the task to the village). Participants complete their tasks from the
phone, idempotent on the phone's UUID; reminders go to those with work left, on demand and
once automatically before the deadline. Reads are in `campaigns.selectors`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.services import audit_record, snapshot
from campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTask,
    TargetMode,
    TaskStatus,
)
from campaigns.selectors import campaigns_visible_to, tasks_visible_to
from disputes.services import case_report_draft
from disputes.services.reporting import CaseDraft
from governance.platform.resends import made_before, once, resent_first, uuid_in_use
from governance.platform.roles import Role
from grids.importing import read_table
from grids.jurisdiction import (
    can_complete_task,
    can_manage_campaign,
    can_organise,
    can_see,
    scope,
)
from grids.models import Area, AreaLevel
from grids.services import AreaImportError
from notifications.models import NotificationKind
from notifications.services import notify_all
from personnel.models import MemberType, Post, PostKind, User
from personnel.selectors import open_posts_sql

MAX_TARGETS = 50_000
RESULT_MAX = 500
# The automatic reminder goes out this long before the deadline (or at a quarter of a
# shorter campaign's time left).
REMIND_BEFORE = timedelta(hours=2)
ORGANISED_LEVELS = (AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
TARGET_HEADERS = {
    "名称": "name",
    "对象": "name",
    "姓名": "name",
    "name": "name",
    "网格编码": "grid",
    "网格代码": "grid",
    "网格": "grid",
    "grid": "grid",
    "grid_code": "grid",
    "地址": "detail",
    "说明": "detail",
    "备注": "detail",
    "detail": "detail",
    "address": "detail",
}


# --- Drafting -------------------------------------------------------------------------------


@dataclass
class CampaignInput:
    title: str
    instructions: str
    area: Area
    target_mode: str
    starts_at: datetime
    deadline: datetime
    post_kinds: list[str]
    member_types: list[str]
    needs_photo: bool = False
    needs_location: bool = False
    client_uuid: uuid.UUID | None = None


# What the audit log keeps of a new campaign.
CAMPAIGN_RECORDED = (
    "title",
    "area",
    "target_mode",
    "post_kinds",
    "member_types",
    "starts_at",
    "deadline",
)


def campaign_errors(*, actor: User, data: CampaignInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the campaign a title.")]
    if not data.instructions.strip():
        errors["instructions"] = [_("Say what the participants are to do.")]
    if data.area.level not in ORGANISED_LEVELS:
        errors["area"] = [_("A campaign covers a county, township or village.")]
    elif not can_see(actor, data.area):
        errors["area"] = [_("This area lies outside your jurisdiction.")]
    if data.target_mode not in TargetMode.values:
        errors["target_mode"] = [_("Choose a list of items or one report from each participant.")]
    if data.deadline <= data.starts_at:
        errors["deadline"] = [_("The deadline must come after the start.")]
    elif data.deadline <= timezone.now():
        errors["deadline"] = [_("The deadline must be in the future.")]
    unknown = [kind for kind in data.post_kinds if kind not in PostKind.values]
    if unknown:
        errors["post_kinds"] = [_("Unknown post: %(kinds)s.") % {"kinds": ", ".join(unknown)}]
    elif data.target_mode == TargetMode.EACH_PARTICIPANT and not data.post_kinds:
        errors["post_kinds"] = [_("Choose who takes part.")]
    unknown = [kind for kind in data.member_types if kind not in MemberType.values]
    if unknown:
        errors["member_types"] = [
            _("Unknown member type: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        ]
    return errors


def campaign_create(*, actor: User, data: CampaignInput) -> Campaign:
    """A draft; the same client UUID again returns the draft it made."""
    if not can_organise(actor):
        raise PermissionDenied(_("Only the county and township centres launch campaigns."))
    return once(
        campaigns_visible_to(actor),
        client_uuid=data.client_uuid,
        actor=actor,
        make=lambda: _create(actor, data),
    )


def _create(actor: User, data: CampaignInput) -> Campaign:
    errors = campaign_errors(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=data.title.strip(),
            instructions=data.instructions.strip(),
            area=data.area,
            target_mode=data.target_mode,
            post_kinds=sorted(set(data.post_kinds)),
            member_types=sorted(set(data.member_types)),
            needs_photo=data.needs_photo,
            needs_location=data.needs_location,
            starts_at=data.starts_at,
            deadline=data.deadline,
            client_uuid=data.client_uuid,
            created_by=actor,
        )
        audit_record(
            action="campaign.create",
            actor=actor,
            obj=campaign,
            area_id=campaign.area_id,
            new=snapshot(campaign, CAMPAIGN_RECORDED),
        )
    return campaign


@dataclass
class TargetRow:
    line: int
    name: str
    grid: str  # the grid's code
    detail: str = ""


def targets_read(stream: IO[bytes], filename: str) -> list[TargetRow]:
    """The rows of an uploaded target list: columns 名称, 网格编码 and optionally 地址."""

    try:
        table = read_table(stream, filename)
    except AreaImportError as error:
        raise ValidationError({"file": [message for _line, message in error.errors]}) from error
    if not table:
        raise ValidationError({"file": [_("The file is empty.")]})
    header = [TARGET_HEADERS.get(cell.strip().lower(), "") for cell in table[0]]
    if "name" not in header or "grid" not in header:
        raise ValidationError(
            {"file": [_("The first row must name the columns 名称 and 网格编码 (and 地址).")]}
        )
    index = {
        column: header.index(column) for column in ("name", "grid", "detail") if column in header
    }
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append(
            TargetRow(line=line, **{column: cells[i].strip() for column, i in index.items()})
        )
    return rows


def campaign_targets_set(*, campaign: Campaign, actor: User, rows: list[TargetRow]) -> int:
    """Replace the draft's targets. Every row must name a grid of the campaign's area; the
    errors name their rows (at most the first twenty)."""
    _require_organiser_of(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError({"file": [_("Targets can only be changed before the launch.")]})
    if campaign.target_mode != TargetMode.ITEMS:
        raise ValidationError({"file": [_("This campaign has one report per participant.")]})
    if not rows:
        raise ValidationError({"file": [_("The list has no targets.")]})
    if len(rows) > MAX_TARGETS:
        raise ValidationError(
            {"file": [_("At most %(max)s targets per campaign.") % {"max": MAX_TARGETS}]}
        )
    grids = dict(
        scope(actor, Area.objects.filter(level=AreaLevel.GRID))
        .filter(
            tree_id=campaign.area.tree_id, lft__gte=campaign.area.lft, rght__lte=campaign.area.rght
        )
        .filter(code__in={row.grid for row in rows})
        .values_list("code", "pk")
    )
    problems = []
    targets = []
    for row in rows:
        if not row.name:
            problems.append(_("Row %(line)s: the name is empty.") % {"line": row.line})
        elif len(row.name) > 100 or len(row.detail) > 200:
            problems.append(
                _("Row %(line)s: keep the name to 100 and the address to 200 characters.")
                % {"line": row.line}
            )
        elif row.grid not in grids:
            problems.append(
                _("Row %(line)s: “%(grid)s” is not a grid of %(area)s.")
                % {"line": row.line, "grid": row.grid, "area": campaign.area.name}
            )
        else:
            targets.append(
                CampaignTarget(
                    campaign=campaign,
                    row=row.line,
                    name=row.name,
                    detail=row.detail,
                    grid_id=grids[row.grid],
                )
            )
    if problems:
        more = len(problems) - 20
        if more > 0:
            problems = [
                *problems[:20],
                ngettext("…and %(count)s more row.", "…and %(count)s more rows.", more)
                % {"count": more},
            ]
        raise ValidationError({"file": problems})
    with transaction.atomic():
        replaced = campaign.targets.all().delete()[0]
        CampaignTarget.objects.bulk_create(targets, batch_size=2000)
        audit_record(
            action="campaign.targets",
            actor=actor,
            obj=campaign,
            area_id=campaign.area_id,
            old={"targets": replaced},
            new={"targets": len(targets)},
        )
    return len(targets)


def _require_organiser_of(actor: User, campaign: Campaign) -> None:
    if not can_manage_campaign(actor, campaign):
        raise PermissionDenied(_("Only the organisers of this campaign may do this."))


# --- Launch: the fan-out ----------------------------------------------------------------


@dataclass
class LaunchResult:
    tasks: int
    unassigned: int  # targets in grids with no grid worker, left to their village


def campaign_launch(*, campaign: Campaign, actor: User) -> LaunchResult:
    _require_organiser_of(actor, campaign)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("area").get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError({"status": [_("This campaign has already been launched.")]})
        if campaign.deadline <= timezone.now():
            raise ValidationError({"deadline": [_("The deadline has passed; set a new one.")]})
        now = timezone.now()
        if campaign.target_mode == TargetMode.ITEMS:
            if not campaign.targets.exists():
                raise ValidationError({"file": [_("Upload the list of targets first.")]})
            _fan_out_targets(campaign, now)
        else:
            _fan_out_participants(campaign, now)
            if not campaign.tasks.exists():
                raise ValidationError({"post_kinds": [_("Nobody in this area holds these posts.")]})
        campaign.status = CampaignStatus.RUNNING
        campaign.launched_at = now
        campaign.save(update_fields=["status", "launched_at", "updated_at"])
        counts = campaign.tasks.aggregate(
            tasks=Count("pk"), unassigned=Count("pk", filter=Q(staff__isnull=True))
        )
        # One entry for the whole fan-out, with its counts: the tasks are the campaign's.
        audit_record(
            action="campaign.launch",
            actor=actor,
            obj=campaign,
            area_id=campaign.area_id,
            old={"status": CampaignStatus.DRAFT},
            new={"status": campaign.status, **counts},
        )
        _tell_assignees(campaign, pending_only=False)
    return LaunchResult(tasks=counts["tasks"], unassigned=counts["unassigned"])


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fan_out_targets(campaign: Campaign, now: datetime) -> None:
    # Each target to the grid worker of its grid (at most one open post: a constraint);
    # the village, township and county are the grid's parent, grandparent and above.
    sql = f"""
        INSERT INTO {_table(CampaignTask)}
            (campaign_id, target_id, staff_id, area_id, grid_id, village_id, township_id,
             county_id, status, result, photo, created_at)
        SELECT t.campaign_id, t.id,
            (SELECT p.staff_id FROM {_table(Post)} p
              WHERE p.area_id = t.grid_id AND p.kind = %s AND p."end" IS NULL
                AND p.start <= %s),
            t.grid_id, t.grid_id, g.parent_id, v.parent_id, w.parent_id, %s, '', '', %s
        FROM {_table(CampaignTarget)} t
        JOIN {_table(Area)} g ON g.id = t.grid_id
        JOIN {_table(Area)} v ON v.id = g.parent_id
        JOIN {_table(Area)} w ON w.id = v.parent_id
        WHERE t.campaign_id = %s
        ORDER BY t.id
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [PostKind.GRID_WORKER, timezone.localdate(now), TaskStatus.PENDING, now, campaign.pk],
        )


def _fan_out_participants(campaign: Campaign, now: datetime) -> None:
    """One task per person holding a chosen post in the area (once, however many posts)."""
    posts, params = open_posts_sql(
        area=campaign.area,
        kinds=list(campaign.post_kinds),
        member_types=list(campaign.member_types),
        day=timezone.localdate(now),
    )
    sql = f"""
        INSERT INTO {_table(CampaignTask)}
            (campaign_id, target_id, staff_id, area_id, status, result, photo, created_at)
        SELECT %s, NULL, held.staff_id, MIN(held.area_id), %s, '', '', %s
        FROM ({posts}) held
        GROUP BY held.staff_id
        ORDER BY held.staff_id
    """
    # Then each task's village and township: its area's ancestors at those levels; its
    # county, the township's parent (or the area itself); its grid, the area or, for a
    # micro-grid, the area's parent.
    area, task = _table(Area), _table(CampaignTask)
    ancestor = f"""(SELECT x.id FROM {area} x, {area} a
        WHERE a.id = {task}.area_id AND x.tree_id = a.tree_id
          AND x.lft <= a.lft AND x.rght >= a.rght AND x.level = %s)"""
    ancestors = f"""
        UPDATE {task} SET village_id = {ancestor}, township_id = {ancestor}
        WHERE campaign_id = %s
    """
    county_and_grid = f"""
        UPDATE {task} SET
            county_id = COALESCE(
                (SELECT w.parent_id FROM {area} w WHERE w.id = {task}.township_id),
                (SELECT a.id FROM {area} a WHERE a.id = {task}.area_id AND a.level = %s)),
            grid_id = (SELECT CASE a.level WHEN %s THEN a.id WHEN %s THEN a.parent_id END
                         FROM {area} a WHERE a.id = {task}.area_id)
        WHERE campaign_id = %s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, TaskStatus.PENDING, now, *params])
        cursor.execute(ancestors, [AreaLevel.VILLAGE, AreaLevel.TOWNSHIP, campaign.pk])
        cursor.execute(
            county_and_grid,
            [AreaLevel.COUNTY, AreaLevel.GRID, AreaLevel.MICROGRID, campaign.pk],
        )


def _tell_assignees(campaign: Campaign, *, pending_only: bool, actor: User | None = None) -> int:
    """One inbox message (and SMS) to everyone with tasks, however many, and to the staff
    of each village whose grids without a grid worker left it tasks: set-based, whatever
    the number of people (governance benchmarks: the launch's fan-out)."""
    tasks = campaign.tasks.all()
    if pending_only:
        tasks = tasks.filter(status=TaskStatus.PENDING)
    assignees = User.objects.filter(pk__in=tasks.values("staff__user"))
    if actor is not None:
        assignees = assignees.exclude(pk=actor.pk)
    villages = User.objects.filter(
        role=Role.VILLAGE_STAFF,
        area_id__in=tasks.filter(staff__isnull=True, village__isnull=False).values("village"),
    )
    facts = {
        "title": campaign.title,
        "deadline": timezone.localtime(campaign.deadline).strftime("%Y-%m-%d %H:%M"),
    }
    if pending_only:
        mine = _("Reminder: campaign “%(title)s”: you still have tasks to do by %(deadline)s.")
        village = _(
            "Reminder: campaign “%(title)s”: targets in your village's grids without a grid "
            "worker are still to be covered by %(deadline)s."
        )
    else:
        mine = _("Campaign “%(title)s”: you have tasks to do by %(deadline)s; see My tasks.")
        village = _(
            "Campaign “%(title)s”: some targets lie in grids without a grid worker; the "
            "village covers them by %(deadline)s."
        )
    told = notify_all(kind=NotificationKind.CAMPAIGN_TASK, text=mine % facts, users=assignees)
    told += notify_all(kind=NotificationKind.CAMPAIGN_TASK, text=village % facts, users=villages)
    return told


# --- Running ----------------------------------------------------------------------------


def campaign_remind(*, campaign: Campaign, actor: User) -> int:
    """Remind everyone with tasks still to do; returns how many people were told."""
    _require_organiser_of(actor, campaign)
    if campaign.status != CampaignStatus.RUNNING:
        raise ValidationError({"status": [_("Only a running campaign sends reminders.")]})
    return _tell_assignees(campaign, pending_only=True, actor=actor)


def campaigns_remind_before_deadline(*, now: datetime | None = None) -> int:
    """The automatic reminder: once per campaign, REMIND_BEFORE its deadline (a quarter of
    the time left for a short one). Each campaign is claimed by a conditional UPDATE, so two
    workers never remind twice."""
    now = now or timezone.now()
    reminded = 0
    due = Campaign.objects.filter(
        status=CampaignStatus.RUNNING,
        deadline_reminded_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + REMIND_BEFORE,
    )
    for campaign in due:
        left = campaign.deadline - (campaign.launched_at or campaign.starts_at)
        if campaign.deadline - now > min(REMIND_BEFORE, left / 4):
            continue
        with transaction.atomic():
            claimed = Campaign.objects.filter(
                pk=campaign.pk, deadline_reminded_at__isnull=True
            ).update(deadline_reminded_at=now)
            if claimed:
                _tell_assignees(campaign, pending_only=True)
                reminded += 1
    return reminded


def campaigns_finish_due(*, now: datetime | None = None) -> int:
    """Running campaigns whose deadline has passed are finished: one UPDATE."""
    now = now or timezone.now()
    return Campaign.objects.filter(status=CampaignStatus.RUNNING, deadline__lte=now).update(
        status=CampaignStatus.FINISHED, finished_at=now, updated_at=now
    )


def campaign_end(*, campaign: Campaign, actor: User, cancel: bool = False) -> Campaign:
    """Finish a running campaign early (or cancel a draft or a running one)."""
    _require_organiser_of(actor, campaign)
    allowed = (
        (CampaignStatus.DRAFT, CampaignStatus.RUNNING) if cancel else (CampaignStatus.RUNNING,)
    )
    now = timezone.now()
    status = CampaignStatus.CANCELLED if cancel else CampaignStatus.FINISHED
    with transaction.atomic():
        before = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign.pk, status__in=allowed)
            .values_list("status", flat=True)
            .first()
        )
        if before is None:
            raise ValidationError({"status": [_("This campaign has already ended.")]})
        Campaign.objects.filter(pk=campaign.pk).update(
            status=status, finished_at=now, updated_at=now
        )
        audit_record(
            action="campaign.cancel" if cancel else "campaign.end",
            actor=actor,
            obj=campaign,
            area_id=campaign.area_id,
            old={"status": before},
            new={"status": status},
        )
    campaign.refresh_from_db()
    return campaign


# --- Completing a task ------------------------------------------------------------------


@dataclass
class TaskInput:
    client_uuid: uuid.UUID
    result: str
    location_lat: Decimal | None = None
    location_lng: Decimal | None = None
    photo: Any = None
    raise_case: CaseDraft | None = None


@dataclass
class TaskResult:
    task: CampaignTask
    created: bool  # False: it was already done (a resend, or someone else did it)


def task_errors(*, task: CampaignTask, data: TaskInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    campaign = task.campaign
    if not data.result.strip():
        errors["result"] = [_("Say in a few words what you found or did.")]
    elif len(data.result) > RESULT_MAX:
        errors["result"] = [_("Keep the result to %(max)s characters.") % {"max": RESULT_MAX}]
    if campaign.needs_photo and not data.photo:
        errors["photo"] = [_("This campaign asks for a photo.")]
    if campaign.needs_location and (data.location_lat is None or data.location_lng is None):
        errors["location"] = [_("This campaign asks for your location: allow it on the phone.")]
    return errors


def _resent(*, task: CampaignTask, actor: User, data: TaskInput) -> TaskResult | None:
    """The task this UUID completed, if it is this one and `actor` completed it and may see it;
    None if the UUID completed nothing; any other use of it is refused."""
    done = made_before(
        tasks_visible_to(actor), client_uuid=data.client_uuid, actor=actor, by="done_by"
    )
    if done is None:
        return None
    if done.pk != task.pk:
        raise uuid_in_use()
    return TaskResult(done, created=False)


@resent_first(_resent)
def task_complete(*, task: CampaignTask, actor: User, data: TaskInput) -> TaskResult:
    """Mark a task done. The same client UUID again returns it; a task done already (by a
    resend from another phone, or by the village on the worker's behalf) stays done once."""
    if not can_complete_task(actor, task):
        raise PermissionDenied(_("This task is not yours to complete."))
    if task.status == TaskStatus.DONE:
        return TaskResult(task, created=False)
    if task.campaign.status != CampaignStatus.RUNNING:
        raise ValidationError({"campaign": [_("This campaign is not running.")]})
    errors = task_errors(task=task, data=data)
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            task = CampaignTask.objects.select_for_update().select_related("area").get(pk=task.pk)
            if task.status == TaskStatus.DONE:
                return TaskResult(task, created=False)
            task.status = TaskStatus.DONE
            task.result = data.result.strip()
            task.client_uuid = data.client_uuid
            task.location_lat = data.location_lat
            task.location_lng = data.location_lng
            task.done_at = timezone.now()
            task.done_by = actor
            if data.raise_case is not None:
                task.case = _raise_case(task=task, actor=actor, data=data)
            if data.photo:
                task.photo.save(data.photo.name, data.photo, save=False)
                stored.append(task.photo.name)
            task.save()
            audit_record(
                action="task.complete",
                actor=actor,
                obj=task,
                area_id=task.area_id,
                old={"status": TaskStatus.PENDING},
                new={
                    "status": TaskStatus.DONE,
                    "campaign": task.campaign_id,
                    "photo": bool(data.photo),
                    "case": task.case_id,
                },
            )
    except BaseException:  # a concurrent resend too: theirs is the task done (resent_first)
        _remove(stored)
        raise
    return TaskResult(task, created=True)


def _remove(names: list[str]) -> None:
    for name in names:
        CampaignTask.photo.field.storage.delete(name)


def _raise_case(*, task: CampaignTask, actor: User, data: TaskInput):

    grid = task.area
    if grid.level not in (AreaLevel.GRID, AreaLevel.MICROGRID):
        grid = actor.area if actor.area and actor.area.level == AreaLevel.GRID else None
    if grid is None:
        raise ValidationError(
            {"case_grid": [_("This task lies in no grid: report the case from the report page.")]}
        )
    parties = []
    if task.target_id is not None:
        parties = [{"name": task.target.name, "role": _("campaign target")}]
    return case_report_draft(
        draft=data.raise_case,
        reporter=actor,
        source_uuid=data.client_uuid,
        grid=grid,
        parties=parties,
        location_lat=data.location_lat,
        location_lng=data.location_lng,
    )
