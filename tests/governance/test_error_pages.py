"""The site's own refusals and icons: Chinese 403 and 404 pages in the site's frame with a
way home, the CSRF refusal, a 500 page that needs neither the database nor the context
processors, JSON for the API, the favicon and app icons, and the admin in the site's name
and colours."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from governance.platform.http_errors import forbidden
from governance.platform.outages import server_error
from tests.factories import this_month

STATIC = Path(settings.BASE_DIR) / "static"


def test_a_refused_page_is_chinese_in_the_site_s_frame_with_a_way_home(client, demo):
    client.force_login(demo.user("township1"))
    response = client.post(reverse("ranking_compute"), {"month": f"{this_month():%Y-%m}"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "无权访问" in body and 'class="topbar"' in body
    assert f'href="{reverse("home")}"' in body
    assert "403 Forbidden" not in body


def test_a_missing_page_is_chinese_in_the_site_s_frame(client, demo):
    client.force_login(demo.user("township1"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and 'class="topbar"' in body and 'href="/"' in body


def test_a_form_refused_by_the_csrf_check_says_what_to_do(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("township1"))
    response = client.post(reverse("case_report"), {})
    assert response.status_code == 403
    assert "表单" in response.content.decode() and 'class="topbar"' in response.content.decode()


def test_the_api_keeps_answering_refusals_in_json(client, demo):
    request = RequestFactory().get("/api/v1/anything/")
    response = forbidden(request, PermissionError())
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    client.force_login(demo.user("grid1"))
    refused = client.post(reverse("api_incident_list"), {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"]


def test_the_500_page_needs_no_database_and_no_context():
    # No database fixture: any query here would fail the test.
    page = loader.get_template("500.html").render()
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    for body in (page, response.content.decode()):
        assert "系统出错" in body and 'href="/"' in body and "css/app.css" in body


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_icons_exist_and_every_page_links_them(client, demo):
    assert png_size(STATIC / "icons" / "icon-192.png") == (192, 192)
    assert png_size(STATIC / "icons" / "icon-512.png") == (512, 512)
    ico = (STATIC / "favicon.ico").read_bytes()
    assert struct.unpack("<HHH", ico[:6]) == (0, 1, 3)  # an icon of three sizes
    client.force_login(demo.user("grid1"))
    head = client.get(reverse("home")).content.decode().split("</head>")[0]
    for name in ("favicon.ico", "icons/icon-192.png", "icons/icon-512.png", "icons/icon.svg"):
        assert f"/static/{name}" in head
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.ico"


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
def test_the_admin_wears_the_site_s_name_and_colours(client, demo, path):
    if path == "/admin/":
        client.force_login(demo.user("county"))
    body = client.get(path).content.decode()
    assert "基层社会治理综合平台" in body and "css/admin.css" in body
    assert "Django" not in body.split("</head>")[1]
    if path == "/admin/":
        assert "系统配置" in body
    assert (STATIC / "css" / "admin.css").read_text().count("#b42318") >= 2
