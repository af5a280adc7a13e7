"""The scoring scheme settings page and the committee's monthly values: the county edits,
the townships read, another county sees nothing; a refused change writes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assessment.forms.schemes import cell_name
from assessment.models import EnteredValue, Indicator, ScoringScheme
from assessment.services.schemes import (
    EDITABLE_FIELDS,
    entered_values_set,
    indicator_error_key,
    scheme_update,
)
from assessment.services.scoring import scheme_ensure
from governance.platform.roles import Role
from grids import tree
from grids.models import AreaLevel
from personnel.models import User

TODAY = timezone.localdate()
YEAR = TODAY.year
LAST_MONTH = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
FLAGS = ["is_percentage", "applies_to_township", "applies_to_village"]
FIELDS = [f for f in EDITABLE_FIELDS if f not in FLAGS]
SCHEME_URL = reverse("scheme_edit")
VALUES_URL = reverse("entered_values")


@pytest.fixture
def scheme(demo):
    return scheme_ensure(county=demo.county, year=YEAR)


def state(scheme) -> list[tuple]:
    """Everything the page may change, to prove that a refused change changed nothing."""
    scheme = ScoringScheme.objects.get(pk=scheme.pk)
    rows = Indicator.objects.filter(scheme=scheme).order_by("pk")
    return [(scheme.min_cases, scheme.below_min_rule, scheme.note)] + [
        tuple(getattr(i, f) for f in FIELDS + FLAGS) for i in rows
    ]


def row_data(indicator: Indicator) -> dict:
    return {f: getattr(indicator, f) for f in FIELDS + FLAGS}


def page_data(scheme, *, changes=None, new=(), delete=(), **settings) -> dict:
    """The page's form as the browser posts it: every indicator row, `changes` by code."""
    changes = changes or {}
    rows = list(scheme.indicators.order_by("sort_order", "id"))
    data = {
        "min_cases": scheme.min_cases,
        "below_min_rule": scheme.below_min_rule,
        "safe_village_score": scheme.safe_village_score,
        "note": scheme.note,
        **settings,
        "indicators-TOTAL_FORMS": len(rows) + len(new),
        "indicators-INITIAL_FORMS": len(rows),
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
    }
    forms = [{"id": i.pk, **row_data(i), **changes.get(i.code, {})} for i in rows] + list(new)
    for n, fields in enumerate(forms):
        if rows[n : n + 1] and rows[n].code in delete:
            fields["DELETE"] = True
        for key, value in fields.items():
            if key in [*FLAGS, "DELETE"]:
                if value:
                    data[f"indicators-{n}-{key}"] = "on"
            else:
                data[f"indicators-{n}-{key}"] = value
    return data


def weight(scheme, code) -> Decimal:
    return scheme.indicators.get(code=code).weight


NEW_ENTERED = {
    "sort_order": 200,
    "code": "fire-safety",
    "name": "消防检查",
    "weight": 5,
    "direction": "higher",
    "formula": "entered",
    "source": "entered",
    "full_marks_at": 100,
    "zero_at": 60,
    "is_percentage": True,
    "applies_to_township": True,
    "applies_to_village": True,
}


# The settings page


def test_county_admin_sees_the_scheme_and_moves_weight_between_two_indicators(client, demo, scheme):
    client.force_login(demo.user("county"))
    page = client.get(SCHEME_URL)
    assert page.status_code == 200
    assert page.context["can_edit"] and page.context["problems"] == []
    assert "化解率" in page.content.decode() and "indicators-TOTAL_FORMS" in page.content.decode()

    changes = {"resolution-rate": {"weight": 20}, "on-time-rate": {"weight": 10}}
    response = client.post(
        SCHEME_URL, page_data(scheme, changes=changes, min_cases=3, safe_village_score="88.5")
    )
    assert response.status_code == 302
    assert response.url == f"{SCHEME_URL}?year={YEAR}"
    assert (weight(scheme, "resolution-rate"), weight(scheme, "on-time-rate")) == (20, 10)
    assert ScoringScheme.objects.get(pk=scheme.pk).min_cases == 3
    assert ScoringScheme.objects.get(pk=scheme.pk).safe_village_score == Decimal("88.5")
    after = client.get(response.url)
    assert [m.level_tag for m in after.context["messages"]] == ["success"]
    assert after.context["totals"] == {"township": 100, "village": 100}


