"""The page for a form refused by the CSRF check (settings.CSRF_FAILURE_VIEW): Django's own
is in English and speaks of Referer headers; ours says what happened and what to do. (The
API's views are DRF's, which checks a session's token itself and answers in JSON.)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
