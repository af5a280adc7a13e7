"""Case categories and deadline rules belong to a county: in a city or province
installation, what one county's administrator edits changes nothing of another county's."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from disputes.models import Case, CaseLevel, Category, DeadlineRule
from disputes.services import case_report
from disputes.services.sweeps import escalate_overdue
from governance.platform.roles import Role
from grids.models import Area, AreaLevel
from grids.services import area_create
from personnel.models import User


@dataclass
class County:
    county: Area
    grid: Area
    admin: User
    worker: User


@pytest.fixture
def county_b(demo) -> County:
    """A second county beside the demo's, with its administrator and a grid worker."""
    county = area_create(code="439922000000", name="石门县", level=AreaLevel.COUNTY, parent=None)
    township = area_create(
        code="439922100000", name="邻县镇", level=AreaLevel.TOWNSHIP, parent=county
    )
    village = area_create(
        code="439922100200", name="邻县村", level=AreaLevel.VILLAGE, parent=township, kind="rural"
    )
    grid = area_create(
        code="439922100200001", name="邻县一网格", level=AreaLevel.GRID, parent=village
    )
    admin = User.objects.create_user("county-b", role=Role.COUNTY_ADMIN, area=county, is_staff=True)
    admin.groups.add(Group.objects.get(name=str(Role.COUNTY_ADMIN.label)))
    worker = User.objects.create_user("grid-b", role=Role.GRID_WORKER, area=grid)
    return County(county=county, grid=grid, admin=admin, worker=worker)


def county_a(demo) -> County:
    return County(demo.county, demo.grid1, demo.user("county"), demo.user("grid1"))


