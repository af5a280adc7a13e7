import re

import pytest
from django.urls import reverse

from grids.models import Area


@pytest.fixture
def county_client(client, demo):
    client.force_login(demo.user("county"))
    return client


def test_areas_filter_by_level_parent_code_and_name(county_client, demo):
    url = reverse("area-list")
    townships = county_client.get(url, {"level": "township"}).json()
    assert townships["count"] == 3
    assert [row["level_display"] for row in townships["results"]] == ["乡镇/街道"] * 3 or all(
        row["level"] == "township" for row in townships["results"]
    )
    children = county_client.get(url, {"parent": demo.township1.pk}).json()
    assert {row["id"] for row in children["results"]} == set(
        demo.township1.children.values_list("pk", flat=True)
    )
    by_code = county_client.get(url, {"code": demo.village1.code}).json()
    assert by_code["results"][0]["id"] == demo.village1.pk
    by_name = county_client.get(url, {"search": demo.village1.name}).json()
    assert demo.village1.pk in {row["id"] for row in by_name["results"]}
    bad_level = county_client.get(url, {"level": "planet"})
    assert bad_level.status_code == 400 and "level" in bad_level.json()


def test_area_detail_has_counts_and_centre(county_client, demo):
    data = county_client.get(reverse("area-detail", args=[demo.township1.pk])).json()
    assert data["code"] == demo.township1.code
    assert data["child_count"] == demo.township1.children.count()
    assert data["descendant_count"] == demo.township1.descendant_total
    assert set(data["centre"]) == {"lat", "lng"}


def test_the_list_is_paginated(county_client, demo):
    first = county_client.get(reverse("area-list"), {"page_size": 10}).json()
    assert first["count"] == Area.objects.count() and len(first["results"]) == 10
    assert first["next"]


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_list_costs_the_same_queries_whatever_the_page_size(
    county_client, demo, django_assert_num_queries, page_size
):
    county_client.get(reverse("area-list"))  # warm the session
    # session, user, user's area, count, page
    with django_assert_num_queries(5):
        county_client.get(reverse("area-list"), {"page_size": page_size})


@pytest.mark.parametrize("query", ["村", "网格"])  # a few dozen rows, then over a hundred
def test_area_pages_cost_a_fixed_number_of_queries(
    county_client, demo, django_assert_num_queries, query
):
    # session, user, user's area, the header's unread count, then the page's own: roots +
    # children in one GROUP BY
    with django_assert_num_queries(6):
        county_client.get(reverse("area_tree"))
    # ... the area, its ancestors, counts per level, the children's count and page
    with django_assert_num_queries(9):
        county_client.get(reverse("area_detail", args=[demo.township1.pk]))
    # ... the search's count and page
    with django_assert_num_queries(6):
        county_client.get(reverse("area_tree"), {"q": query})
    # the county's dashboard: its figures (one statement; no case, so no category to name;
    # the children's names) and its year's months computed, each with the cache's data
    # version ...
    with django_assert_num_queries(9):
        county_client.get(reverse("dashboard"))
    # ... then read from the cache: the two data versions alone
    with django_assert_num_queries(6):
        county_client.get(reverse("dashboard"))


def test_schema_and_docs_are_served_locally(county_client):
    schema = county_client.get(reverse("api_schema"))
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/areas/" in text and "/api/v1/auth/token/" in text
    docs = county_client.get(reverse("api_docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs)
    assert sources and all(s.startswith("/") for s in sources), sources


def test_the_docs_are_public_but_the_data_is_not(client, db):
    assert client.get(reverse("api_schema")).status_code in (200, 401, 403)
    assert client.get(reverse("area-list")).status_code in (401, 403)


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    # Every route's input and output is typed: mobile clients generate their code from it.
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/staffing/coverage/" in out.read_text()
