"""The 400 and 404 answers Django gives outside the views (a path no route matches, a body
too big or with too many fields to parse): for the API a JSON body with a `detail` message,
like every other refusal of the API, instead of the HTML page people get."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found as django_page_not_found


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Not found: no such address or object.")}, status=404)
    return django_page_not_found(request, exception)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"detail": _("The request could not be read: it is too large or malformed.")},
            status=400,
        )
    return django_bad_request(request, exception)
