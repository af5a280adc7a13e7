"""The audit log's page and export, for the county's administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.export import audit_workbook
from audit.forms import AuditFilterForm
from audit.models import ACTION_LABELS
from audit.selectors import audit_entries
from audit.services import scrubbed
from governance.platform.pages import LONG_PAGE_SIZE, page_of, too_many_to_export, xlsx_response
from grids.jurisdiction import can_read_audit_log

EXPORT_LIMIT = 50_000


def _entries(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet]:
    if not can_read_audit_log(request.user):
        raise PermissionDenied(_("The audit log is read by the county's administrators."))
    form = AuditFilterForm(request.GET)
    form.is_valid()
    return form, audit_entries(user=request.user, **form.query())


@require_GET
@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form, entries = _entries(request)
    page = page_of(request, entries, size=LONG_PAGE_SIZE)
    for entry in page.object_list:
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
        # Logins were once phone numbers (personnel migration 0004 renamed them); the log
        # keeps the names it wrote, shown masked.
        entry.actor_login = scrubbed(entry.actor_name)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "filtered": any(key != "page" for key in request.GET),
            "page": page,
        },
    )


@require_GET
@never_cache
@login_required
def audit_log_export(request: HttpRequest) -> HttpResponse:
    _form, entries = _entries(request)
    if refused := too_many_to_export(
        request, entries.count(), limit=EXPORT_LIMIT, back="audit_log"
    ):
        return refused
    content = audit_workbook(entries.iterator(chunk_size=2000), user=request.user)
    return xlsx_response(content, "audit-log")
