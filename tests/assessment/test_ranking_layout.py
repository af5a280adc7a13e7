"""The ranking page as people read it: values with their units, points written out, vetoed
areas marked with their reason and not ranked, and each role landing on a tab with rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment.models import Indicator, RankingSnapshot
from assessment.selectors.bulletin import value_text
from assessment.selectors.rankings import level_sizes, ranking_rows
from assessment.services.rankings import ranking_publish, rankings_compute
from assessment.services.scoring import DEFAULT_INDICATORS, scheme_ensure
from grids.models import AreaLevel
from tests.factories import this_month


def month() -> str:
    return f"{this_month():%Y-%m}"


@pytest.fixture
def published(demo, snapshot) -> RankingSnapshot:
    return ranking_publish(snapshot=snapshot, actor=demo.user("county"))


def test_every_default_indicator_has_the_unit_of_what_it_measures():
    units = {spec["code"]: spec["unit"] for spec in DEFAULT_INDICATORS}
    assert units["resolution-rate"] == "%"
    assert units["overdue-cases"] == "每千户"  # per 1,000 households
    assert units["petitions"] == "每千户"
    assert units["evaluation-score"] == "分"
    assert units["camera-online-rate"] == "%"


def test_a_value_is_written_with_the_unit_the_scheme_gives(demo, snapshot):
    specs = {spec["code"]: spec for spec in snapshot.indicators}
    assert value_text(specs["resolution-rate"], {"value": "97.10"}) == "97.1%"
    assert value_text(specs["overdue-cases"], {"value": "0.04"}) == "0.04 每千户"
    assert value_text(specs["resolution-rate"], {"value": None}) == "—"
    # A snapshot computed before indicators had a unit reads it from the formula.
    old = {key: value for key, value in specs["overdue-cases"].items() if key != "unit"}
    assert value_text(old, {"value": "1.5"}) == "1.5 每千户"


def test_a_unit_edited_in_the_scheme_reaches_the_next_computation(demo):
    scheme = scheme_ensure(county=demo.county, year=this_month().year)
    Indicator.objects.filter(scheme=scheme, code="overdue-cases").update(unit="‰")
    snapshot = rankings_compute(county=demo.county, month=this_month())
    spec = next(s for s in snapshot.indicators if s["code"] == "overdue-cases")
    assert spec["unit"] == "‰" and value_text(spec, {"value": "2"}) == "2‰"


def test_points_are_written_on_the_page_not_only_in_a_tooltip(client, demo, snapshot):
    client.force_login(demo.user("county"))
    for view in ("", "indicators"):
        response = client.get(reverse("ranking_list"), {"month": month(), "view": view})
        body = response.content.decode()
        line = response.context["lines"][0]
        points = re.findall(r'<span class="points">([^<]+)</span>', body)
        assert len(points) == sum(len(line.cells) for line in response.context["lines"])
        assert line.cells[0].points and line.cells[0].points in points[0]
        assert f"{line.cells[0].text}</span>" in body  # "97.1%" with its unit
    summary = client.get(reverse("ranking_list"), {"month": month()}).content.decode()
    assert summary.count("<details>") == len(response.context["lines"])  # one fold per row


def test_a_vetoed_area_is_not_ranked_and_comes_after_the_ranked_ones(client, demo, snapshot):
    county = demo.user("county")
    villages = ranking_rows(user=county, snapshot=snapshot, level=AreaLevel.VILLAGE)
    vetoed = [row for row in villages if row.veto]
    assert [row.area_id for row in vetoed] == [demo.village1.pk]
    assert vetoed[0].rank is None and vetoed[0].rank_in_township is None
    assert villages[-1].veto and not any(row.veto for row in villages[:-1])
    ranked = [row.rank for row in villages if not row.veto]
    assert ranked[0] == 1 and ranked == sorted(ranked)
    assert level_sizes(snapshot=snapshot)[AreaLevel.VILLAGE] == len(ranked)
    # Sorting by score does not lift it among the ranked.
    by_score = ranking_rows(user=county, snapshot=snapshot, level=AreaLevel.VILLAGE, sort="score")
    assert by_score[-1].veto

    client.force_login(county)
    body = client.get(
        reverse("ranking_list"), {"month": month(), "level": "village"}
    ).content.decode()
    row_html = body[body.index('<tr class="vetoed">') :]
    row_html = row_html[: row_html.index("</tr>")]
    assert 'class="unranked"' in row_html and 'class="badge veto"' in row_html
    assert demo.village1.name in row_html
    assert "刑事案件" in row_html or "Criminal case" in row_html  # the reason


def test_the_county_lands_on_the_townships(client, demo, snapshot):
    client.force_login(demo.user("county"))
    response = client.get(reverse("ranking_list"), {"month": month()})
    assert response.context["level"] == AreaLevel.TOWNSHIP
    assert len(response.context["lines"]) >= 2


def test_a_township_lands_on_its_own_row_among_the_townships(client, demo, published):
    client.force_login(demo.user("township1"))
    response = client.get(reverse("ranking_list"))
    assert response.context["level"] == AreaLevel.TOWNSHIP
    assert [line.row.area_id for line in response.context["lines"]] == [demo.township1.pk]
    assert [row.area_id for row in response.context["own_places"]] == [demo.township1.pk]


@pytest.mark.parametrize("username", ["village1", "grid1", "member1"])
def test_village_and_grid_posts_land_on_their_village_never_an_empty_tab(
    client, demo, published, username
):
    client.force_login(demo.user(username))
    response = client.get(reverse("ranking_list"))
    assert response.status_code == 200
    assert response.context["level"] == AreaLevel.VILLAGE
    lines = response.context["lines"]
    assert [line.row.area_id for line in lines] == [demo.village1.pk]
    own = [row.area_id for row in response.context["own_places"]]
    assert own == [demo.township1.pk, demo.village1.pk]  # township first
    # The townships' tab holds their own township, and nobody else's.
    townships = client.get(reverse("ranking_list"), {"level": "township"}).context["lines"]
    assert [line.row.area_id for line in townships] == [demo.township1.pk]


def test_a_grid_worker_sees_no_other_village_nor_its_breakdown(client, demo, published):
    client.force_login(demo.user("grid1"))
    other = client.get(reverse("ranking_area", args=[published.pk, demo.village2.pk]))
    assert other.status_code == 404
    own = client.get(reverse("ranking_area", args=[published.pk, demo.village1.pk]))
    assert own.status_code == 200
