"""Bad input, at the API and at the HTML forms: oversized and unreadable bodies, wrong
content types, NUL characters, numbers that are not numbers, 10,000-character names,
SQL-looking text, HTML and script in every text field, and the rare characters of GB 18030
and emoji. Each is refused with a clear 4xx and a message, or stored and shown back exactly
as typed, and escaped on every page that shows it; none is a 500."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from disputes.models import Case
from personnel.models import Staff
from residents.models import Resident
from tests.factories import register
from tests.samples import case_form, case_payload

SCRIPT = "<script>alert('xss')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE disputes_case;--"
RARE = "𠀀𪚥㐀䶵"  # CJK Extension B and A, outside the Basic Multilingual Plane or near it
EMOJI = "😀🙏"


@pytest.fixture
def grid_client(client, demo):
    client.force_login(demo.user("grid1"))
    return client


@pytest.fixture
def township_client(client, demo):
    client.force_login(demo.user("township1"))
    return client


def api_report(client, body, **extra):
    return client.post(reverse("case-list"), body, content_type="application/json", **extra)


def message_of(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


# --- Bodies the API cannot read ---------------------------------------------------------


def test_broken_json_is_a_400_that_says_so(grid_client):
    response = api_report(grid_client, '{"title": "邻里纠纷", "grid": ')
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "image/png"])
def test_a_body_of_another_content_type_is_a_415(grid_client, demo, content_type):
    body = json.dumps(case_payload(demo))
    response = grid_client.post(reverse("case-list"), body, content_type=content_type)
    assert response.status_code == 415
    assert content_type in response.json()["detail"]
    assert not Case.objects.exists()


def test_json_that_is_not_an_object_is_a_400_with_a_message(grid_client):
    for body in ("[]", '"case"', "42", "null"):
        response = api_report(grid_client, body)
        assert response.status_code == 400, body
        assert message_of(response) not in ("{}", "[]"), body


def test_a_lone_surrogate_in_json_is_a_field_error_not_stored(grid_client, demo):
    # "\ud800" is valid JSON but no character: no database can store it.
    response = api_report(grid_client, json.dumps(case_payload(demo, title="纠纷\ud800")))
    assert response.status_code == 400
    assert "U+D800" in response.json()["title"][0]
    assert not Case.objects.exists()


def test_an_oversized_json_body_is_a_413_that_says_the_limit(grid_client, demo, settings):
    body = case_payload(demo, description="纠纷" * 1_500_000)  # 3,000,000 characters, 9 MB
    response = api_report(grid_client, body)
    assert response.status_code == 413
    assert "2.5" in response.json()["detail"]  # DATA_UPLOAD_MAX_MEMORY_SIZE
    assert not Case.objects.exists()


def test_a_large_json_body_within_the_limit_is_judged_on_its_fields(grid_client, demo):
    response = api_report(grid_client, case_payload(demo, description="纠" * 100_000))
    assert response.status_code == 400
    assert "5000" in " ".join(response.json()["description"])


def test_an_oversized_form_is_refused_not_a_500(grid_client, demo):
    # More than DATA_UPLOAD_MAX_MEMORY_SIZE of form fields (files aside): 413 at the door
    # for a plain form, 400 from Django's parser for a form with files.
    body = case_form(demo, description="x" * 3_000_000)
    plain = grid_client.post(
        reverse("case_report"), urlencode(body), content_type="application/x-www-form-urlencoded"
    )
    assert plain.status_code == 413
    assert grid_client.post(reverse("case_report"), body).status_code == 400
    assert not Case.objects.exists()


def test_too_many_fields_in_an_api_form_is_a_400_with_a_message(grid_client, demo):
    fields = {f"field{n}": "x" for n in range(1200)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000
    response = grid_client.post(reverse("case-list"), fields)
    assert response.status_code == 400
    assert response.json()["detail"]


# --- Addresses and query strings --------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/cases/?search=%00",
        "/api/v1/staff/?member_type=%00",
        "/api/v1/categories/%00/",
        "/cases/?search=a%00b",
        "/areas/?q=%00",
    ],
)
def test_a_nul_character_in_the_address_is_a_400(township_client, address):
    response = township_client.get(address)
    assert response.status_code == 400
    if address.startswith("/api/"):
        assert response.json()["detail"]


def test_a_session_cookie_with_a_nul_character_is_ignored(client, demo):
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(reverse("case_list")).status_code == 302  # to the login page
    assert client.get(reverse("case-list")).status_code in (401, 403)


@pytest.mark.parametrize("value", ["²", "1e30", "2.5", "-1", "9" * 30, "'; --"])
def test_an_id_that_is_no_id_is_a_field_error_in_the_api(township_client, value):
    for name, parameter in (("case-list", "area"), ("area-list", "parent")):
        response = township_client.get(reverse(name), {parameter: value})
        assert response.status_code == 400, (name, value)
        assert parameter in response.json(), (name, value)


@pytest.fixture
def published_ranking(demo):
    from django.utils import timezone

    from assessment.services.rankings import ranking_publish, rankings_compute

    snapshot = rankings_compute(county=demo.county, month=timezone.localdate().replace(day=1))
    return ranking_publish(snapshot=snapshot, actor=demo.user("county"))


@pytest.mark.parametrize("value", ["²", "9" * 30, "-1", "x"])
def test_an_id_that_is_no_id_is_ignored_or_refused_on_pages_and_api(
    township_client, published_ranking, value
):
    # (route, parameter, answer): a page ignores it or finds nothing, the API says why.
    for name, parameter, status in (
        ("ranking_list", "version", 200),
        ("ranking_list", "township", 200),
        ("visits_overdue", "area", 404),
        ("training_create", "roster_area", 200),
        ("api_resident_list", "area", 400),
        ("api_staff_list", "area", 400),
    ):
        response = township_client.get(reverse(name), {parameter: value})
        assert response.status_code == status, (name, parameter, value, response.status_code)
        if status == 400:
            assert parameter in response.json()


@pytest.mark.parametrize("search", ["²", "9" * 40, "' OR 1=1 --", "%", "_", "\\"])
def test_any_search_text_lists_matches_only(township_client, demo, search):
    from tests.factories import report

    report(demo, title="邻里排水纠纷")
    for response in (
        township_client.get(reverse("case-list"), {"search": search}),
        township_client.get(reverse("case_list"), {"search": search}),
        township_client.get(reverse("api_staff_list"), {"search": search}),
    ):
        assert response.status_code == 200
    assert township_client.get(reverse("case-list"), {"search": search}).json()["count"] == 0


# --- Over-long text -----------------------------------------------------------------------

LONG = "张" * 10_000


@pytest.mark.parametrize(
    ("name", "body", "field", "limit"),
    [
        ("case-list", lambda demo: case_payload(demo, title=LONG), "title", "120"),
        ("case-list", lambda demo: case_payload(demo, parties=[{"name": LONG}]), "parties", "50"),
        (
            "api_staff_list",
            lambda demo: {"name": LONG, "gender": "male", "phone": "13912345678",
                          "id_number": "430521199001011239", "area": demo.village1.pk},
            "name",
            "",
        ),
        (
            "api_resident_list",
            lambda demo: {"name": LONG, "id_number": "430521199001011239",
                          "grid": demo.grid1.pk, "category": "released_prisoner"},
            "name",
            "",
        ),
    ],
)  # fmt: skip
def test_a_ten_thousand_character_name_is_a_field_error_with_the_limit(
    client, demo, name, body, field, limit
):
    client.force_login(demo.user("township1"))
    response = client.post(reverse(name), body(demo), content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert limit in json.dumps(errors[field], ensure_ascii=False)
    assert not Case.objects.exists() and not Resident.objects.exists()
    assert not Staff.objects.filter(name=LONG).exists()


def test_the_report_form_refuses_a_ten_thousand_character_title_on_the_field(grid_client, demo):
    response = grid_client.post(reverse("case_report"), case_form(demo, title=LONG))
    assert response.status_code == 400
    assert "120" in str(response.context["form"].errors["title"])
    assert not Case.objects.exists()


# --- Stored as typed, shown escaped -------------------------------------------------------

HOSTILE = {
    "title": f"{SCRIPT}{RARE}",
    "description": f"{ATTRIBUTE} {SQL} {EMOJI}",
}
PARTY = {"name": f"{SCRIPT[:30]}", "role": ATTRIBUTE[:20]}


def assert_escaped(html: str, *texts: str) -> None:
    for text in texts:
        assert text not in html, f"unescaped {text!r}"
    assert "<script>alert(" not in html and "<img src=x" not in html


def test_script_in_every_text_of_a_report_is_kept_as_text_and_escaped_on_every_page(client, demo):
    client.force_login(demo.user("grid1"))
    response = api_report(client, case_payload(demo, **HOSTILE, parties=[PARTY]))
    assert response.status_code == 201, response.json()
    case = Case.objects.get()
    assert (case.title, case.description) == (HOSTILE["title"], HOSTILE["description"])
    assert case.parties[0]["name"] == PARTY["name"] and case.parties[0]["role"] == PARTY["role"]
    assert response.json()["title"] == HOSTILE["title"]  # JSON carries it as text
    pages = [reverse("my_cases"), reverse("case_detail", args=[case.pk])]
    for username in ("grid1", "township1", "county"):
        client.force_login(demo.user(username))
        for address in [*pages, reverse("case_list"), reverse("home")]:
            page = client.get(address)
            assert page.status_code == 200, address
            assert_escaped(page.content.decode(), SCRIPT, ATTRIBUTE, PARTY["role"])
    detail = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in detail
    assert RARE in detail and EMOJI in detail


def test_script_in_every_text_of_a_resident_is_kept_as_text_and_escaped(client, demo):
    client.force_login(demo.user("township1"))
    texts = {"name": SCRIPT[:20], "address": ATTRIBUTE, "situation": f"{SCRIPT} {SQL}"}
    response = client.post(
        reverse("api_resident_list"),
        {**texts, "id_number": "430521199001011239", "grid": demo.grid1.pk,
         "category": "released_prisoner"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    stored = Resident.objects.get()
    assert (stored.name, stored.address, stored.situation) == tuple(texts.values())
    for address in (reverse("resident_list"), reverse("resident_detail", args=[stored.pk])):
        page = client.get(address)
        assert page.status_code == 200, address
        assert_escaped(page.content.decode(), *texts.values())


# --- Rare characters round-trip ----------------------------------------------------------


def test_rare_cjk_and_emoji_round_trip_through_the_api_and_the_pages(client, demo):
    client.force_login(demo.user("grid1"))
    title = f"{RARE}宅基地{EMOJI}"
    body = case_payload(demo, title=title, description=f"{EMOJI}{RARE}", parties=[{"name": "𠀀某"}])
    created = api_report(client, body)
    assert created.status_code == 201, created.json()
    case = Case.objects.get()
    assert case.title == title and case.description == f"{EMOJI}{RARE}"
    assert case.parties[0]["name"] == "𠀀某"
    assert client.get(reverse("case-detail", args=[case.pk])).json()["title"] == title
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert title in page and "𠀀某" in page
    listed = client.get(reverse("case-list"), {"search": RARE[:2]}).json()
    assert [row["id"] for row in listed["results"]] == [case.pk]


def test_rare_cjk_names_round_trip_through_the_forms(client, demo):
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("case_report"), case_form(demo, title=f"{RARE}{EMOJI}", party1_name="𪚥某")
    )
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    case = Case.objects.get()
    assert case.title == f"{RARE}{EMOJI}" and case.parties[0]["name"] == "𪚥某"
    resident = register(demo, name="𠀀㐀某", id_number="430521199001011239")
    assert Resident.objects.get(pk=resident.pk).name == "𠀀㐀某"


def test_a_resent_report_with_rare_characters_is_still_one_case(grid_client, demo):
    body = case_payload(demo, title=f"{RARE}{EMOJI}", client_uuid=str(uuid.uuid4()))
    assert api_report(grid_client, body).status_code == 201
    assert api_report(grid_client, body).status_code == 200
    assert Case.objects.count() == 1
