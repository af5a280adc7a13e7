"""Bad input refused at the door, before any view or query meets it.

- A NUL character (%00) in the address or the query string is a 400, and a cookie holding
  one is ignored (as if it had not been sent). PostgreSQL can neither store nor compare
  text holding a NUL, and no text a county types has one; without this the first query to
  meet it (a search, a session lookup) would fail as a 500. Form fields and the API's text
  fields refuse it themselves, with a message on the field.
- A body other than a file upload larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413. Django
  applies that limit to forms itself, but the API reads JSON from the stream and would
  otherwise read any size into memory."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from governance.platform.http_errors import bad_request, is_api


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def _too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.content_type.startswith("multipart/"):
        return False  # uploads are limited per file, by kind (PHOTO_MAX_BYTES…)
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > limit
    except ValueError:
        return False


def _payload_too_large(request: HttpRequest) -> HttpResponse:
    message = _("The request is too large: send at most %(limit)s, files aside.") % {
        "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    }
    if is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.COOKIES.items()):
            if "\x00" in name or "\x00" in value:
                del request.COOKIES[name]
        if _has_nul(request):
            return bad_request(request, BadRequest("NUL character in the address"))
        if _too_large(request):
            return _payload_too_large(request)
        return self.get_response(request)
