"""Small pieces every page module uses the same way: service errors onto a form, a page of
a list, and an Excel workbook as a download."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from governance.platform.xlsx import Export

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Rows a list page shows: PAGE_SIZE for lists of records read one by one (cases, residents,
# incidents…), LONG_PAGE_SIZE for lists of short rows scanned down (areas, staff, logs…).
PAGE_SIZE = 30
LONG_PAGE_SIZE = 50


def page_of(request, rows, *, size: int = PAGE_SIZE) -> Page:
    """The page of `rows` the request asks for (?page=), the first or last if out of range."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: messages}; messages of no field under __all__."""
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's messages on the form's fields (or on the form, for other fields)."""
    for field, problems in error_dict(error).items():
        form.add_error(field if field in form.fields else None, problems)


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition for a download named `filename` (Chinese as a rule): RFC 6266's
    filename*=UTF-8'' form, and an ASCII name for clients that read only filename=."""
    ascii_name = fallback.encode("ascii", "ignore").decode().replace('"', "") or "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def export_response(export: Export) -> HttpResponse:
    return xlsx_response(export.content, export.filename, fallback=export.fallback)


def xlsx_response(content: bytes, filename: str, *, fallback: str) -> HttpResponse:
    """The workbook as a download named `filename` (事件台账_城关镇_2026年12月.xlsx); `fallback`
    is the stem of its ASCII name, stamped with the time."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    stamped = f"{fallback}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = attachment(filename, stamped)
    return response


class OnceForm(forms.Form):
    """A form whose sending makes something once: a client UUID is handed out with the
    blank form and comes back with it (governance.platform.resends). Pages always send it; a client
    that leaves it out is, as in the API, simply not protected against its own resends."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("client_uuid", uuid.uuid4())
        super().__init__(*args, **kwargs)


class LoggedBetweenForm(forms.Form):
    """The period filter of the logs (access log, audit log): from and until, in order.
    Subclasses list their own fields first in `field_order`."""

    since = forms.DateField(
        label=gettext_lazy("Logged from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("Logged until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end date comes before the start date."))
        return data


def too_many_to_export(
    request, total: int, *, limit: int, back: str
) -> HttpResponseRedirect | None:
    """Back to the filtered list `back`, with a message, when `total` rows exceed `limit`."""
    if total <= limit:
        return None
    messages.error(
        request,
        gettext_lazy("%(total)s entries match; narrow the filters to at most %(limit)s to export.")
        % {"total": total, "limit": limit},
    )
    return redirect(f"{reverse(back)}?{request.GET.urlencode()}")