def report(
    client, place: County, category: str = "neighbour", user: User | None = None, **fields
) -> dict:
    client.force_login(user or place.worker)
    response = client.post(
        reverse("case-list"),
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "dispute",
            "category": category,
            "title": "邻里排水纠纷",
            "description": "排水沟堵塞引发争执。",
            "grid": place.grid.pk,
            **fields,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def hours_given(case: dict) -> float:
    given = parse_datetime(case["deadline"]) - parse_datetime(case["created_at"])
    return round(given.total_seconds() / 3600)


def category_names(client, user: User) -> dict[str, str]:
    client.force_login(user)
    return {row["code"]: row["name"] for row in client.get(reverse("category-list")).json()}


def admin_post(client, user: User, url: str, data: dict):
    client.force_login(user)
    return client.post(url, data)


def rule_added(client, place: County, *, level: str, hours: int, category: str = ""):
    response = admin_post(
        client,
        place.admin,
        reverse("admin:disputes_deadlinerule_add"),
        {
            "county": place.county.pk,
            "category": category,
            "severity": "ordinary",
            "level": level,
            "hours": hours,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]


def own_category_pk(client, place: County, code: str) -> int:
    """The county's own category of this code, as its administrator finds it in the admin."""
    client.force_login(place.admin)
    page = client.get(reverse("admin:disputes_category_changelist"), {"q": code}).content
    found = set(re.findall(r"/admin/disputes/category/(\d+)/change/", page.decode()))
    assert len(found) == 1, found
    return int(found.pop())


def listed(client, changelist: str) -> str:
    """The rows of an admin list (not the messages above it)."""
    page = client.get(reverse(changelist)).content.decode()
    start = page.index('id="result_list"')
    return page[start : page.index("</table>", start)]


def category_added(client, place: County, *, code: str, name: str) -> None:
    response = admin_post(
        client,
        place.admin,
        reverse("admin:disputes_category_add"),
        {
            "county": place.county.pk,
            "code": code,
            "name": name,
            "kind": "dispute",
            "sort_order": 50,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]


def test_a_county_edits_its_own_deadline_rules_and_category_names_without_changing_another_countys(
    client, demo, county_b
):
    a = county_a(demo)
    b_case = report(client, county_b)
    b_names = category_names(client, county_b.worker)
    assert b_names["neighbour"] == "邻里纠纷"

    # County A's administrator renames a category and shortens the deadlines.
    neighbour = own_category_pk(client, a, "neighbour")
    response = admin_post(
        client,
        a.admin,
        reverse("admin:disputes_category_change", args=[neighbour]),
        {
            "code": "neighbour",
            "name": "邻里矛盾",
            "kind": "dispute",
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    rule_added(client, a, level=CaseLevel.VILLAGE, hours=12)
    rule_added(client, a, level=CaseLevel.TOWNSHIP, hours=5)

    # A's own cases follow A's settings…
    assert category_names(client, a.worker)["neighbour"] == "邻里矛盾"
    assert hours_given(report(client, a)) == 12
    # …and B's category list, B's cases and B's new cases are as they were.
    assert category_names(client, county_b.worker) == b_names
    stored = Case.objects.get(pk=b_case["id"])
    assert stored.deadline == parse_datetime(b_case["deadline"])
    assert stored.category.name == "邻里纠纷"
    assert hours_given(report(client, county_b)) == 72
    # The overdue sweep gives B's case B's township deadline (the default week), not A's.
    now = stored.deadline + timedelta(seconds=1)
    escalate_overdue(now=now)
    stored.refresh_from_db()
    assert stored.level == CaseLevel.TOWNSHIP
    assert stored.deadline == now + timedelta(hours=168)


def test_a_new_county_starts_with_the_default_categories_the_first_time_they_are_needed(
    client, demo, county_b
):
    from disputes.defaults import DEFAULT_CATEGORIES

    names = category_names(client, county_b.worker)
    assert names == {code: name for _kind, code, name in DEFAULT_CATEGORIES}
    assert report(client, county_b, category="homestead")["category_name"] == "宅基地纠纷"


def test_a_case_reported_in_county_b_uses_county_bs_rules(client, demo, county_b):
    a = county_a(demo)
    rule_added(client, a, level=CaseLevel.VILLAGE, hours=12)
    rule_added(client, county_b, level=CaseLevel.VILLAGE, hours=30)
    assert hours_given(report(client, county_b)) == 30
    assert hours_given(report(client, a)) == 12


def test_a_category_rule_of_one_county_does_not_apply_to_the_same_category_of_another(
    client, demo, county_b
):
    a = county_a(demo)
    report(client, county_b)  # B's first report: B has its categories from then on
    rule_added(
        client, a, level=CaseLevel.VILLAGE, hours=6, category=own_category_pk(client, a, "debt")
    )
    assert hours_given(report(client, a, category="debt")) == 6
    assert hours_given(report(client, county_b, category="debt")) == 72


def test_a_township_user_can_neither_see_nor_use_another_countys_categories_through_the_api(
    client, demo, county_b
):
    category_added(client, county_b, code="stone_quarry", name="采石场纠纷")
    assert "stone_quarry" in category_names(client, county_b.worker)

    township = demo.user("township1")
    assert "stone_quarry" not in category_names(client, township)
    assert client.get(reverse("category-detail", args=["stone_quarry"])).status_code == 404
    response = client.post(
        reverse("case-list"),
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "dispute",
            "category": "stone_quarry",
            "title": "采石纠纷",
            "description": "采石场噪音。",
            "grid": demo.grid1.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "category" in response.json()
    assert not Case.objects.filter(title="采石纠纷").exists()


def test_the_report_form_and_the_case_filter_offer_only_the_counties_own_categories(
    client, demo, county_b
):
    category_added(client, county_b, code="stone_quarry", name="采石场纠纷")
    client.force_login(county_b.worker)
    assert "采石场纠纷" in client.get(reverse("case_report")).content.decode()

    client.force_login(demo.user("grid1"))
    assert "采石场纠纷" not in client.get(reverse("case_report")).content.decode()
    response = client.post(
        reverse("case_report"),
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "dispute",
            "category": "stone_quarry",
            "grid": demo.grid1.pk,
            "title": "采石纠纷",
            "description": "采石场噪音。",
            "severity": "ordinary",
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["category"]
    client.force_login(demo.user("township1"))
    filters = client.get(reverse("case_list")).content.decode()
    assert "邻里纠纷" in filters and "采石场纠纷" not in filters
    assert client.get(reverse("case-list"), {"category": "stone_quarry"}).status_code == 400


def test_the_reporting_service_refuses_a_category_of_another_county(client, demo, county_b):
    category_added(client, county_b, code="stone_quarry", name="采石场纠纷")
    theirs = Category.objects.get(code="stone_quarry")
    with pytest.raises(ValidationError) as refused:
        case_report(
            reporter=demo.user("grid1"),
            client_uuid=uuid.uuid4(),
            kind="dispute",
            category=theirs,
            title="采石纠纷",
            description="采石场噪音。",
            grid=demo.grid1,
        )
    assert "category" in refused.value.message_dict
    assert not Case.objects.filter(title="采石纠纷").exists()


def test_a_county_administrator_sees_and_edits_only_its_own_countys_rows_in_the_admin(
    client, demo, county_b
):
    a = county_a(demo)
    category_added(client, county_b, code="stone_quarry", name="采石场纠纷")
    rule_added(client, county_b, level=CaseLevel.VILLAGE, hours=30)
    theirs = DeadlineRule.objects.get(hours=30)
    # A new row gets the administrator's own county.
    rule_added(client, a, level=CaseLevel.VILLAGE, hours=12)
    ours = DeadlineRule.objects.get(hours=12)
    assert ours.county == a.county

    client.force_login(a.admin)
    categories = listed(client, "admin:disputes_category_changelist")
    assert "邻里纠纷" in categories and "采石场纠纷" not in categories
    rules = listed(client, "admin:disputes_deadlinerule_changelist")
    assert f"/deadlinerule/{ours.pk}/change/" in rules
    assert f"/deadlinerule/{theirs.pk}/change/" not in rules
    change = reverse("admin:disputes_deadlinerule_change", args=[theirs.pk])
    assert client.get(change).status_code in (302, 404)
    client.post(
        change, {"county": a.county.pk, "severity": "ordinary", "level": "village", "hours": 1}
    )
    theirs.refresh_from_db()
    assert theirs.hours == 30

    # A county may have a category of the same code as another's: its own.
    category_added(client, a, code="stone_quarry", name="本县采石纠纷")
    assert {c.county for c in Category.objects.filter(code="stone_quarry")} == {
        a.county,
        county_b.county,
    }


def test_an_administrator_cannot_give_a_rule_another_countys_category_or_county(
    client, demo, county_b
):
    a = county_a(demo)
    category_added(client, county_b, code="stone_quarry", name="采石场纠纷")
    theirs = Category.objects.get(code="stone_quarry")
    client.force_login(a.admin)
    for data in (
        {"county": a.county.pk, "category": theirs.pk},
        {"county": county_b.county.pk, "category": ""},
    ):
        response = client.post(
            reverse("admin:disputes_deadlinerule_add"),
            {"severity": "ordinary", "level": "village", "hours": 1, **data},
        )
        assert response.status_code == 200  # the form again, with the field's error
    assert not DeadlineRule.objects.exists()


@pytest.fixture
def city(db) -> tuple[User, County, County]:
    """A city with two counties and a centre that works in both (a county role at the
    city), each county with a grid worker."""
    root = area_create(code="439900000000", name="示范市", level=AreaLevel.CITY, parent=None)
    places = []
    for prefix, name in (("439931", "东县"), ("439932", "西县")):
        county, grid = small_county(prefix, name, parent=root)
        worker = User.objects.create_user(f"grid-{prefix}", role=Role.GRID_WORKER, area=grid)
        places.append(County(county=county, grid=grid, admin=worker, worker=worker))
    centre = User.objects.create_user("city-centre", role=Role.COUNTY_CENTRE, area=root)
    return centre, places[0], places[1]


def test_a_city_centre_reports_with_the_category_of_the_grids_own_county(client, city):
    from disputes.selectors.stats import area_stats

    centre, east, west = city
    client.force_login(centre)
    rows = client.get(reverse("category-list"), {"kind": "dispute"}).json()
    assert {row["county"] for row in rows} == {east.county.pk, west.county.pk}
    one = reverse("category-detail", args=["neighbour"])
    assert client.get(one).status_code == 400  # two counties have it: which?
    assert client.get(one, {"county": west.county.pk}).json()["county"] == west.county.pk

    for place in (east, west):
        case = Case.objects.get(pk=report(client, place, user=centre)["id"])
        assert (case.category.code, case.category.county) == ("neighbour", place.county)
    client.force_login(centre)
    listed = client.get(reverse("case-list"), {"category": "neighbour"}).json()
    assert listed["count"] == 2
    top = area_stats(user=centre, area=east.county.parent, start=None, end=None)
    assert top["top_categories"] == [{"code": "neighbour", "name": "邻里纠纷", "count": 2}]


# The last migration before categories and deadline rules had a county.
BEFORE = [("disputes", "0010_case_lean_indexes")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def small_county(prefix: str, name: str, parent: Area | None = None) -> tuple[Area, Area]:
    """A county with one township, village and grid (codes "4399xx…"); (county, grid)."""
    county = area_create(code=f"{prefix}000000", name=name, level=AreaLevel.COUNTY, parent=parent)
    township = area_create(
        code=f"{prefix}100000", name=f"{name}镇", level=AreaLevel.TOWNSHIP, parent=county
    )
    village = area_create(
        code=f"{prefix}100200",
        name=f"{name}村",
        level=AreaLevel.VILLAGE,
        parent=township,
        kind="rural",
    )
    grid = area_create(
        code=f"{prefix}100200001", name=f"{name}网格", level=AreaLevel.GRID, parent=village
    )
    return county, grid


@pytest.mark.django_db(transaction=True)
def test_migrating_gives_each_county_its_own_copy_of_the_settings_and_repoints_its_cases():
    try:
        migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        OldCategory = old.get_model("disputes", "Category")
        OldRule = old.get_model("disputes", "DeadlineRule")
        OldCase = old.get_model("disputes", "Case")
        # The shared settings as a county administrator had left them: one renamed, one
        # retired, one category of their own, a default rule and a category's rule.
        neighbour = OldCategory.objects.create(code="neighbour", name="邻里矛盾", kind="dispute")
        debt = OldCategory.objects.create(code="debt", name="债务纠纷", kind="dispute")
        OldCategory.objects.create(code="fire", name="消防隐患", kind="hazard", is_active=False)
        OldRule.objects.create(category=None, severity="ordinary", level="village", hours=48)
        OldRule.objects.create(category=debt, severity="ordinary", level="village", hours=24)
        reporter = User.objects.create_user("reporter")
        places = {"A": small_county("439911", "甲县"), "B": small_county("439922", "乙县")}
        for county, grid in places.values():
            for category in (neighbour, debt, debt):
                OldCase.objects.create(
                    client_uuid=uuid.uuid4(),
                    kind="dispute",
                    category_id=category.pk,
                    title="纠纷",
                    description="……",
                    grid_id=grid.pk,
                    village_id=grid.parent_id,
                    township_id=grid.parent.parent_id,
                    county_id=county.pk,
                    reporter_id=reporter.pk,
                )

        migrate(latest())

        for county, _grid in places.values():
            own = {c.code: c for c in Category.objects.filter(county=county)}
            assert {code: (c.name, c.is_active) for code, c in own.items()} == {
                "neighbour": ("邻里矛盾", True),
                "debt": ("债务纠纷", True),
                "fire": ("消防隐患", False),
            }
            cases = Case.objects.filter(county=county).select_related("category")
            assert sorted(case.category.code for case in cases) == ["debt", "debt", "neighbour"]
            assert {case.category.county_id for case in cases} == {county.pk}
            rules = DeadlineRule.objects.filter(county=county)
            assert {(r.category_id, r.hours) for r in rules} == {
                (None, 48),
                (own["debt"].pk, 24),
            }
        assert Category.objects.count() == 6 and DeadlineRule.objects.count() == 4
    finally:
        migrate(latest())


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_without_counties_leaves_no_settings_without_a_county():
    try:
        migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        category = old.get_model("disputes", "Category").objects.create(
            code="neighbour", name="邻里纠纷", kind="dispute"
        )
        old.get_model("disputes", "DeadlineRule").objects.create(
            category=category, severity="ordinary", level="village", hours=48
        )
        migrate(latest())
        assert not Category.objects.exists() and not DeadlineRule.objects.exists()
    finally:
        migrate(latest())
