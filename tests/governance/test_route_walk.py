"""Every route, discovered from the URL resolver (not a hand-kept list), walked as each role
of township 1 against township 2's objects, and as an anonymous visitor. Every operation of
the API, discovered from the OpenAPI schema (drf-spectacular's generator), is walked too: each
method an object route accepts is sent to township 2's object, and each create of a list
route is tried with township 2's objects named in tests/governance/test_write_scoping.py. A
route or an operation added without a place in this walk fails the build by itself."""

import json
import re
from functools import cache
from io import BytesIO

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from assessment.models import Incident
from campaigns.models import Campaign, InstructionReceipt
from disputes.models import CaseStatus
from supervision.models import InspectionProblem
from tests.governance.routes import (
    LISTS,
    MARKER,
    NOTICE,
    SCOPED_CREATES,
    STAFF_MARKER,
    object_routes,
    probes,
    ranking_routes,
)
from tests.samples import ID_A

PUBLIC = {
    "healthz",
    "set_language",
    "login",
    "logout",
    "api_token",
    "api_schema",
    "api_docs",
    "password_change_done",
    # A video platform's status batches: authenticated by the platform's key, not a login
    # (tests/cameras/test_ingestion.py refuses a missing, wrong or other county's key).
    "api_camera_statuses",
}
# Categories are county-wide configuration, the same for everyone: not jurisdiction data.
SHARED = {"category-detail"}
# The county's published ranking is everyone's to read, but only the rows of their own
# subtree: these answer 200 with a body that must not carry township 2.
RANKING_LISTS = {"ranking_list", "ranking_bulletin", "ranking_bulletin_xlsx", "api_ranking_list"}


def route_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # the admin is walked by tests/governance/test_admin.py
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_route_has_a_place_in_the_walk(demo, theirs, their_ranking):
    known = PUBLIC | LISTS | SHARED | set(object_routes(theirs, their_ranking)) | RANKING_LISTS
    unplaced = route_names() - known
    assert not unplaced, f"routes missing from the jurisdiction walk: {sorted(unplaced)}"


HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# POSTs to a list route that act on the caller's own things only: walked below.
OWN_ACTIONS = {"notification-read-all", "api_resident_lookup"}