def test_weights_adding_up_to_101_are_refused_with_400_and_nothing_changes(client, demo, scheme):
    before = state(scheme)
    client.force_login(demo.user("county"))
    data = page_data(scheme, changes={"resolution-rate": {"weight": 16}}, note="试一下")
    response = client.post(SCHEME_URL, data)
    assert response.status_code == 400
    problems = response.context["scheme_form"].non_field_errors()
    assert len(problems) == 2 and all("101.00" in p for p in problems)  # both levels
    assert "101.00" in response.content.decode()
    assert response.context["totals"] == {"township": 101, "village": 101}
    assert state(scheme) == before


@pytest.mark.parametrize(
    ("code", "change", "field"),
    [
        ("resolution-rate", {"weight": -5}, "weight"),
        ("resolution-rate", {"full_marks_at": 50, "zero_at": 90}, "full_marks_at"),
        ("petitions", {"full_marks_at": 3, "zero_at": 1}, "full_marks_at"),  # lower is better
        ("camera-online-rate", {"full_marks_at": 120}, "full_marks_at"),  # a percentage
        ("overdue-cases", {"applies_to_township": False, "applies_to_village": False}, None),
    ],
)
def test_a_wrong_value_is_marked_at_its_field_and_nothing_changes(
    client, demo, scheme, code, change, field
):
    before = state(scheme)
    client.force_login(demo.user("county"))
    response = client.post(SCHEME_URL, page_data(scheme, changes={code: change}))
    assert response.status_code == 400
    form = next(f for f in response.context["formset"] if f.instance.code == code)
    assert list(form.errors) == [field or "applies_to_township"]
    others = [f for f in response.context["formset"] if f is not form]
    assert not any(f.errors for f in others)
    assert state(scheme) == before


def test_a_new_indicator_with_a_code_already_used_is_marked_at_its_code(client, demo, scheme):
    before = state(scheme)
    client.force_login(demo.user("county"))
    new = {**NEW_ENTERED, "code": "petitions"}
    response = client.post(SCHEME_URL, page_data(scheme, new=[new]))
    assert response.status_code == 400
    new_form = response.context["formset"].forms[-1]
    assert list(new_form.errors) == ["code"]
    assert state(scheme) == before


def test_the_county_adds_an_entered_indicator_with_weights_kept_at_100(client, demo, scheme):
    client.force_login(demo.user("county"))
    data = page_data(scheme, new=[NEW_ENTERED], changes={"petitions": {"weight": 0}})
    refused = client.post(SCHEME_URL, data)  # a weight of 0 is no weight
    assert refused.status_code == 400
    assert list(refused.context["formset"].forms[12].errors) == ["weight"]
    halves = {"weight": "2.5"}  # the two inspections make room for the new one
    changes = {"supervision-inspection": halves, "camera-online-rate": halves}
    response = client.post(SCHEME_URL, page_data(scheme, new=[NEW_ENTERED], changes=changes))
    assert response.status_code == 302, response.context["scheme_form"].errors
    added = scheme.indicators.get(code="fire-safety")
    assert (added.name, added.weight, added.source) == ("消防检查", 5, "entered")


@pytest.mark.parametrize(
    ("new", "field"),
    [
        ({"source": "resolution_rate"}, "source"),  # entered, yet computed from the data
        ({"formula": "rate", "source": "resolution_rate"}, "source"),  # counted twice
        ({"code": "不是代码"}, "code"),
    ],
)
def test_a_new_row_is_checked_like_the_others(client, demo, scheme, new, field):
    client.force_login(demo.user("county"))
    data = page_data(scheme, new=[{**NEW_ENTERED, **new}])
    response = client.post(SCHEME_URL, data)
    assert response.status_code == 400
    assert field in response.context["formset"].forms[-1].errors
    assert not scheme.indicators.filter(name="消防检查").exists()


