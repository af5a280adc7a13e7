from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment.models import EnteredValue, Indicator, ScoringScheme
from assessment.services.schemes import scheme_update
from assessment.services.scoring import (
    DEFAULT_INDICATORS,
    entered_value_set,
    indicator_points,
    scheme_ensure,
    scheme_errors,
)
from audit.models import AuditEntry

YEAR = 2026
MARCH = date(YEAR, 3, 1)


def weights(scheme, attr):
    return sum(i.weight for i in scheme.indicators.all() if getattr(i, attr))


def test_scheme_ensure_creates_defaults_that_weigh_100_at_each_level(demo):
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    assert scheme.indicators.count() == len(DEFAULT_INDICATORS)
    assert weights(scheme, "applies_to_township") == 100
    assert weights(scheme, "applies_to_village") == 100
    assert scheme_errors(scheme=scheme) == []
    assert scheme.min_cases == 5 and scheme.below_min_rule == "average"


def test_scheme_ensure_is_idempotent(demo):
    first = scheme_ensure(county=demo.county, year=YEAR)
    assert scheme_ensure(county=demo.county, year=YEAR) == first
    assert ScoringScheme.objects.count() == 1
    assert Indicator.objects.count() == len(DEFAULT_INDICATORS)


def test_scheme_ensure_copies_last_years_scheme(demo):
    last = scheme_ensure(county=demo.county, year=YEAR - 1)
    last.min_cases = 3
    last.below_min_rule = "zero"
    last.save()
    last.indicators.filter(code="resolution-rate").update(weight=20, full_marks_at=90)
    last.indicators.filter(code="petitions").delete()
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    assert scheme.pk != last.pk
    assert (scheme.min_cases, scheme.below_min_rule) == (3, "zero")
    copied = scheme.indicators.get(code="resolution-rate")
    assert (copied.weight, copied.full_marks_at) == (20, 90)
    assert not scheme.indicators.filter(code="petitions").exists()
    assert last.indicators.count() == scheme.indicators.count()


def test_scheme_errors_catch_bad_weights_and_thresholds(demo):
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    scheme.indicators.filter(code="resolution-rate").update(weight=10)
    scheme.indicators.filter(code="on-time-rate").update(full_marks_at=60, zero_at=60)
    scheme.indicators.filter(code="staffing-coverage").update(full_marks_at=120)
    scheme.indicators.filter(code="overdue-cases").update(full_marks_at=9)  # lower, above zero
    scheme.indicators.filter(code="camera-online-rate").update(source="resolution_rate")
    errors = scheme_errors(scheme=scheme)
    text = "\n".join(errors)
    assert "95.00" in text  # both levels now add up to 95
    assert sum("95.00" in e and "100" in e for e in errors) == 2
    assert "到期化解率" in text and "人员配备率" in text and "超期事件" in text
    assert "视频监控在线率" in text
    assert len(errors) == 6


def indicator(**fields):
    return Indicator(**{"weight": Decimal(10), "direction": "higher", **fields})


def scheme(rule="average"):
    return ScoringScheme(min_cases=5, below_min_rule=rule)


@pytest.mark.parametrize(
    ("value", "points"),
    [("95", "10.00"), ("100", "10.00"), ("77.5", "5.00"), ("60", "0.00"), ("10", "0.00")],
)
def test_points_are_linear_and_clamped_when_higher_is_better(value, points):
    rate = indicator(full_marks_at=Decimal(95), zero_at=Decimal(60))
    got = indicator_points(
        indicator=rate, value=Decimal(value), level_average=None, scheme=scheme()
    )
    assert got == Decimal(points)


@pytest.mark.parametrize(
    ("value", "points"), [("0", "10.00"), ("0.5", "7.50"), ("2", "0.00"), ("7", "0.00")]
)
def test_points_are_linear_and_clamped_when_lower_is_better(value, points):
    petitions = indicator(direction="lower", full_marks_at=Decimal(0), zero_at=Decimal(2))
    got = indicator_points(
        indicator=petitions, value=Decimal(value), level_average=None, scheme=scheme()
    )
    assert got == Decimal(points)