@cache
def schema_operations() -> frozenset[tuple[str, str]]:
    """(route name, method) of every operation the OpenAPI schema publishes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = set()
    for path, item in schema["paths"].items():
        name = resolve(re.sub(r"\{[^}]+\}", "1", path)).url_name
        operations |= {(name, method) for method in item if method in HTTP_METHODS}
    return frozenset(operations)


def schema_methods(name: str) -> list[str]:
    """The methods beyond GET and POST (always sent) that the schema gives a route."""
    return sorted(m for n, m in schema_operations() if n == name and m not in ("get", "post"))


def test_every_api_operation_of_the_schema_has_a_place_in_the_walk(demo, theirs, their_ranking):
    objects = set(object_routes(theirs, their_ranking))
    lists = LISTS | SHARED | RANKING_LISTS
    unplaced = []
    for name, method in sorted(schema_operations()):
        if name in PUBLIC or name in objects:
            continue  # every method of an object route is sent to township 2's object
        if method == "get" and name in lists:
            continue
        if method == "post" and (name in SCOPED_CREATES or name in OWN_ACTIONS):
            continue
        unplaced.append(f"{method.upper()} {name}")
    assert not unplaced, f"API operations missing from the walk: {unplaced}"
    assert len(schema_operations()) > 40  # the generator did see the API


def leaks(body: bytes, demo) -> list[str]:
    """Township 2's data in a body: its objects' texts, and the names and codes of its areas
    and its centre's person (as a filter's choices, an area or a person dropdown, would show
    them; the walk opens every list and form page with its filters)."""
    text = body.decode("utf-8", "replace")
    markers = (
        MARKER, NOTICE, STAFF_MARKER, demo.township2.code, demo.township2.name,
        demo.village2.name, demo.village2.code, demo.grid2.code,
        str(demo.user("township2")),
    )  # fmt: skip
    return [marker for marker in markers if marker in text]


@pytest.mark.parametrize("username", ["township1", "police1", "village1", "grid1", "member1"])
def test_township_one_gets_nothing_of_township_two_on_any_route(
    client, demo, theirs, their_ranking, username
):
    client.force_login(demo.user(username))
    for name, (kwargs, query) in ranking_routes(their_ranking).items():
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content
        if name == "ranking_bulletin_xlsx":
            workbook = load_workbook(BytesIO(body))
            body = repr([list(sheet.values) for sheet in workbook.worksheets]).encode()
        assert not leaks(body, demo), (name, leaks(body, demo))
    for name, kwargs in object_routes(theirs, their_ranking).items():
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url, {"action": "accept", "files": []})
            assert response.status_code in (403, 404, 405), (name, method, response.status_code)
            assert not leaks(response.content, demo), (name, leaks(response.content, demo))
        for method in schema_methods(name):  # PATCH, PUT, DELETE where the API has them
            body = {"name": "改名", "area": demo.township1.pk, "outcome": "excellent"}
            response = client.generic(
                method.upper(), url, json.dumps(body), content_type="application/json"
            )
            assert response.status_code in (403, 404), (name, method, response.status_code)
            assert not leaks(response.content, demo), (name, leaks(response.content, demo))
    for name in OWN_ACTIONS:
        response = client.post(reverse(name), {"id_number": ID_A})  # township 2's resident
        assert response.status_code in (200, 400, 403, 404), (name, response.status_code)
        assert not leaks(response.content, demo), (name, leaks(response.content, demo))
    for name in LISTS:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403, 405), (name, response.status_code)
        assert not leaks(response.content, demo), (name, leaks(response.content, demo))
        # Searched for township 2's texts and filtered by its ids: a filter or a search
        # narrows what one may see, it never widens it.
        response = client.get(reverse(name), probes(demo, theirs))
        assert response.status_code in (200, 302, 400, 403, 404, 405), (name, response.status_code)
        assert not leaks(response.content, demo), (name, "probed", leaks(response.content, demo))
    for name in ("inbox_mark_all_read", "notification-read-all"):
        client.post(reverse(name))
    case, _attachment, notice, _area, staff, post, _evaluation, incident = theirs
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.events.count() == 1
    assert notice.read_at is None and case.attachments.count() == 1
    post.refresh_from_db()
    staff.refresh_from_db()
    assert post.end is None and staff.name == STAFF_MARKER and staff.user_id is None
    assert Incident.objects.get() == incident
    assert Campaign.objects.get().status == "running"
    assert not InstructionReceipt.objects.filter(read_at__isnull=False).exists()
    assert InspectionProblem.objects.get().status == "open"


def test_anonymous_visitors_are_sent_to_log_in_everywhere_but_the_public_routes(
    client, theirs, their_ranking
):
    routes = {name: {} for name in LISTS} | object_routes(theirs, their_ranking)
    routes |= {name: kwargs for name, (kwargs, _query) in ranking_routes(their_ranking).items()}
    routes |= {"category-detail": {"code": "neighbour"}}
    for name, kwargs in routes.items():
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            if url.startswith("/api/"):
                assert response.status_code in (401, 403), (name, response.status_code)
            else:
                assert response.status_code in (302, 405), (name, response.status_code)
                if response.status_code == 302:
                    assert response.url.startswith(reverse("login")), (name, response.url)
            assert MARKER not in response.content.decode("utf-8", "replace")
        for method in schema_methods(name):  # PATCH, PUT, DELETE where the API has them
            response = client.generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code in (401, 403), (name, method, response.status_code)


def test_the_walks_markers_do_see_township_two_in_filter_choices_where_it_belongs(
    client, demo, theirs, their_ranking
):
    """The county sees both townships: its list pages' filters offer township 2's areas and
    people, and the markers find them there. So on township 1's pages, where the walk finds
    none, a filter leaking them would be seen."""
    client.force_login(demo.user("county"))
    for name in ("case_report", "staff_list", "resident_create", "spot_check_create", "dashboard"):
        body = client.get(reverse(name)).content.decode()
        choices = " ".join(re.findall(r"<option[^>]*>([^<]*)</option>", body))
        assert leaks(choices.encode(), demo), name