def test_deleting_an_indicator_asks_first_and_says_what_goes_with_it(client, demo, scheme):
    petitions = scheme.indicators.get(code="petitions")
    EnteredValue.objects.create(
        indicator=petitions, area=demo.village1, month=LAST_MONTH, value=1,
        entered_by=demo.user("county"),
    )  # fmt: skip
    client.force_login(demo.user("county"))
    data = page_data(scheme, delete={"petitions"}, changes={"camera-online-rate": {"weight": 10}})
    asked = client.post(SCHEME_URL, data)
    assert asked.status_code == 200
    assert asked.context["confirm"] == [(petitions, 1)]
    assert scheme.indicators.filter(code="petitions").exists()
    assert weight(scheme, "camera-online-rate") == 5  # nothing saved before the answer

    done = client.post(SCHEME_URL, data | {"confirmed": "yes"})
    assert done.status_code == 302
    assert not scheme.indicators.filter(code="petitions").exists()
    assert weight(scheme, "camera-online-rate") == 10
    assert not EnteredValue.objects.exists()


def test_a_deletion_that_breaks_the_weights_is_refused_before_asking(client, demo, scheme):
    client.force_login(demo.user("county"))
    response = client.post(SCHEME_URL, page_data(scheme, delete={"petitions"}))
    assert response.status_code == 400
    assert response.context["confirm"] == []
    assert scheme.indicators.filter(code="petitions").exists()


def test_another_row_is_added_without_saving_or_complaining(client, demo, scheme):
    before = state(scheme)
    client.force_login(demo.user("county"))
    data = page_data(scheme, changes={"resolution-rate": {"weight": 16}}) | {"add_row": "yes"}
    response = client.post(SCHEME_URL, data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == scheme.indicators.count() + 1
    assert not formset.forms[-1].has_changed()
    assert formset.forms[0]["weight"].value() == "16"  # what was typed is kept
    assert state(scheme) == before


def test_scheme_page_queries_do_not_grow_with_the_indicators(
    client, demo, scheme, django_assert_max_num_queries
):
    client.force_login(demo.user("county"))
    with django_assert_max_num_queries(12):
        assert client.get(SCHEME_URL).status_code == 200


def test_township_centre_reads_its_countys_scheme_but_cannot_change_it(client, demo, scheme):
    before = state(scheme)
    client.force_login(demo.user("township1"))
    page = client.get(SCHEME_URL)
    assert page.status_code == 200
    assert page.context["county"] == demo.county and not page.context["can_edit"]
    body = page.content.decode()
    assert "化解率" in body and "indicators-TOTAL_FORMS" not in body
    assert reverse("entered_values") not in body
    response = client.post(SCHEME_URL, page_data(scheme, changes={"petitions": {"weight": 6}}))
    assert response.status_code == 403
    assert state(scheme) == before


@pytest.fixture
def neighbour(other_county):
    return User.objects.create_user(
        username="neighbour", password="x", role=Role.COUNTY_ADMIN, area=other_county
    )


def test_a_user_of_another_county_gets_404_for_ours(client, demo, scheme, neighbour):
    before = state(scheme)
    client.force_login(neighbour)
    ours = f"{SCHEME_URL}?county={demo.county.pk}"
    assert client.get(ours).status_code == 404
    assert client.post(ours, page_data(scheme)).status_code == 404
    assert client.get(f"{VALUES_URL}?county={demo.county.pk}").status_code == 404
    assert state(scheme) == before
    own = client.get(SCHEME_URL)
    assert own.status_code == 200 and own.context["county"] == neighbour.area


def test_next_years_scheme_is_prepared_only_when_asked(client, demo, scheme):
    client.force_login(demo.user("county"))
    url = f"{SCHEME_URL}?year={YEAR + 1}"
    page = client.get(url)
    assert page.status_code == 200 and "scheme" not in page.context
    assert not ScoringScheme.objects.filter(year=YEAR + 1).exists()
    assert client.post(url, {"prepare": "yes"}).status_code == 302
    assert ScoringScheme.objects.get(year=YEAR + 1).indicators.count() == 13
    assert client.get(f"{SCHEME_URL}?year={YEAR + 5}").status_code == 404
    assert client.get(f"{SCHEME_URL}?year=abc").status_code == 404


# Entered values


def values_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"month": f"{LAST_MONTH:%Y-%m}", **params}.items())
    return f"{VALUES_URL}?{query}"


