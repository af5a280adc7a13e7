"""Tap to call 一键拨号: a colleague's, a handler's or a party's mobile, shown masked on every
page, is dialled through a POST that the calling page's app writes to the audit log with its
purpose; the answer gives the full number to the phone's dialler and to nobody else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# The purpose every call is logged with.
CALL_PURPOSE = "联系工作"


def call_response(request: HttpRequest, *, name: str, phone: str, back: str) -> HttpResponse:
    """The full number: as JSON to the page's script (which opens the dialler), else a page
    with a tel: link to tap. Never kept by a cache."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"tel": digits, "name": name})
    else:
        response = render(request, "call.html", {"name": name, "tel": digits, "back": back})
    response["Cache-Control"] = "no-store"
    return response
