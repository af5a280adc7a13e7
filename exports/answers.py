"""How every export endpoint answers: the workbook at once when it is small, else a job
written in the background and a page that follows its progress."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from exports import services
from exports.registry import registered
from governance.platform.pages import export_response


def export_answer(
    request: HttpRequest, *, kind: str, total: int, pk: int | None = None
) -> HttpResponse:
    """`total` rows of the registered export `kind`, for the request's user, with the
    request's filters."""
    if total > services.BACKGROUND_FROM:
        job = services.export_start(
            user=request.user, kind=kind, query=request.GET.urlencode(), pk=pk, total=total
        )
        return redirect("export_job", pk=job.pk)
    export = registered(kind).build(
        user=request.user, query=request.GET, pk=pk, progress=lambda rows: None
    )
    return export_response(export)
