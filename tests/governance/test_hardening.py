"""Hardening: the headers every page carries (Content-Security-Policy, clickjacking, no
sniffing), production's cookie and HSTS settings, CSRF on every form of every page the route
walk opens, and passwords hashed with Argon2 and checked by length, commonness, likeness and
digits. (`check --deploy` with production's environment: tests/governance/test_operations.py.) The
pages, in a real Chromium, raise no CSP violation, the dashboard's charts and their
tooltips included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from demo.seed import DEMO_PASSWORD
from disputes.models import Case
from governance import settings as project_settings
from personnel.models import User
from personnel.services import staff as staff_services
from tests.browser.helpers import CHARTS, log_in, new_page, wait_for_charts
from tests.governance.routes import LISTS, object_routes

ROOT = Path(__file__).resolve().parents[2]
STRICT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
}
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7Qz!9-p#Lm2vR8sT4wY6uB1nC3eD5fG7hJ9kL0mN2pQ4rS6tU8vW0xY2zA4bC6dE8",
    "ALLOWED_HOSTS": "governance.example.gov.cn",
    "PERSONAL_DATA_KEY": "mG3k4M1v2X0qvJ6r8yQ2cP5tN7wZ9aB1dE3fH5jK7lM=",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: value[0] if value else "" for name, *value in directives}


# --- Headers ------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_refuse_framing(client, demo):
    responses = [client.get(reverse("login"))]
    client.force_login(demo.user("county"))
    responses += [client.get(reverse(name)) for name in ("home", "case_list", "case_report")]
    for response in responses:
        url = response.request["PATH_INFO"]
        assert response.status_code == 200, url
        directives = policy(response)
        assert {name: directives.get(name) for name in STRICT_POLICY} == STRICT_POLICY, url
        header = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in header and "unsafe-eval" not in header, url
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_api_answers_and_its_docs_page_loosen_only_inline_styles(client, demo):
    client.force_login(demo.user("county"))
    api = client.get(reverse("case-list"))
    assert api.status_code == 200
    assert policy(api)["script-src"] == "'self'"
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200
    directives = policy(docs)
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["img-src"] == "'self' data:"
    assert directives["script-src"] == "'self'"
    # Swagger UI's own script comes from the same address (?script), not inline.
    body = docs.content.decode()
    assert f'<script src="{reverse("api_docs")}?script="></script>' in body
    assert "<script>" not in body
    script = client.get(reverse("api_docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def production_settings(*names: str) -> dict:
    """The named settings as production reads them: a fresh process with its environment."""
    code = (
        "import json, django; django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, "
        "default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings", **PRODUCTION},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_cookies_only_over_https_and_asks_for_hsts():
    values = production_settings(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "X_FRAME_OPTIONS",
        "MIDDLEWARE",
        "PASSWORD_HASHERS",
    )
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" in values["MIDDLEWARE"]
    assert "django.middleware.csrf.CsrfViewMiddleware" in values["MIDDLEWARE"]
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    assert values["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_media_files_have_no_public_address_in_production():
    """Photos and documents are served only by views that check jurisdiction: MEDIA_ROOT is
    outside the static files, and no URL maps onto it."""
    values = production_settings("MEDIA_ROOT", "MEDIA_URL", "STATIC_ROOT", "STATICFILES_DIRS")
    media = Path(values["MEDIA_ROOT"]).resolve()
    for static in [values["STATIC_ROOT"], *values["STATICFILES_DIRS"]]:
        static = Path(static).resolve()
        assert not media.is_relative_to(static) and not static.is_relative_to(media)
    assert values["MEDIA_URL"] in ("", "/")  # never set: nothing serves the folder


@pytest.mark.django_db
def test_a_file_in_media_root_is_not_reachable_by_its_path(client, settings, demo):
    stored = Path(settings.MEDIA_ROOT) / "cases" / "2026" / "01" / "agreement.pdf"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.4 secret")
    client.force_login(demo.user("county"))
    for url in ("/media/cases/2026/01/agreement.pdf", "/cases/2026/01/agreement.pdf"):
        assert client.get(url).status_code == 404, url
        assert client.get("/static" + url).status_code == 404, url


# --- Every form of every page carries its CSRF token; no page has inline script or style --


class PageScan(HTMLParser):
    """Forms that post without a CSRF token, and whatever a strict CSP would block."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []  # {"action", "method", "token"}
        self.blocked: list[str] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = True
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"action": attrs.get("action"), "method": method, "token": False})
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self._in_form:
            self.forms[-1]["token"] = bool(attrs.get("value"))
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.blocked.append("<script> inline")
        if tag == "style":
            self.blocked.append("<style> block")
        for name, value in attrs.items():
            if name == "style":
                self.blocked.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…>")
            if name in ("href", "action", "src") and (value or "").startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def scan_pages(client, urls: list[str]) -> tuple[int, list, list]:
    forms_seen, tokenless, blocked = 0, [], []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        scan = PageScan()
        scan.feed(response.content.decode())
        posting = [form for form in scan.forms if form["method"] == "post"]
        forms_seen += len(posting)
        tokenless += [(url, form["action"]) for form in posting if not form["token"]]
        blocked += [(url, what) for what in scan.blocked]
    return forms_seen, tokenless, blocked


