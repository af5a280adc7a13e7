"""An export's page (its progress, polled), its state as JSON, its download and its retry:
all for the one who asked for it, a 404 for anyone else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from exports.models import ExportJob, ExportStatus
from exports.selectors import export_jobs_of
from exports.services import export_retry, job_may_retry
from governance.platform.pages import XLSX_CONTENT_TYPE, attachment
from governance.platform.uploads import protected_file


def _job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(export_jobs_of(user=request.user), pk=pk)


def _state(job: ExportJob) -> dict:
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "download": reverse("export_download", args=[job.pk])
        if job.status == ExportStatus.DONE
        else "",
    }


@require_GET
@never_cache
@login_required
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "exports/job.html",
        {"job": job, "state": _state(job), "may_retry": job_may_retry(job)},
    )


@require_GET
@never_cache
@login_required
def export_job_state(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_state(_job(request, pk)))


@require_GET
@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        return redirect("export_job", pk=job.pk)
    response = protected_file(job.file, content_type=XLSX_CONTENT_TYPE, as_attachment=True)
    response["Content-Disposition"] = attachment(job.filename, f"{job.fallback}-{job.pk}.xlsx")
    return response


@require_POST
@login_required
def export_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if export_retry(job=job):
        messages.success(request, _("The export has been started again."))
    else:
        messages.error(request, _("This export is not waiting for a retry."))
    return redirect("export_job", pk=job.pk)