@pytest.fixture
def entered(demo):
    scheme = scheme_ensure(county=demo.county, year=LAST_MONTH.year)
    return {i.code: i for i in scheme.indicators.filter(formula="entered")}


def townships(demo):
    return list(tree.in_order(demo.county.children.all()))


def grid_data(demo, entered, value_for) -> dict:
    return {
        cell_name(indicator.pk, township.pk): value_for(indicator, township)
        for indicator in entered.values()
        for township in townships(demo)
    }


def test_the_committee_enters_a_months_values_and_resubmitting_updates_in_place(
    client, demo, entered
):
    client.force_login(demo.user("county"))
    page = client.get(VALUES_URL)  # last month's townships by default
    assert page.status_code == 200
    assert page.context["month"] == LAST_MONTH and page.context["level"] == "township"
    assert [area for area, _cells in page.context["form"].rows()] == townships(demo)

    data = grid_data(demo, entered, lambda i, t: "2" if i.code == "petitions" else "95.5")
    response = client.post(values_url(), data)
    assert response.status_code == 302
    # Two entered indicators (camera online rate, petitions): inspections are measured.
    assert EnteredValue.objects.count() == 2 * len(townships(demo))
    assert EnteredValue.objects.filter(value=Decimal("95.5"), month=LAST_MONTH).count() == 3
    again = client.post(values_url(), data)
    assert again.status_code == 302
    assert EnteredValue.objects.count() == 2 * len(townships(demo))
    shown = client.get(values_url()).context["form"]
    camera = entered["camera-online-rate"]
    assert shown[cell_name(camera.pk, demo.township1.pk)].value() == "95.5"