def test_every_form_on_every_page_carries_a_csrf_token_and_no_page_has_inline_code(
    demo,
    theirs,
    their_ranking,
):
    """The route walk's pages (every list and form, and township 2's objects opened by the
    people who may see them), rendered for the county and for township 2's centre."""
    urls = [reverse(name) for name in sorted(LISTS)]
    objects = object_routes(theirs, their_ranking)
    urls += [reverse(name, kwargs=kwargs) for name, kwargs in objects.items()]
    urls += [reverse("login")]
    total = 0
    for username in ("county", "township2", "grid1"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(demo.user(username))
        forms_seen, tokenless, blocked = scan_pages(client, urls)
        total += forms_seen
        assert not tokenless, (username, tokenless)
        assert not blocked, (username, blocked)
    assert total > 50  # the walk did open the pages with forms on them


def test_a_form_sent_without_its_token_is_refused_with_a_message_in_chinese(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("grid1"))
    response = client.post(reverse("case_report"), {"title": "伪造的请求"})
    assert response.status_code == 403
    body = response.content.decode()
    with translation.override("zh-hans"):
        assert gettext("Form not accepted") in body
        assert gettext("Go back, reload the page and send the form again.") in body
    assert 'lang="zh-hans"' in body and "CSRF verification failed" not in body
    assert not Case.objects.filter(title="伪造的请求").exists()


def test_the_api_with_a_session_but_no_csrf_token_is_refused(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("county"))
    response = client.post(reverse("notification-read-all"))
    assert response.status_code == 403
    assert response.json()["detail"]


# --- Passwords -------------------------------------------------------------------------------


@pytest.fixture
def real_hashers(settings):
    """The project's own hashers (the suite uses MD5 for speed, tests/conftest.py)."""
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def test_passwords_are_hashed_with_argon2(demo, real_hashers):
    user = demo.user("grid1")
    user.set_password("山里的网格员-2026-春")
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    assert User.objects.get(pk=user.pk).check_password("山里的网格员-2026-春")


def test_an_older_pbkdf2_password_is_rehashed_with_argon2_at_login(client, demo, real_hashers):
    user = demo.user("grid1")
    User.objects.filter(pk=user.pk).update(
        password=make_password("Mountain-path-73", hasher="pbkdf2_sha256")
    )
    response = client.post(reverse("login"), {"username": "grid1", "password": "Mountain-path-73"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Gov-2026", "too short"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
        ("2026031512345", "entirely numeric"),
        ("wanggrid2026", "too similar"),
    ],
)
def test_weak_passwords_are_refused(db, password, why):
    user = User(username="wanggrid2026", first_name="网格员", last_name="王")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    assert any(why in message for message in refused.value.messages), refused.value.messages


def test_a_long_uncommon_password_is_accepted(db):
    user = User(username="wanggrid2026")
    validate_password("Tea terraces at dawn, 7 km", user=user)


def test_a_login_granted_to_a_staff_member_may_not_be_like_their_username(demo):
    county = demo.user("county")
    staff = staff_services.staff_create(
        data=staff_services.StaffInput(
            name="李山", phone="13912345670", id_number="430521199001011239", gender="male",
            area=demo.village1,
        ),
        actor=county,
    )  # fmt: skip
    staff_services.post_add(
        staff=staff, kind="grid_worker", area=demo.grid1, start=timezone.localdate(), actor=county
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        staff_services.staff_grant_login(
            staff=staff, username="lishan2026", password="lishan2026!", actor=county
        )
    assert any("too similar" in m for m in refused.value.message_dict["password"])
    staff.refresh_from_db()
    assert staff.user_id is None


def test_changing_a_password_on_the_page_refuses_a_common_one(client, demo):
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "1234567890",
            "new_password2": "1234567890",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert demo.user("grid1").check_password(DEMO_PASSWORD)


# --- In a real browser: no page breaks its policy ------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI || "inline"} ${event.sourceFile}`
  );
});
"""


@pytest.mark.browser
def test_no_page_raises_a_csp_violation_in_chromium(browser, live_server, live_demo, county_cases):
    """The county's walk through the main pages, the dashboard's charts drawn and their
    tooltips shown by hovering, the admin and the API's docs: Chromium reports no violation
    of the Content-Security-Policy, neither on the console nor as an event."""
    demo = live_demo
    case = county_cases.first()
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(f"{page.url} {message.location['url']}: {message.text[:60]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(CSP_LISTENER)
    violations = []

    def visit(path: str) -> None:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
        page.wait_for_load_state("networkidle")
        violations.extend(page.evaluate("window.__cspViolations"))

    log_in(page, live_server.url, "county")
    violations.extend(page.evaluate("window.__cspViolations"))  # the to-do
    visit(reverse("dashboard"))
    wait_for_charts(page)
    for name in CHARTS:  # hover every chart: ECharts builds its tooltips on the fly
        chart = page.locator(f'[data-chart="{name}"]')
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for fx, fy in ((0.5, 0.5), (0.3, 0.6), (0.6, 0.6)):
            x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
            page.mouse.move(x, y, steps=6)
            page.wait_for_timeout(150)
    violations.extend(page.evaluate("window.__cspViolations"))
    for path in (
        reverse("case_list"),
        reverse("case_detail", kwargs={"pk": case.pk}),
        reverse("case_report"),
        reverse("area_tree"),
        reverse("area_detail", kwargs={"pk": demo.township1.pk}),
        reverse("staff_list"),
        reverse("resident_list"),
        reverse("campaign_list"),
        reverse("campaign_create"),
        reverse("meeting_list"),
        reverse("ranking_list"),
        reverse("inbox"),
        reverse("admin:index"),
        reverse("admin:grids_area_changelist"),
        reverse("api_docs"),
    ):
        visit(path)
    # Swagger UI did run under the policy: it drew the API's operations from the schema.
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)
    violations.extend(page.evaluate("window.__cspViolations"))
    page.goto(live_server.url + reverse("area_tree"))
    page.locator("ul.tree.root > li.node > .row button.toggle").first.click()
    page.wait_for_load_state("networkidle")
    violations.extend(page.evaluate("window.__cspViolations"))
    page.close()
    assert not violations, sorted(set(violations))
    assert not console, sorted(set(console))
