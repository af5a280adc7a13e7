"""Small pieces every page module uses the same way: service errors onto a form, and an
Excel workbook as a download."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def error_dict(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: messages}; messages of no field under __all__."""
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's messages on the form's fields (or on the form, for other fields)."""
    for field, problems in error_dict(error).items():
        form.add_error(field if field in form.fields else None, problems)


def xlsx_response(content: bytes, stem: str, *, stamped: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"{stem}-{timezone.localtime():%Y%m%d-%H%M}" if stamped else stem
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
