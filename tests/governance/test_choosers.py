"""Searchable choosers: the JSON searches answer within the user's jurisdiction only (an
outsider finds nothing), a page at a time, to GETs only; the forms that offer more than
CHOOSER_THRESHOLD entries render a chooser and still accept only their own scoped entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.platform import choosers
from grids.models import Area, AreaLevel
from grids.services import area_create
from personnel.selectors import staff_visible_to
from residents.models import Resident, ResidentCategory, RiskLevel
from tests.samples import ID_A, id_number

pytestmark = pytest.mark.django_db


def search(client, name, **params):
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.status_code
    return response.json()


def ids(answer) -> set[int]:
    return {row["id"] for row in answer["results"]}


@pytest.fixture
def many_grids(demo):
    """25 more grids in village 1 (township 1): more than a page of results."""
    return [
        area_create(
            name=f"南溪补充网格{n:02d}",
            code=f"{demo.village1.code}{500 + n:03d}",
            level=AreaLevel.GRID,
            parent=demo.village1,
            actor=demo.user("county"),
        )
        for n in range(25)
    ]


def test_a_township_finds_its_own_areas_and_never_another_township_s(client, demo):
    client.force_login(demo.user("township1"))
    mine = search(client, "choose_areas", q=demo.village1.name)
    assert demo.village1.pk in ids(mine)
    assert search(client, "choose_areas", q=demo.village2.name)["results"] == []
    assert search(client, "choose_areas", q=demo.village2.code)["results"] == []
    everything = search(client, "choose_areas")
    visible = set(
        Area.objects.filter(
            tree_id=demo.township1.tree_id,
            lft__gte=demo.township1.lft,
            rght__lte=demo.township1.rght,
        ).values_list("pk", flat=True)
    )
    assert ids(everything) <= visible
    row = next(r for r in mine["results"] if r["id"] == demo.village1.pk)
    assert row["key"] == demo.village1.code and demo.village1.name in row["label"]


def test_an_outsider_gets_nothing_of_the_county(client, demo, other_county):
    outsider = demo.user("township2")
    client.force_login(outsider)
    for name in ("choose_areas", "choose_grids"):
        assert search(client, name, q=demo.grid1.name)["results"] == []
        assert search(client, name, q=demo.township1.code)["results"] == []
    theirs = set(staff_visible_to(outsider).values_list("pk", flat=True))
    assert ids(search(client, "choose_staff")) <= theirs


def test_the_area_search_takes_levels_and_the_grid_search_only_grids(client, demo):
    client.force_login(demo.user("county"))
    villages = search(client, "choose_areas", level="village")["results"]
    assert villages and all(
        Area.objects.get(pk=row["id"]).level == AreaLevel.VILLAGE for row in villages
    )
    two = search(client, "choose_areas", level="township,village")["results"]
    assert {Area.objects.get(pk=r["id"]).level for r in two} <= {"township", "village"}
    grids = search(client, "choose_grids", q=demo.village1.code)["results"]
    assert grids and {Area.objects.get(pk=r["id"]).level for r in grids} == {"grid"}


def test_results_come_twenty_at_a_time(client, demo, many_grids):
    client.force_login(demo.user("township1"))
    first = search(client, "choose_grids", q="南溪补充")
    assert len(first["results"]) == choosers.CHOOSER_PAGE_SIZE == 20 and first["more"]
    second = search(client, "choose_grids", q="南溪补充", page=2)
    assert len(second["results"]) == 5 and not second["more"]
    assert not ids(first) & ids(second)
    assert search(client, "choose_grids", q="南溪补充", page="x")["page"] == 1


def test_the_searches_answer_gets_only_and_ask_strangers_to_log_in(client, demo):
    for name in ("choose_areas", "choose_grids", "choose_staff"):
        response = client.get(reverse(name), {"q": demo.village1.name})
        assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(demo.user("county"))
    for name in ("choose_areas", "choose_grids", "choose_staff"):
        assert client.post(reverse(name), {"q": "x"}).status_code == 405


def test_the_staff_search_finds_people_by_name_within_the_jurisdiction(client, demo, roster):
    client.force_login(demo.user("township1"))
    someone = staff_visible_to(demo.user("township1")).first()
    assert someone is not None
    found = search(client, "choose_staff", q=someone.name)
    assert someone.pk in ids(found)
    theirs = staff_visible_to(demo.user("township2")).first()
    assert theirs.pk not in ids(search(client, "choose_staff", q=theirs.name))


@pytest.fixture
def chooser_forms(monkeypatch):
    """Every list with more than one entry is long enough to need a chooser."""
    monkeypatch.setattr(choosers, "CHOOSER_THRESHOLD", 1)


def resident_body(demo, **overrides) -> dict:
    return {
        "name": "周戊",
        "id_number": ID_A,
        "address": "一组12号",
        "grid": demo.grid1.code,
        "category": ResidentCategory.PETITION_PRONE,
        "risk": RiskLevel.MEDIUM,
        **overrides,
    }


def test_the_resident_form_renders_choosers_over_the_searches(client, demo, roster, chooser_forms):
    client.force_login(demo.user("county"))
    page = client.get(reverse("resident_create")).content.decode()
    assert f'data-chooser="{reverse("choose_grids")}"' in page
    assert f'data-chooser="{reverse("choose_staff")}"' in page
    assert '<select name="grid"' not in page and '<select name="responsible"' not in page


def test_the_chooser_takes_an_id_a_code_or_a_name_of_its_own_list(
    client, demo, roster, chooser_forms
):
    client.force_login(demo.user("township1"))
    staff = staff_visible_to(demo.user("township1")).first()
    for n, (grid, responsible) in enumerate(
        [
            (str(demo.grid1.pk), str(staff.pk)),  # what the script sends
            (demo.grid1.code, staff.pk),  # a code typed without JavaScript
            (demo.grid1.name, staff.name),  # or the exact name
        ]
    ):
        body = resident_body(
            demo, name=f"周戊{n}", id_number=id_number(700 + n), grid=grid, responsible=responsible
        )
        response = client.post(reverse("resident_create"), body)
        form = response.context["form"] if response.status_code != 302 else None
        assert response.status_code == 302, form.errors if form else ""
        resident = Resident.objects.get(name=f"周戊{n}")
        assert (resident.grid_id, resident.responsible_id) == (demo.grid1.pk, staff.pk)


def test_an_id_outside_the_jurisdiction_is_a_field_error_not_a_choice(
    client, demo, roster, chooser_forms
):
    client.force_login(demo.user("township1"))
    theirs = staff_visible_to(demo.user("township2")).first()
    response = client.post(
        reverse("resident_create"),
        resident_body(
            demo,
            grid=str(demo.grid2.pk),
            responsible=str(theirs.pk),
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "grid" in errors and "responsible" in errors
    assert not Resident.objects.filter(name="周戊").exists()
    # The code of township 2's grid is refused the same way.
    response = client.post(reverse("resident_create"), resident_body(demo, grid=demo.grid2.code))
    assert response.status_code == 400 and "grid" in response.context["form"].errors


def test_the_area_forms_turn_into_choosers_and_keep_their_scope(client, demo, chooser_forms):
    client.force_login(demo.user("county"))
    for name in ("incident_create", "inspection_create", "campaign_create", "staff_create"):
        page = client.get(reverse(name)).content.decode()
        assert f'data-chooser="{reverse("choose_areas")}?level=' in page, name
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("incident_create"),
        {"area": demo.village2.code, "kind": "petition", "occurred_at": "2026-01-05T10:00"},
    )
    assert response.status_code in (400, 403)
    if response.status_code == 400:
        assert "area" in response.context["form"].errors