@pytest.mark.parametrize(
    ("rule", "average", "points"),
    [
        ("average", Decimal("77.5"), "5.00"),
        ("average", None, "10.00"),  # nobody at the level qualifies: nobody loses points
        ("full", Decimal("77.5"), "10.00"),
        ("zero", Decimal("77.5"), "0.00"),
    ],
)
def test_below_the_minimum_the_schemes_rule_decides(rule, average, points):
    rate = indicator(full_marks_at=Decimal(95), zero_at=Decimal(60))
    got = indicator_points(indicator=rate, value=None, level_average=average, scheme=scheme(rule))
    assert got == Decimal(points)


@pytest.fixture
def camera(demo):
    return scheme_ensure(county=demo.county, year=YEAR).indicators.get(code="camera-online-rate")


def test_county_enters_a_value_and_entering_again_corrects_it(demo, camera):
    county = demo.user("county")
    entered_value_set(indicator=camera, area=demo.village1, month=MARCH, value="91.5", actor=county)
    entered = entered_value_set(
        indicator=camera, area=demo.village1, month=date(YEAR, 3, 17), value=93, actor=county
    )
    assert EnteredValue.objects.count() == 1
    assert entered.month == MARCH and entered.value == Decimal("93.00")
    assert entered.entered_by == county


@pytest.mark.parametrize(
    ("area", "value", "field"),
    [
        ("county", 90, "area"),
        ("grid1", 90, "area"),
        ("township1", 101, "value"),
        ("village2", -1, "value"),
        ("village1", "abc", "value"),
    ],
)
def test_entered_values_are_checked(demo, camera, area, value, field):
    with pytest.raises(ValidationError) as error:
        entered_value_set(
            indicator=camera,
            area=getattr(demo, area),
            month=MARCH,
            value=value,
            actor=demo.user("centre"),
        )
    assert list(error.value.message_dict) == [field]
    assert not EnteredValue.objects.exists()


def test_an_area_of_another_county_is_refused(demo, camera, other_county):
    outside = other_county.children.get()
    with pytest.raises(ValidationError) as error:
        entered_value_set(
            indicator=camera, area=outside, month=MARCH, value=90, actor=demo.user("county")
        )
    assert list(error.value.message_dict) == ["area"]


def test_a_computed_indicator_and_a_month_of_another_year_are_refused(demo, camera):
    resolution = camera.scheme.indicators.get(code="resolution-rate")
    with pytest.raises(ValidationError) as error:
        entered_value_set(
            indicator=resolution,
            area=demo.village1,
            month=date(YEAR + 1, 1, 1),
            value=90,
            actor=demo.user("county"),
        )
    assert sorted(error.value.message_dict) == ["indicator", "month"]


def test_an_indicator_that_does_not_apply_to_the_level_is_refused(demo, camera):
    camera.applies_to_township = False
    camera.save()
    with pytest.raises(ValidationError) as error:
        entered_value_set(
            indicator=camera, area=demo.township1, month=MARCH, value=90, actor=demo.user("county")
        )
    assert list(error.value.message_dict) == ["area"]


@pytest.mark.parametrize("username", ["township1", "village1", "inspector"])
def test_only_county_roles_enter_values(demo, camera, username):
    with pytest.raises(PermissionDenied):
        entered_value_set(
            indicator=camera, area=demo.village1, month=MARCH, value=90, actor=demo.user(username)
        )


def test_admin_lists_only_the_counties_own_scheme(client, demo, other_county):
    scheme_ensure(county=demo.county, year=YEAR)
    scheme_ensure(county=other_county, year=YEAR)
    client.force_login(demo.user("county"))
    response = client.get(reverse("admin:assessment_scoringscheme_changelist"))
    assert response.status_code == 200
    assert [s.county for s in response.context["cl"].result_list] == [demo.county]
    outside = ScoringScheme.objects.get(county=other_county)
    change = client.get(reverse("admin:assessment_scoringscheme_change", args=[outside.pk]))
    assert change.status_code in (302, 404)


