"""The audit log's page and export, for the county's administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.export import audit_filtered
from audit.wording import describe
from exports.answers import export_answer
from governance.platform.pages import LONG_PAGE_SIZE, page_of, too_many_to_export

EXPORT_LIMIT = 50_000


@require_GET
@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form, entries = audit_filtered(user=request.user, query=request.GET)
    page = page_of(request, entries, size=LONG_PAGE_SIZE)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "filtered": any(key != "page" for key in request.GET),
            "page": page,
            "lines": describe(page.object_list),
        },
    )


@require_GET
@never_cache
@login_required
def audit_log_export(request: HttpRequest) -> HttpResponse:
    _form, entries = audit_filtered(user=request.user, query=request.GET)
    total = entries.count()
    if refused := too_many_to_export(request, total, limit=EXPORT_LIMIT, back="audit_log"):
        return refused
    return export_answer(request, kind="audit_log", total=total)
