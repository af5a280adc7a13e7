"""Starting, writing and retrying an export in the background. A job is claimed before it is
written (a conditional UPDATE), so a redelivered task or a second worker writes it once; a
job that fails keeps its parameters and is started again as it was."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.models import ExportJob, ExportStatus
from exports.registry import registered

if TYPE_CHECKING:
    from personnel.models import User

logger = logging.getLogger(__name__)

# Exports of more rows than this are written in the background, with progress.
BACKGROUND_FROM = 3000
# A job claimed this long ago and still not finished lost its worker: it may be started again.
STALE_AFTER = timedelta(minutes=30)


def export_start(
    *, user: User, kind: str, query: str = "", pk: int | None = None, total: int
) -> ExportJob:
    """A queued job for `user`, written by a worker once this transaction commits."""
    job = ExportJob.objects.create(
        requester=user,
        kind=kind,
        title=str(registered(kind).title),
        params={"query": query, "pk": pk},
        total=total,
    )
    transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_id: int) -> None:
    from exports.tasks import export_write  # the tasks import the services

    try:
        export_write.apply_async(args=[job_id], retry=False)
    except Exception:  # the broker is down: the job waits, and its page offers a retry
        logger.warning("export %s could not be queued", job_id, exc_info=True)


def export_retry(*, job: ExportJob) -> bool:
    """Start a failed (or abandoned) job again, from the beginning; False if it is not."""
    if not job_may_retry(job):
        return False
    with transaction.atomic():
        started = ExportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ExportStatus.QUEUED, done=0, error="", started_at=None, finished_at=None
        )
        if started:
            transaction.on_commit(lambda: _queue(job.pk))
    return bool(started)


def job_may_retry(job: ExportJob) -> bool:
    if job.status == ExportStatus.FAILED:
        return True
    waiting_since = job.started_at or job.created_at
    return job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and (
        timezone.now() - waiting_since > STALE_AFTER
    )


def export_write(*, job_id: int) -> str:
    """Write the job's workbook (what the Celery task runs); the job's status after."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not claimed:  # gone, or written by another worker
        return "skipped"
    job = ExportJob.objects.select_related("requester").get(pk=job_id)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=rows)

    try:
        export = registered(job.kind).build(
            user=job.requester,
            query=QueryDict(job.params.get("query") or ""),
            pk=job.params.get("pk"),
            progress=progress,
        )
    except Exception:
        logger.exception("export %s (%s) failed", job_id, job.kind)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED,
            error=_("The workbook could not be written."),
            finished_at=timezone.now(),
        )
        return ExportStatus.FAILED
    job.file.save(f"export-{job_id}.xlsx", ContentFile(export.content), save=False)
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportStatus.DONE,
        file=job.file.name,
        filename=export.filename,
        fallback=export.fallback,
        done=F("total"),
        finished_at=timezone.now(),
    )
    return ExportStatus.DONE