def scheme_form(scheme, **changes):
    data = {
        "county": scheme.county_id,
        "year": scheme.year,
        "min_cases": scheme.min_cases,
        "below_min_rule": scheme.below_min_rule,
        "safe_village_score": scheme.safe_village_score,
        "note": "",
    }
    rows = list(scheme.indicators.all())
    data |= {
        "indicators-TOTAL_FORMS": len(rows),
        "indicators-INITIAL_FORMS": len(rows),
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        fields = {
            "id": row.pk,
            "scheme": scheme.pk,
            "sort_order": row.sort_order,
            "code": row.code,
            "name": row.name,
            "source": row.source,
            "formula": row.formula,
            "weight": changes.get(row.code, row.weight),
            "direction": row.direction,
            "full_marks_at": row.full_marks_at,
            "zero_at": row.zero_at,
        }
        for flag in ("is_percentage", "applies_to_township", "applies_to_village"):
            if getattr(row, flag):
                fields[flag] = "on"
        data |= {f"indicators-{n}-{key}": value for key, value in fields.items()}
    return data


def admin_state(scheme) -> list[tuple]:
    scheme = ScoringScheme.objects.get(pk=scheme.pk)
    rows = scheme.indicators.order_by("pk").values_list("code", "weight", "zero_at")
    return [(scheme.min_cases, scheme.note), *rows]


def test_admin_refuses_what_the_settings_page_refuses_with_its_messages(client, demo):
    """Weights that do not add up, and a threshold that scheme_update refuses: the same
    messages, nothing saved, nothing audited."""
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    before = admin_state(scheme)
    client.force_login(demo.user("county"))
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    response = client.post(url, scheme_form(scheme, **{"resolution-rate": 25}))
    assert response.status_code == 200  # the form again, with the errors
    with pytest.raises(ValidationError) as refused:
        scheme_update(
            scheme=scheme,
            actor=demo.user("county"),
            min_cases=scheme.min_cases,
            below_min_rule=scheme.below_min_rule,
            note="",
            indicators=[{"id": scheme.indicators.get(code="resolution-rate").pk, "weight": 25}],
            dry_run=True,
        )
    expected = refused.value.messages
    shown = [str(e) for e in response.context["inline_admin_formsets"][0].formset.non_form_errors()]
    assert shown == expected and len(expected) == 2 and all("110.00" in e for e in expected)
    assert admin_state(scheme) == before
    assert not AuditEntry.objects.filter(action="settings.change").exists()


def test_admin_marks_a_bad_indicator_at_its_field(client, demo):
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    before = admin_state(scheme)
    client.force_login(demo.user("county"))
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    data = scheme_form(scheme)
    rows = list(scheme.indicators.all())
    n = next(i for i, row in enumerate(rows) if row.code == "resolution-rate")
    data[f"indicators-{n}-zero_at"] = rows[n].full_marks_at  # no slope: refused
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["inline_admin_formsets"][0].formset.forms[n]
    assert form.errors and admin_state(scheme) == before


def test_admin_saves_through_the_service_with_its_audit_entry(client, demo):
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    client.force_login(demo.user("county"))
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    data = scheme_form(scheme, **{"resolution-rate": 10, "on-time-rate": 20})
    data["min_cases"] = 7
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert scheme.indicators.get(code="resolution-rate").weight == 10
    (entry,) = AuditEntry.objects.filter(action="settings.change")
    assert entry.object_type == "scoringscheme" and entry.object_id == str(scheme.pk)
    assert entry.actor == demo.user("county") and entry.area_id == demo.county.pk
    assert entry.new_values["min_cases"] == 7
    new = entry.new_values
    changed = [new["indicator resolution-rate"], new["indicator on-time-rate"]]
    assert [Decimal(str(row["weight"])) for row in changed] == [10, 20]


def test_admin_neither_adds_a_scheme_nor_moves_one_to_another_county_or_year(client, demo):
    scheme = scheme_ensure(county=demo.county, year=YEAR)
    client.force_login(demo.user("county"))
    assert client.get(reverse("admin:assessment_scoringscheme_add")).status_code == 403
    url = reverse("admin:assessment_scoringscheme_change", args=[scheme.pk])
    data = scheme_form(scheme) | {"year": YEAR + 3}
    assert client.post(url, data).status_code == 302
    assert ScoringScheme.objects.get(pk=scheme.pk).year == YEAR
