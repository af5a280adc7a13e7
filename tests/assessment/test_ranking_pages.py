"""The ranking pages, the bulletin and the API: what the committee and a township see."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from openpyxl import load_workbook

from assessment.models import IncidentKind, RankingSnapshot, SnapshotStatus
from assessment.selectors.rankings import ranking_rows
from assessment.services.rankings import ranking_publish
from grids.models import AreaLevel
from tests.factories import report, resolve, this_month
from tests.ledgers import records


def as_user(client, demo, username):
    client.force_login(demo.user(username))
    return client


def names(response) -> set[str]:
    return {line.row.area.name for line in response.context["lines"]}


def page(client, name="ranking_list", *args, **params):
    response = client.get(reverse(name, args=args), params)
    return response


def test_the_committee_sees_both_levels_with_veto_marks(client, demo, snapshot):
    as_user(client, demo, "county")
    month = f"{this_month():%Y-%m}"
    townships = page(client, month=month)
    assert townships.status_code == 200
    body = townships.content.decode()
    assert demo.township1.name in body and demo.township2.name in body
    assert 'class="vetoed"' in body  # township 1 failed "三零"
    villages = page(client, month=month, level="village").content.decode()
    assert demo.village1.name in villages and demo.village2.name in villages
    assert reverse("ranking_publish", args=[snapshot.pk]) in villages  # a draft: publish


def test_a_township_sees_nothing_until_published_then_its_own_rows_only(client, demo, snapshot):
    as_user(client, demo, "township1")
    month = f"{this_month():%Y-%m}"
    assert page(client, month=month).context["snapshot"] is None
    api = client.get(reverse("api_ranking_list"), {"month": month})
    assert api.status_code == 404

    ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    response = page(client, month=month)
    assert names(response) == {demo.township1.name}
    assert "own-place" in response.content.decode()  # its place among all townships
    villages = page(client, month=month, level="village")
    assert demo.village1.name in names(villages) and demo.village2.name not in names(villages)
    assert {line.row.township_id for line in villages.context["lines"]} == {demo.township1.pk}
    assert reverse("ranking_publish", args=[snapshot.pk]) not in villages.content.decode()

    rows = client.get(reverse("api_ranking_list"), {"month": month, "level": "village"}).json()
    assert rows["status"] == "published" and rows["results"]
    assert {row["township"] for row in rows["results"]} == {demo.township1.pk}
    theirs = page(client, "ranking_area", snapshot.pk, demo.village2.pk)
    assert theirs.status_code == 404
    assert page(client, "ranking_area", snapshot.pk, demo.village1.pk).status_code == 200
    townships = client.get(reverse("api_ranking_list"), {"month": month}).json()["results"]
    assert [row["area"] for row in townships] == [demo.township1.pk]


def test_the_api_row_carries_rank_score_veto_change_and_indicators(client, demo, snapshot):
    as_user(client, demo, "county")
    response = client.get(
        reverse("api_ranking_list"), {"month": f"{this_month():%Y-%m}", "level": "village"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1 and data["status"] == "draft"
    row = next(r for r in data["results"] if r["area"] == demo.village1.pk)
    assert row["veto"] is True and row["veto_kinds"] == [IncidentKind.CRIMINAL_CASE]
    assert row["safe_candidate"] is False and row["change"] is None
    assert {"rank", "score", "rank_in_township"} <= set(row)
    codes = {spec["code"] for spec in data["indicators"]}
    assert set(row["indicators"]) == codes and "settled-in-township" not in codes


@pytest.mark.parametrize(
    "params, field",
    [
        ({"month": "2026-13"}, "month"),
        ({}, "month"),
        ({"month": "2026-01", "level": "county"}, "level"),
        ({"month": "2026-01", "version": "zero"}, "version"),
    ],
)
def test_the_api_answers_bad_queries_with_field_messages(client, demo, params, field):
    as_user(client, demo, "county")
    response = client.get(reverse("api_ranking_list"), params)
    assert response.status_code == 400 and field in response.json()


def test_the_breakdown_links_each_number_to_its_cases(client, demo, snapshot):
    as_user(client, demo, "county")
    response = page(client, "ranking_area", snapshot.pk, demo.village1.pk)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-code="resolution-rate"' in body
    listed = client.get(
        reverse("case-list"),
        {
            "area": demo.village1.pk,
            "created_after": this_month().isoformat(),
            "status": ["resolved", "stabilised", "closed", "evaluated"],
        },
    ).json()["count"]
    row = snapshot.rows.get(area=demo.village1)
    assert row.values["resolution-rate"]["numerator"] == listed == 3
    assert "status=resolved" in body and "went_overdue=true" in body
    # A township's breakdown lists its villages.
    township = page(client, "ranking_area", snapshot.pk, demo.township1.pk).content.decode()
    assert demo.village1.name in township


def test_publishing_asks_first_and_only_the_committee_may(client, demo, snapshot):
    as_user(client, demo, "township1")
    assert client.post(reverse("ranking_publish", args=[snapshot.pk])).status_code in (403, 404)
    as_user(client, demo, "centre")  # reviews the draft, but does not publish
    assert reverse("ranking_publish", args=[snapshot.pk]) not in page(client).content.decode()
    assert client.post(reverse("ranking_publish", args=[snapshot.pk])).status_code == 403
    as_user(client, demo, "county")
    assert page(client, "ranking_publish", snapshot.pk).status_code == 200
    assert RankingSnapshot.objects.get().status == SnapshotStatus.DRAFT
    response = client.post(reverse("ranking_publish", args=[snapshot.pk]))
    assert response.status_code == 302
    assert RankingSnapshot.objects.get().status == SnapshotStatus.PUBLISHED


def test_recomputing_a_published_month_needs_a_new_version_with_a_reason(client, demo, snapshot):
    ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    as_user(client, demo, "county")
    month = f"{this_month():%Y-%m}"
    refused = client.post(reverse("ranking_compute"), {"month": month})
    assert refused.status_code == 400 and "new_version" in refused.context["compute_form"].errors
    no_reason = client.post(reverse("ranking_compute"), {"month": month, "new_version": "on"})
    assert no_reason.status_code == 400 and "reason" in no_reason.context["compute_form"].errors
    resolve(demo, report(demo).case)
    made = client.post(
        reverse("ranking_compute"),
        {"month": month, "new_version": "on", "reason": "补录一件已化解事件"},
    )
    assert made.status_code == 302
    assert RankingSnapshot.objects.filter(version=2, status="draft").exists()
    body = client.get(made["Location"]).content.decode()
    assert "补录一件已化解事件" in body and "version-change" in body
    as_user(client, demo, "township1")  # township staff keep seeing the published version
    api = client.get(reverse("api_ranking_list"), {"month": month}).json()
    assert api["version"] == 1


def test_the_bulletin_workbook_holds_the_ranks_and_scores_of_the_page(client, demo, snapshot):
    as_user(client, demo, "county")
    response = client.get(reverse("ranking_bulletin_xlsx", args=[snapshot.pk]))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert len(workbook.sheetnames) == 4  # townships, villages, the indicators, the cameras
    levels = (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
    for sheet, level in zip(workbook.worksheets[:2], levels, strict=True):
        rows = ranking_rows(user=demo.user("county"), snapshot=snapshot, level=level)
        score = 4 if level == AreaLevel.VILLAGE else 2  # after the township and its rank
        read = [(r[0], r[1], r[score]) for r in records(sheet)]
        assert read == [
            (row.rank if not row.veto else gettext("Not ranked"), row.area.name, float(row.score))
            for row in rows
        ]
        assert sheet.page_setup.orientation == "landscape"
    printable = client.get(reverse("ranking_bulletin", args=[snapshot.pk]))
    assert printable.status_code == 200
    for row in ranking_rows(user=demo.user("county"), snapshot=snapshot):
        assert row.area.name in printable.content.decode()


def test_the_township_bulletin_holds_only_its_own_rows(client, demo, snapshot):
    ranking_publish(snapshot=snapshot, actor=demo.user("county"))
    as_user(client, demo, "township1")
    workbook = load_workbook(
        BytesIO(client.get(reverse("ranking_bulletin_xlsx", args=[snapshot.pk])).content)
    )
    names = {r[1] for sheet in workbook.worksheets[:2] for r in records(sheet)}
    assert demo.township1.name in names and demo.township2.name not in names
    assert demo.village2.name not in names


def test_an_empty_month_says_so(client, demo):
    as_user(client, demo, "county")
    response = page(client)
    assert response.status_code == 200 and b"empty-state" in response.content