@pytest.mark.parametrize("bad", ["120", "abc", "-1"])
def test_one_bad_cell_refuses_the_whole_grid_with_the_message_in_that_cell(
    client, demo, entered, bad
):
    client.force_login(demo.user("county"))
    camera = entered["camera-online-rate"]
    data = grid_data(demo, entered, lambda i, t: "90")
    data[cell_name(camera.pk, demo.township2.pk)] = bad
    response = client.post(values_url(), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [cell_name(camera.pk, demo.township2.pk)]
    assert "has-error" in response.content.decode()
    assert not EnteredValue.objects.exists()


def test_an_empty_cell_neither_writes_nor_deletes(client, demo, entered):
    camera = entered["camera-online-rate"]
    entered_values_set(
        month=LAST_MONTH, values={(camera.pk, demo.township1.pk): "88"}, actor=demo.user("county")
    )
    client.force_login(demo.user("county"))
    response = client.post(values_url(), {cell_name(camera.pk, demo.township1.pk): ""})
    assert response.status_code == 302
    assert EnteredValue.objects.get().value == 88


def test_villages_are_entered_one_township_at_a_time(client, demo, entered):
    client.force_login(demo.user("county"))
    page = client.get(values_url(level="village", township=demo.township2.pk))
    assert page.status_code == 200
    villages = [area for area, _cells in page.context["form"].rows()]
    assert villages == list(tree.in_order(demo.township2.children.all()))
    assert demo.village1 not in villages
    # A cell of a village not on the page is no field of the form: it is ignored.
    camera = entered["camera-online-rate"]
    data = {
        cell_name(camera.pk, demo.village1.pk): "90",
        cell_name(camera.pk, demo.village2.pk): "91",
    }
    url = values_url(level="village", township=demo.township2.pk)
    assert client.post(url, data).status_code == 302
    assert [(v.area, v.value) for v in EnteredValue.objects.all()] == [(demo.village2, 91)]


def test_values_page_queries_do_not_grow_with_the_villages(
    client, demo, entered, django_assert_max_num_queries
):
    client.force_login(demo.user("county"))
    with django_assert_max_num_queries(20):
        page = client.get(values_url(level="village", township=demo.township1.pk))
    assert page.status_code == 200


@pytest.mark.parametrize("username", ["township1", "village1", "inspector"])
def test_only_the_county_committee_enters_values(client, demo, entered, username):
    client.force_login(demo.user(username))
    camera = entered["camera-online-rate"]
    assert client.get(VALUES_URL).status_code == 403
    data = {cell_name(camera.pk, demo.village2.pk): "90"}
    url = values_url(level="village", township=demo.township2.pk)
    assert client.post(url, data).status_code == 403
    assert not EnteredValue.objects.exists()


def test_a_bad_month_is_refused(client, demo):
    client.force_login(demo.user("county"))
    assert client.get(values_url(month="1999-01")).status_code == 400
    assert client.get(values_url(level="grid")).status_code == 400


# The services


def update(scheme, actor, **changes):
    settings = {"min_cases": 5, "below_min_rule": "average", "note": "", "indicators": []}
    return scheme_update(scheme=scheme, actor=actor, **settings | changes)


def test_scheme_update_saves_a_valid_change_and_adds_and_deletes(demo, scheme):
    petitions = scheme.indicators.get(code="petitions")
    update(
        scheme,
        demo.user("centre"),
        min_cases=4,
        below_min_rule="zero",
        note="2026 年版",
        indicators=[{**NEW_ENTERED, "code": "fire", "weight": Decimal(5)}],
        deleted=[petitions.pk],
    )
    scheme.refresh_from_db()
    assert (scheme.min_cases, scheme.below_min_rule, scheme.note) == (4, "zero", "2026 年版")
    assert scheme.indicators.filter(code="fire").exists()
    assert not scheme.indicators.filter(code="petitions").exists()
    assert scheme.indicators.count() == 13


def test_scheme_update_refuses_everything_when_one_thing_is_wrong(demo, scheme):
    before = state(scheme)
    rows = [row_data(i) | {"id": i.pk} for i in scheme.indicators.order_by("sort_order")]
    rows[0]["weight"] = Decimal(25)  # resolution-rate: both levels now add up to 110
    rows[1]["full_marks_at"] = Decimal(50)  # on-time-rate: higher is better, yet full < zero
    rows[4]["code"] = rows[5]["code"]  # two indicators with one code
    with pytest.raises(ValidationError) as error:
        update(scheme, demo.user("county"), min_cases=-1, below_min_rule="never", indicators=rows)
    problems = error.value.message_dict
    assert set(problems) == {
        "min_cases",
        "below_min_rule",
        "__all__",
        indicator_error_key(1, "full_marks_at"),
        indicator_error_key(5, "code"),
    }
    assert len(problems["__all__"]) == 2 and all("110.00" in p for p in problems["__all__"])
    assert state(scheme) == before


def test_scheme_update_keeps_unlisted_rows_and_checks_them_with_the_rest(demo, scheme):
    resolution = scheme.indicators.get(code="resolution-rate")
    on_time = scheme.indicators.get(code="on-time-rate")
    moved = [{"id": resolution.pk, "weight": 10}, {"id": on_time.pk, "weight": 20}]
    update(scheme, demo.user("county"), indicators=moved)
    assert (weight(scheme, "resolution-rate"), weight(scheme, "on-time-rate")) == (10, 20)
    assert scheme.indicators.count() == 13
    half_a_row = {"code": "again", "source": "on_time_rate"}
    with pytest.raises(ValidationError) as error:
        update(scheme, demo.user("county"), indicators=[half_a_row])
    assert indicator_error_key(0, "name") in error.value.message_dict


def test_scheme_update_dry_run_and_a_stale_page_write_nothing(demo, scheme):
    before = state(scheme)
    petitions = scheme.indicators.get(code="petitions")
    camera = scheme.indicators.get(code="camera-online-rate")
    county = demo.user("county")
    doubled = [{"id": camera.pk, "weight": 10}]
    update(scheme, county, indicators=doubled, deleted=[petitions.pk], dry_run=True)
    assert state(scheme) == before
    with pytest.raises(ValidationError) as error:
        update(scheme, county, indicators=[{"id": 987654, "weight": 10}])
    assert list(error.value.message_dict) == [indicator_error_key(0, "__all__")]
    assert state(scheme) == before


@pytest.mark.parametrize("username", ["township1", "inspector", "neighbour"])
def test_only_the_countys_committee_updates_its_scheme(demo, scheme, neighbour, username):
    actor = neighbour if username == "neighbour" else demo.user(username)
    with pytest.raises(PermissionDenied):
        update(scheme, actor)


def test_entered_values_set_writes_all_or_nothing_and_names_the_bad_cells(demo, entered):
    camera, petitions = entered["camera-online-rate"], entered["petitions"]
    county = demo.user("county")
    good = {(camera.pk, demo.village1.pk): "93", (petitions.pk, demo.village1.pk): " 0.4 "}
    bad = {(camera.pk, demo.village2.pk): "101", (petitions.pk, demo.county.pk): "1"}
    with pytest.raises(ValidationError) as error:
        entered_values_set(month=LAST_MONTH, values=good | bad, actor=county)
    assert set(error.value.message_dict) == set(bad)
    assert not EnteredValue.objects.exists()

    saved = entered_values_set(
        month=LAST_MONTH.replace(day=9), values=good | {(camera.pk, demo.village2.pk): ""},
        actor=county,
    )  # fmt: skip
    assert len(saved) == 2 and {v.month for v in saved} == {LAST_MONTH}
    assert EnteredValue.objects.get(indicator=petitions).value == Decimal("0.40")
    entered_values_set(month=LAST_MONTH, values={(camera.pk, demo.village1.pk): "94"}, actor=county)
    assert EnteredValue.objects.count() == 2
    assert EnteredValue.objects.get(indicator=camera).value == 94


def test_entered_values_set_refuses_whoever_lacks_the_jurisdiction(
    demo, entered, neighbour, other_county
):
    camera = entered["camera-online-rate"]
    for actor in (demo.user("township1"), demo.user("township2"), neighbour):
        with pytest.raises(PermissionDenied):
            entered_values_set(
                month=LAST_MONTH, values={(camera.pk, demo.village2.pk): "90"}, actor=actor
            )
    theirs = scheme_ensure(county=other_county, year=LAST_MONTH.year)
    their_camera = theirs.indicators.get(code="camera-online-rate")
    with pytest.raises(ValidationError) as error:
        entered_values_set(
            month=LAST_MONTH, values={(their_camera.pk, demo.village2.pk): "90"}, actor=neighbour
        )
    assert list(error.value.message_dict) == [(their_camera.pk, demo.village2.pk)]
    assert not EnteredValue.objects.exists()


def test_a_village_level_indicator_is_not_offered_for_townships(client, demo, entered):
    Indicator.objects.filter(pk=entered["petitions"].pk).update(applies_to_township=False)
    client.force_login(demo.user("county"))
    page = client.get(values_url())
    assert [i.code for i in page.context["indicators"]] == ["camera-online-rate"]
    assert page.context["level"] == AreaLevel.TOWNSHIP
