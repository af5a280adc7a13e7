"""The API's refusals. The 400 and 404 answers Django gives outside the views (a path no
route matches, a body too big or with too many fields to parse): for the API a JSON body with
a `detail` message, like every other refusal of the API, instead of the HTML page people get.
And inside the API views, what the services raise (exception_handler)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import permission_denied as django_permission_denied
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.platform.api import api_errors


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@requires_csrf_token
def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": _("Not found: no such address or object.")}, status=404)
    return django_page_not_found(request, exception)


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A page refused to the user: 403.html in the site's frame; the API answers in JSON."""
    if is_api(request):
        return JsonResponse({"detail": _("You are not allowed to do this.")}, status=403)
    return django_permission_denied(request, exception)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse(
            {"detail": _("The request could not be read: it is too large or malformed.")},
            status=400,
        )
    return django_bad_request(request, exception)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (settings.REST_FRAMEWORK), also answering what the services raise, so
    that no API view translates them itself: Django's ValidationError is a 400 with messages
    per field (api_errors), its PermissionDenied a 403 with the service's message, a row that
    does not exist (ObjectDoesNotExist) a 404 as for any missing object."""
    if isinstance(exc, DjangoValidationError):
        exc = api_errors(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc))
    elif isinstance(exc, ObjectDoesNotExist):
        exc = NotFound()
    return drf_exception_handler(exc, context)
