"""Campaigns at county scale: the page shows progress per child area of the viewer's level
with drill-down (never every task), the counts per area equal the task table, the task
list comes a page at a time, "mine" means the same on every role, and the number of
queries does not grow with the campaign. Speed itself is measured in benchmarks/."""

from __future__ import annotations

import re
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import CampaignTask, TargetMode, TaskStatus
from campaigns.selectors import campaign_progress
from campaigns.services.campaigns import TaskInput, campaign_end, campaign_launch, task_complete
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import Post, PostKind
from tests.factories import campaign_of, grids_of, launched_campaign

API = "/api/v1"


def page_of(client, campaign, **query):
    return client.get(reverse("campaign_detail", args=[campaign.pk]), query)


def rows_of(body: str) -> dict[int, tuple[int, int]]:
    """{area id: (done, total)} of the progress table."""
    rows = re.findall(
        r'<tr data-area="(\d+)".*?<span class="done">(\d+)</span> / <span class="total">(\d+)',
        body,
        re.S,
    )
    return {int(area): (int(done), int(total)) for area, done, total in rows}


def expected_by(tasks, level: str) -> Counter:
    """(area, "total"/"done") of each task's ancestor at `level`, walked up the tree."""
    counts = Counter()
    for task in tasks:
        ancestor = tree.ancestor_at_level(task.area, level)
        counts[(ancestor.pk, "total")] += 1
        counts[(ancestor.pk, "done")] += task.status == TaskStatus.DONE
    return counts


@pytest.fixture
def county_campaign(demo, roster):
    """The county centre's campaign over every grid of the county, three targets each (more
    than a page), a few of them done."""
    campaign = launched_campaign(demo, area=demo.county, actor="centre", per_grid=3)
    for task in campaign.tasks.select_related("campaign", "staff").order_by("pk")[::7]:
        task_complete(task=task, actor=demo.user("centre"), data=TaskInput(uuid.uuid4(), "已走访"))
    return campaign


def test_the_county_sees_a_row_per_township_that_counts_its_tasks(client, demo, county_campaign):
    client.force_login(demo.user("county"))
    page = page_of(client, county_campaign)
    body = page.content.decode()
    tasks = list(county_campaign.tasks.select_related("area"))
    expected = expected_by(tasks, AreaLevel.TOWNSHIP)
    rows = rows_of(body)
    assert {Area.objects.get(pk=pk).level for pk in rows} == {AreaLevel.TOWNSHIP}
    assert (
        Counter({(pk, "done"): d for pk, (d, _t) in rows.items()})
        + Counter({(pk, "total"): t for pk, (_d, t) in rows.items()})
        == +expected
    )
    assert sum(total for _done, total in rows.values()) == len(tasks)
    # No task list: it comes on demand, a page at a time (of the tasks in grids without a
    # grid worker, the first 20 only).
    assert 'id="tasks"' not in body and 'id="show-tasks"' in body
    assert len(re.findall(r"data-task=", body)) <= 20
    assert f'href="?area={demo.township1.pk}"' in body


def test_drilling_down_goes_township_to_villages_to_grids_and_lists_the_tasks_there(
    client, demo, county_campaign
):
    client.force_login(demo.user("county"))
    tasks = list(county_campaign.tasks.select_related("area"))
    township = page_of(client, county_campaign, area=demo.township1.pk).content.decode()
    villages = rows_of(township)
    inside = [t for t in tasks if t.township_id == demo.township1.pk]
    expected = expected_by(inside, AreaLevel.VILLAGE)
    assert {pk: (expected[(pk, "done")], expected[(pk, "total")]) for pk in villages} == villages
    assert sum(total for _d, total in villages.values()) == len(inside)
    assert 'id="area-trail"' in township and "data-task=" not in township
    assert f"/progress/?area={demo.township1.pk}" in township  # the live refresh follows

    village = page_of(client, county_campaign, area=demo.village1.pk).content.decode()
    grids = rows_of(village)
    assert set(grids) == {grid.pk for grid in grids_of(demo.village1)}
    listed = re.findall(r'<tr data-task="(\d+)"', village)
    in_village = county_campaign.tasks.filter(village=demo.village1)
    assert 0 < len(listed) == min(in_village.count(), 50)
    assert {int(pk) for pk in listed} <= set(in_village.values_list("pk", flat=True))

    done = page_of(
        client, county_campaign, area=demo.village1.pk, status=TaskStatus.DONE
    ).content.decode()
    listed = {int(pk) for pk in re.findall(r'<tr data-task="(\d+)"', done)}
    assert listed == set(in_village.filter(status=TaskStatus.DONE).values_list("pk", flat=True))


