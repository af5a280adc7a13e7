"""The page of a request that found the database unreachable (a restart, a failover):
503 "try again shortly", not a 500 with a stack trace, and the next request, on a fresh
connection (CONN_HEALTH_CHECKS), works again by itself.

Django hands every uncaught exception, wherever it rose (a view, DRF, a middleware loading
the session), to `handler500`; this one answers database errors with 503 and leaves every
other error to Django's own 500 page. The other OperationalErrors (a lock or statement
timeout, a serialization failure) are passing too, so "try again" is right for them."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

from governance.platform.http_errors import is_api

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
OUTAGE_ERRORS = (OperationalError, InterfaceError)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, OUTAGE_ERRORS):
        return django_server_error(request)
    logger.warning("database unavailable: %s", type(error).__name__)
    message = _("The service is briefly unavailable. Please try again in a few seconds.")
    if is_api(request):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        # No request context: its processors (navigation, unread count) read the database.
        page = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
