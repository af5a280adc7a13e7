"""The monthly inspection 月度巡检: a maintenance task for every camera offline longer than
the county's limit in the month, opened once (a second run adds none), and closed by the
people who follow the repair up, with a note."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cameras.models import MaintenanceTask, TaskStatus
from cameras.selectors import offline_cameras, tasks_visible_to
from governance.platform.months import month_start
from grids.jurisdiction import can_close_camera_tasks, can_manage_cameras
from personnel.models import User

# A camera offline longer than this in the month gets a maintenance task.
OFFLINE_HOURS_LIMIT = 24


def tasks_generate(*, actor: User, month: date, min_hours: int = OFFLINE_HOURS_LIMIT) -> int:
    """Open the month's maintenance tasks in the actor's jurisdiction; returns how many."""
    if not can_manage_cameras(actor):
        raise PermissionDenied(_("The monthly inspection is run by the county."))
    month = month_start(month)
    offline = offline_cameras(user=actor, month=month, min_hours=min_hours)
    with transaction.atomic():
        before = tasks_visible_to(actor).filter(month=month).count()
        MaintenanceTask.objects.bulk_create(
            [
                MaintenanceTask(camera=row.camera, month=month, offline_hours=row.offline_hours)
                for row in offline
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        opened = tasks_visible_to(actor).filter(month=month).count() - before
        if opened:
            audit_record(
                action="camera.tasks_generate",
                actor=actor,
                object_type="cameras.maintenancetask",
                area_id=actor.area_id,
                new={"month": month, "opened": opened, "min_hours": min_hours},
            )
    return opened


def task_close(*, task: MaintenanceTask, actor: User, note: str) -> MaintenanceTask:
    if not can_close_camera_tasks(actor):
        raise PermissionDenied(_("You cannot close maintenance tasks."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": [_("Say what was done to the camera.")]})
    if len(note) > 500:
        raise ValidationError({"note": [_("At most 500 characters.")]})
    with transaction.atomic():
        task = MaintenanceTask.objects.select_for_update().get(pk=task.pk)
        if task.status == TaskStatus.CLOSED:
            return task  # a resent close changes nothing
        task.status = TaskStatus.CLOSED
        task.closed_at = timezone.now()
        task.closed_by = actor
        task.note = note
        task.save(update_fields=["status", "closed_at", "closed_by", "note"])
        audit_record(
            action="camera.task_close",
            actor=actor,
            obj=task,
            area_id=task.camera.village_id,
            old={"status": TaskStatus.OPEN},
            new={"status": TaskStatus.CLOSED, "note": note},
        )
    return task
