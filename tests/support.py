"""What the tests need beyond objects: the services available, the scan of every log record
for personal data, a fake SMS gateway, small request helpers."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from http.server import BaseHTTPRequestHandler

from django.db import connection
from django.urls import reverse

from demo.residents import DIAGNOSES, MEDICATION
from governance.platform.validators import id_number_is_valid

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes")


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class PersonalDataInLogs(logging.Handler):
    """Every log record of the test run is checked as it is emitted; the records that carry
    a plaintext ID number, phone or diagnosis are kept, with the test that logged them."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.records = 0
        self.findings: list[tuple[str, str, list[str], str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # SQL statements are logged only while a test captures queries (never in
        # production, where DEBUG is off): they are not the application's log.
        if record.name.startswith("django.db.backends"):
            return
        self.records += 1
        try:
            text = record.getMessage()
        except Exception:  # a record that cannot format is not this check's concern
            return
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if record.name in ("django.request", "django.server"):
            # "Not Found: /api/v1/cases/13912345678/": a fuzzer's number in an object's
            # place. Paths carry ids and codes only (a lookup by ID number is a POST).
            text = NUMERIC_PATH_SEGMENT.sub("/<id>/", text)
        if found := personal_data_in(text):
            test = os.environ.get("PYTEST_CURRENT_TEST", "(outside a test)")
            self.findings.append((test, record.name, found, masked_excerpt(text)))


LOG_SCAN = PersonalDataInLogs()

NUMERIC_PATH_SEGMENT = re.compile(r"/\d+/")


# An 18-character ID number whose check digit holds, and a mainland mobile number, not
# inside a longer run of digits or letters (hashes, UUIDs, timestamps).
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")

MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


# The demo's residents' health details (demo.residents).
HEALTH_DETAILS = [*DIAGNOSES, *MEDICATION]


def personal_data_in(text: str) -> list[str]:
    found = [match for match in ID_NUMBER.findall(text) if id_number_is_valid(match)]
    found += MOBILE.findall(text)
    found += [detail for detail in HEALTH_DETAILS if detail in text]
    return found


def masked_excerpt(text: str) -> str:
    """The offending record, shortened, its personal data masked: enough to find the line
    that logged it."""
    from audit.services import scrubbed

    excerpt = scrubbed(text)
    for detail in HEALTH_DETAILS:
        excerpt = excerpt.replace(detail, "***")
    return excerpt[:160]


def listed(client, **params) -> int:
    response = client.get(reverse("case-list"), params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def chain_statements() -> int:
    """What appending to the chain costs a change: the lock (PostgreSQL), the chain's head,
    the INSERT. Query-count pins of the services add it."""
    return 3 if is_postgres() else 2


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


class Gateway:
    """A real HTTP server standing in for the SMS/WeCom gateway: the outside world."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.answers: list[int] = []  # status codes to answer, in order; then 200

    def handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append(json.loads(body))
                gateway.headers.append(dict(self.headers))
                status = gateway.answers.pop(0) if gateway.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        return Handler
