"""The REST API of campaigns, instructions, meetings and inspections: create and launch in one
call, progress as the task table counts it, idempotent completion, instructions with their
read receipts, meetings whose decisions move cases, inspections; outsiders get nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignTask, InstructionReceipt, TaskStatus
from disputes.models import CaseStatus
from personnel.models import PostKind
from tests.factories import campaign_body, grids_of, reported_case
from tests.samples import API
from tests.support import post_json


def as_user(client, demo, name):
    client.force_login(demo.user(name))
    return client


def test_a_campaign_is_created_and_launched_in_one_call_and_progress_counts_the_tasks(
    client, demo, roster
):
    as_user(client, demo, "township1")
    created = post_json(client, f"{API}/campaigns/", campaign_body(demo))
    assert created.status_code == 201, created.json()
    campaign_id = created.json()["id"]
    assert created.json()["status"] == "running"
    progress = client.get(f"{API}/campaigns/{campaign_id}/progress/").json()
    total = CampaignTask.objects.filter(campaign_id=campaign_id).count()
    assert (
        (progress["done"], progress["total"])
        == (0, total)
        == (0, 2 * len(grids_of(demo.township1)))
    )
    # The township's part, per village: the rows add up to the whole.
    assert progress["area"] == {"id": demo.township1.pk, "name": demo.township1.name,
                                "level": "township"}  # fmt: skip
    assert {row["level"] for row in progress["by_area"]} == {"village"}
    assert sum(row["total"] for row in progress["by_area"]) == total

    as_user(client, demo, "grid1")
    mine = client.get(f"{API}/campaigns/{campaign_id}/tasks/?mine=1").json()["results"]
    assert mine and all(task["area"] == demo.grid1.pk for task in mine)
    url = f"{API}/campaigns/{campaign_id}/tasks/{mine[0]['id']}/complete/"
    body = {"client_uuid": str(uuid.uuid4()), "result": "已上门，家长签收"}
    assert post_json(client, url, body).status_code == 201
    assert post_json(client, url, body).status_code == 200  # the resend: done once
    progress = client.get(f"{API}/campaigns/{campaign_id}/progress/").json()
    assert (
        progress["done"]
        == 1
        == CampaignTask.objects.filter(campaign_id=campaign_id, status=TaskStatus.DONE).count()
    )
    assert progress["area"]["id"] == demo.grid1.pk  # grid1's own part: its grid
    as_user(client, demo, "township1")
    village = client.get(f"{API}/campaigns/{campaign_id}/progress/?area={demo.village1.pk}")
    grid_row = next(r for r in village.json()["by_area"] if r["id"] == demo.grid1.pk)
    assert grid_row["level"] == "grid" and grid_row["done"] == 1


def test_bad_campaign_input_gets_field_messages_and_leaves_nothing_behind(client, demo, roster):
    as_user(client, demo, "township1")
    body = campaign_body(demo)
    body["targets"][1]["grid"] = demo.grid2.code  # township 2's grid
    refused = post_json(client, f"{API}/campaigns/", body)
    assert refused.status_code == 400 and demo.grid2.code in refused.json()["targets"][0]
    past = post_json(
        client, f"{API}/campaigns/", campaign_body(demo, deadline="2020-01-01T00:00:00Z")
    )
    assert past.status_code == 400 and "deadline" in past.json()
    outside = post_json(client, f"{API}/campaigns/", campaign_body(demo, area=demo.township2.pk))
    assert outside.status_code == 400 and "area" in outside.json()
    assert not client.get(f"{API}/campaigns/").json()["results"]
    as_user(client, demo, "grid1")
    mine = campaign_body(demo, area=demo.grid1.pk)
    assert post_json(client, f"{API}/campaigns/", mine).status_code == 403


def test_outsiders_get_nothing_of_a_campaign(client, demo, roster):
    as_user(client, demo, "township1")
    campaign_id = post_json(client, f"{API}/campaigns/", campaign_body(demo)).json()["id"]
    task = CampaignTask.objects.filter(campaign_id=campaign_id).first()
    as_user(client, demo, "township2")
    assert client.get(f"{API}/campaigns/").json()["results"] == []
    for url in ("", "progress/", "tasks/"):
        assert client.get(f"{API}/campaigns/{campaign_id}/{url}").status_code == 404
    done = post_json(
        client,
        f"{API}/campaigns/{campaign_id}/tasks/{task.pk}/complete/",
        {"client_uuid": str(uuid.uuid4()), "result": "x"},
    )
    assert done.status_code == 404
    assert not CampaignTask.objects.filter(status=TaskStatus.DONE).exists()


def test_an_instruction_reaches_every_holder_and_the_receipts_add_up(client, demo, roster):
    as_user(client, demo, "township1")
    sent = post_json(
        client,
        f"{API}/instructions/",
        {
            "title": "协查通报",
            "body": "男，约40岁，身高170厘米，左脸有疤，发现请立即报告派出所。",
            "area": demo.township1.pk,
            "post_kinds": [PostKind.GRID_WORKER, PostKind.MEMBER],
        },
    )
    assert sent.status_code == 201, sent.json()
    instruction = sent.json()
    receipts = instruction["receipts"]
    assert receipts["recipients"] == instruction["recipient_count"] > 0
    assert receipts["read"] == 0 and receipts["unread"] == receipts["recipients"]
    as_user(client, demo, "grid1")
    assert client.get(f"{API}/instructions/").json()["results"][0]["id"] == instruction["id"]
    assert post_json(client, f"{API}/instructions/{instruction['id']}/read/", {}).json() == {
        "read": True,
        "first_time": True,
    }
    as_user(client, demo, "township1")
    receipts = client.get(f"{API}/instructions/{instruction['id']}/").json()["receipts"]
    assert receipts["read"] == 1 and receipts["read"] + receipts["unread"] == receipts["recipients"]
    assert InstructionReceipt.objects.filter(read_at__isnull=False).get().user == demo.user("grid1")
    as_user(client, demo, "township2")
    assert client.get(f"{API}/instructions/{instruction['id']}/").status_code == 404
    empty = post_json(client, f"{API}/instructions/", {"title": "", "body": "x", "area": 1})
    assert empty.status_code == 400 and {"title", "post_kinds"} <= set(empty.json())


def test_a_meetings_decision_through_the_api_assigns_the_case(client, demo, roster):
    case = reported_case(demo)
    as_user(client, demo, "township1")
    body = {
        "level": "township_daily",
        "area": demo.township1.pk,
        "chair": "王镇长",
        "units": ["centre", "court", "police_station", "justice_office", "petitions"],
        "items": [{"case": case.pk, "judgement": "key_attention", "decision": "assign"}],
    }
    created = post_json(client, f"{API}/meetings/", body)
    assert created.status_code == 201, created.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED
    assert created.json()["items"][0]["event"] is not None
    as_user(client, demo, "township2")
    assert (
        post_json(client, f"{API}/meetings/", body | {"area": demo.township2.pk}).status_code == 400
    )


def test_an_inspection_and_its_problem_through_the_api(client, demo):
    as_user(client, demo, "county")
    created = post_json(
        client,
        f"{API}/inspections/",
        {
            "area": demo.village1.pk,
            "inspectors": "县委政法委督导组",
            "score": "88.5",
            "items": [{"text": "台账完整", "passed": False, "note": "缺三月份记录"}],
            "problems": [
                {"description": "矛盾纠纷台账缺三月份记录", "fix_by": str(timezone.localdate())}
            ],
        },
    )
    assert created.status_code == 201, created.json()
    problem = created.json()["problems"][0]["id"]
    as_user(client, demo, "township2")
    url = f"{API}/inspection-problems/{problem}/fix/"
    assert post_json(client, url, {"fix_note": "已补齐"}).status_code == 404
    as_user(client, demo, "village1")
    assert post_json(client, url, {"fix_note": "已补齐"}).json()["status"] == "fixed"
    assert post_json(client, url, {"fix_note": "again"}).status_code == 400
    as_user(client, demo, "township1")
    assert post_json(client, f"{API}/inspections/", {"area": demo.village1.pk}).status_code == 400


@pytest.mark.parametrize("name", ["grid1", "member1", "inspector"])
def test_field_roles_cannot_organise(client, demo, name):
    as_user(client, demo, name)
    area = demo.user(name).area_id
    body = {"title": "t", "body": "b", "area": area, "post_kinds": ["grid_worker"]}
    assert post_json(client, f"{API}/instructions/", body).status_code == 403
    campaign = {"title": "t", "instructions": "i", "area": area, "target_mode": "items"}
    campaign["deadline"] = (timezone.now() + timedelta(hours=1)).isoformat()
    assert post_json(client, f"{API}/campaigns/", campaign).status_code == 403
