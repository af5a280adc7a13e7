"""Jurisdiction is security: a user sees their own subtree and nothing else, through every
page and API route, for every role."""

import pytest
from django.urls import reverse

from governance.platform.roles import Role
from grids.jurisdiction import (
    can_see,
    can_see_area,
    jurisdiction_root,
    role_area_errors,
    scope,
)
from grids.models import Area, AreaLevel

TOWNSHIP1_PERSONAS = ["township1", "police1", "village1", "grid1", "member1"]
COUNTY_PERSONAS = ["county", "centre", "inspector"]


def object_urls(area: Area) -> list[str]:
    return [
        reverse("area_detail", args=[area.pk]),
        reverse("area_children", args=[area.pk]),
        reverse("area_export", args=[area.pk]),
        reverse("area-detail", args=[area.pk]),
    ]


def outside_areas(demo) -> list[Area]:
    return [demo.township2, demo.village2, demo.grid2, demo.microgrid2]


@pytest.mark.parametrize("username", TOWNSHIP1_PERSONAS)
def test_township1_people_get_404_for_every_object_of_township2(client, demo, username):
    client.force_login(demo.user(username))
    for area in outside_areas(demo):
        for url in object_urls(area):
            response = client.get(url)
            assert response.status_code == 404, url
            assert area.name not in response.content.decode(), url
            assert area.code not in response.content.decode(), url


@pytest.mark.parametrize("username", TOWNSHIP1_PERSONAS)
def test_township1_people_find_nothing_of_township2_in_lists_and_search(client, demo, username):
    client.force_login(demo.user(username))
    outside_codes = {a.code for a in Area.objects.filter(code__startswith=demo.township2.code[:9])}
    listing = client.get(reverse("area-list"), {"page_size": 500}).json()
    assert {row["code"] for row in listing["results"]}.isdisjoint(outside_codes)
    for query in (
        {"search": demo.village2.name},
        {"code": demo.township2.code[:9]},
        {"parent": demo.township2.pk},
        {"level": "township"},
    ):
        rows = client.get(reverse("area-list"), query).json()["results"]
        assert {row["code"] for row in rows}.isdisjoint(outside_codes), query
    outside_links = [reverse("area_detail", args=[a.pk]) for a in outside_areas(demo)]
    for query in ({"q": demo.village2.name}, {"q": demo.township2.code[:9]}, {"level": "village"}):
        page = client.get(reverse("area_tree"), query).content.decode()
        assert not any(link in page for link in outside_links), query
        assert demo.township2.code not in page
    for url in (reverse("area_tree"), reverse("home"), reverse("overview"), reverse("dashboard")):
        page = client.get(url).content.decode()
        assert demo.township2.name not in page
        assert not any(link in page for link in outside_links)


@pytest.mark.parametrize("username", COUNTY_PERSONAS)
def test_county_people_see_the_whole_county_and_nothing_of_the_next(
    client, demo, other_county, username
):
    client.force_login(demo.user(username))
    townships = client.get(reverse("area-list"), {"level": "township"}).json()
    assert townships["count"] == 3
    assert client.get(reverse("area_detail", args=[demo.microgrid2.pk])).status_code == 200
    for area in Area.objects.filter(tree_id=other_county.tree_id):
        for url in object_urls(area):
            assert client.get(url).status_code == 404, url
    rows = client.get(reverse("area-list"), {"search": "邻县"}).json()
    assert rows["count"] == 0


def test_each_persona_sees_exactly_its_subtree(demo):
    expected_roots = {
        "county": demo.county,
        "centre": demo.county,
        "inspector": demo.county,
        "township1": demo.township1,
        "township2": demo.township2,
        "police1": demo.village1,
        "village1": demo.village1,
        "grid1": demo.grid1,
        "member1": demo.grid1,
    }
    for username, root in expected_roots.items():
        user = demo.user(username)
        assert jurisdiction_root(user) == root, username
        visible = set(scope(user, Area.objects.all()).values_list("code", flat=True))
        prefix = root.code.rstrip("0") if root.level != "grid" else root.code
        assert visible == set(
            Area.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        ), username


def test_users_without_an_area_see_nothing(demo, django_user_model, client):
    user = django_user_model.objects.create_user("nobody", password="x" * 12)
    assert not scope(user, Area.objects.all()).exists()
    client.force_login(user)
    assert client.get(reverse("area-list")).json()["count"] == 0
    assert client.get(reverse("area_detail", args=[demo.county.pk])).status_code == 404
    client.cookies["django_language"] = "en"
    assert "no area" in client.get(reverse("area_tree")).content.decode()


def test_moving_a_user_to_another_area_changes_access_at_once(client, demo):
    user = demo.user("township1")
    client.force_login(user)
    assert client.get(reverse("area_detail", args=[demo.village1.pk])).status_code == 200
    user.area = demo.township2
    user.save()
    assert client.get(reverse("area_detail", args=[demo.village1.pk])).status_code == 404
    assert client.get(reverse("area_detail", args=[demo.village2.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_login_and_get_no_data(client, demo):
    for url in [*object_urls(demo.village1)[:3], reverse("area_tree"), reverse("home")]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    for url in (reverse("area-list"), reverse("area-detail", args=[demo.village1.pk])):
        response = client.get(url)
        assert response.status_code in (401, 403)
        assert demo.village1.name not in response.content.decode()


def test_only_administrators_export(client, demo):
    client.force_login(demo.user("township1"))
    assert client.get(reverse("area_export", args=[demo.township1.pk])).status_code == 404
    client.force_login(demo.user("county"))
    response = client.get(reverse("area_export", args=[demo.township1.pk]))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert demo.village1.code in body and demo.village2.code not in body


@pytest.mark.parametrize(
    ("role", "level", "ok"),
    [
        (Role.TOWNSHIP_CENTRE, AreaLevel.TOWNSHIP, True),
        (Role.TOWNSHIP_CENTRE, AreaLevel.VILLAGE, False),
        (Role.GRID_WORKER, AreaLevel.GRID, True),
        (Role.GRID_WORKER, AreaLevel.VILLAGE, False),
        (Role.POLICE, AreaLevel.VILLAGE, True),
        (Role.COUNTY_ADMIN, AreaLevel.TOWNSHIP, False),
        (Role.INSPECTOR, AreaLevel.MICROGRID, True),
    ],
)
def test_roles_are_posted_at_fitting_levels(demo, role, level, ok):
    area = Area.objects.filter(level=level).first()
    assert (role_area_errors(role, area) == []) is ok


def test_the_area_check_without_a_query_agrees_with_scope(demo, other_county):
    # can_see_area (case intake) and can_see (through scope) for every user and area.
    from personnel.models import User

    operator = User.objects.create_superuser(username="op-areas", password="x")
    areas = list(Area.objects.all())
    assert other_county in areas
    for user in [*demo.users.values(), operator]:
        seen = {area.pk for area in areas if can_see_area(user, area)}
        assert seen == {area.pk for area in areas if can_see(user, area)}, user.username
        assert seen == set(scope(user, Area.objects.all()).values_list("pk", flat=True))