def test_the_task_list_of_the_whole_county_comes_a_page_at_a_time(client, demo, county_campaign):
    client.force_login(demo.user("county"))
    body = page_of(client, county_campaign, tasks="on").content.decode()
    total = county_campaign.tasks.count()
    assert total > 50
    assert len(re.findall(r'<tr data-task="', body)) == 50
    assert 'class="pagination"' in body
    last = page_of(client, county_campaign, tasks="on", page=(total + 49) // 50).content.decode()
    assert len(re.findall(r'<tr data-task="', last)) == total - 50 * ((total - 1) // 50)


def test_an_area_outside_the_jurisdiction_or_the_campaign_is_missing(client, demo, county_campaign):
    client.force_login(demo.user("township1"))
    assert page_of(client, county_campaign, area=demo.village1.pk).status_code == 200
    for area in (demo.township2.pk, demo.village2.pk, demo.county.pk, 10**9, "x"):
        assert page_of(client, county_campaign, area=area).status_code == 404
        progress = client.get(f"{API}/campaigns/{county_campaign.pk}/progress/?area={area}")
        assert progress.status_code == (400 if area == "x" else 404)
    # The county looking at a township's campaign: the other township is outside it.
    township = launched_campaign(demo)
    client.force_login(demo.user("county"))
    assert page_of(client, township, area=demo.township2.pk).status_code == 404
    assert rows_of(page_of(client, township).content.decode()).keys() == {
        village.pk for village in demo.township1.get_children()
    }


def test_a_township_watching_the_countys_campaign_sees_its_own_villages(
    client, demo, county_campaign
):
    client.force_login(demo.user("township1"))
    progress = client.get(f"{API}/campaigns/{county_campaign.pk}/progress/").json()
    own = county_campaign.tasks.filter(township=demo.township1)
    assert progress["area"]["id"] == demo.township1.pk
    assert (progress["total"], progress["done"]) == (
        own.count(),
        own.filter(status=TaskStatus.DONE).count(),
    )
    assert {row["parent"] for row in progress["by_area"]} == {demo.township1.pk}
    assert sum(row["total"] for row in progress["by_area"]) == own.count()


@pytest.mark.parametrize("per_grid", [1, 4])
def test_the_county_page_takes_the_same_queries_however_many_tasks(client, demo, roster, per_grid):
    campaign = launched_campaign(demo, area=demo.county, actor="centre", per_grid=per_grid)
    client.force_login(demo.user("county"))
    page_of(client, campaign)  # the session and the caches
    counted = {}
    for name, query in (
        ("county", {}),
        ("village", {"area": demo.village1.pk}),
        ("tasks", {"tasks": "on"}),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert page_of(client, campaign, **query).status_code == 200
        counted[name] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{API}/campaigns/{campaign.pk}/progress/")
    counted["api"] = len(queries)
    # Pinned: the same for 1 and 4 targets per grid (and for the demo's 12,104).
    assert counted == {"county": 10, "village": 13, "tasks": 11, "api": 6}


# --- "mine" ----------------------------------------------------------------------------


def mine(client, demo, who, campaign, query=""):
    client.force_login(demo.user(who))
    response = client.get(f"{API}/campaigns/{campaign.pk}/tasks/?mine=true{query}")
    assert response.status_code == 200
    return {task["id"] for task in response.json()["results"]}, response.json()["count"]


def test_mine_means_the_users_own_roster_entry_and_the_villages_workerless_grids(
    client, demo, roster
):
    grids = grids_of(demo.village1)
    vacated = grids[-1]
    Post.objects.filter(area=vacated, kind=PostKind.GRID_WORKER, end__isnull=True).delete()
    campaign = launched_campaign(demo, per_grid=2)
    tasks = CampaignTask.objects.filter(campaign=campaign)
    grid1 = set(tasks.filter(staff__user=demo.user("grid1")).values_list("pk", flat=True))
    assert grid1 and mine(client, demo, "grid1", campaign)[0] == grid1
    workerless = set(
        tasks.filter(staff__isnull=True, village=demo.village1).values_list("pk", flat=True)
    )
    assert workerless and mine(client, demo, "village1", campaign)[0] == workerless
    # The centres hold no post: "mine" is empty for them, not everyone's.
    for centre in ("township1", "county", "centre"):
        assert mine(client, demo, centre, campaign) == (set(), 0)


def test_mine_with_a_status_lists_the_done_tasks_of_a_finished_campaign(client, demo, roster):
    campaign = launched_campaign(demo, per_grid=2, grids=[demo.grid1])
    grid1 = demo.user("grid1")
    task = campaign.tasks.select_related("campaign", "staff").first()
    task_complete(task=task, actor=grid1, data=TaskInput(uuid.uuid4(), "已走访"))
    campaign_end(campaign=campaign, actor=demo.user("township1"))
    assert mine(client, demo, "grid1", campaign, "&status=done") == ({task.pk}, 1)
    assert mine(client, demo, "grid1", campaign, "&status=pending")[1] == 1
    assert mine(client, demo, "county", campaign, "&status=done") == (set(), 0)


def test_the_task_api_filters_by_area_and_status_and_refuses_bad_filters(
    client, demo, county_campaign
):
    client.force_login(demo.user("county"))
    url = f"{API}/campaigns/{county_campaign.pk}/tasks/"
    everyone = client.get(url).json()
    assert everyone["count"] == county_campaign.tasks.count()
    assert len(everyone["results"]) == 50
    village = client.get(url, {"area": demo.village1.pk, "status": "done"}).json()
    expected = county_campaign.tasks.filter(village=demo.village1, status=TaskStatus.DONE)
    assert {task["id"] for task in village["results"]} == set(expected.values_list("pk", flat=True))
    refused = client.get(url, {"status": "finished", "mine": "perhaps"})
    assert refused.status_code == 400 and {"status", "mine"} <= refused.json().keys()
    client.force_login(demo.user("township1"))
    assert client.get(url, {"area": demo.township2.pk}).status_code == 404


# --- The stored ancestors ----------------------------------------------------------------


def test_each_task_stores_its_areas_ancestors_in_both_kinds_of_campaign(demo, roster):
    items = launched_campaign(demo, area=demo.county, actor="centre")
    each = campaign_of(
        demo,
        area=demo.county,
        actor="centre",
        mode=TargetMode.EACH_PARTICIPANT,
        post_kinds=[PostKind.GRID_WORKER, PostKind.SECURITY_DIRECTOR, PostKind.MEMBER],
    )
    campaign_launch(campaign=each, actor=demo.user("centre"))
    tasks = CampaignTask.objects.filter(campaign__in=[items, each]).select_related("area")
    assert tasks.filter(campaign=each).exists()
    for task in tasks:
        for level, stored in (
            (AreaLevel.COUNTY, task.county_id),
            (AreaLevel.TOWNSHIP, task.township_id),
            (AreaLevel.VILLAGE, task.village_id),
            (AreaLevel.GRID, task.grid_id),
        ):
            ancestor = tree.ancestor_at_level(task.area, level)
            assert stored == (ancestor.pk if ancestor else None), (task.area, level)


def test_progress_rows_add_up_at_every_level_for_each_participant_campaigns(demo, roster):
    """A village's own staff report at the village itself: their tasks are the village's
    "itself" row, so the rows still add up to the whole."""
    campaign = campaign_of(
        demo,
        area=demo.county,
        actor="centre",
        mode=TargetMode.EACH_PARTICIPANT,
        post_kinds=[PostKind.GRID_WORKER, PostKind.SECURITY_DIRECTOR],
    )
    campaign_launch(campaign=campaign, actor=demo.user("centre"))
    county = demo.user("county")
    for area in (demo.county, demo.township1, demo.village1, demo.grid1):
        progress = campaign_progress(campaign=campaign, user=county, area=area)
        in_area = CampaignTask.objects.filter(campaign=campaign).filter(
            tree.subtree_q(area, "area__")
        )
        assert progress.total == in_area.count(), area.level
        if progress.by_area:
            assert sum(row.total for row in progress.by_area) == progress.total
    village = campaign_progress(campaign=campaign, user=county, area=demo.village1)
    assert [row.itself for row in village.by_area].count(True) <= 1
