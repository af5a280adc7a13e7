"""The workflow through POST /api/v1/cases/{id}/transitions/: role rules, scope, errors."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone


@pytest.fixture
def case_id(client, demo):
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("case-list"),
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "dispute",
            "category": "labour_wages",
            "title": "拖欠工资",
            "description": "工地拖欠农民工工资。",
            "grid": demo.grid1.pk,
        },
        content_type="application/json",
    )
    client.logout()
    return response.json()["id"]


def act(client, demo, username, case_id, **body):
    client.force_login(demo.user(username))
    return client.post(
        reverse("case-transitions", args=[case_id]), body, content_type="application/json"
    )


def test_the_whole_loop_through_the_api(client, demo, case_id):
    police, village = demo.user("police1"), demo.user("village1")
    steps = [
        ("township1", {"action": "accept", "severity": "attention"}, "accepted"),
        (
            "township1",
            {
                "action": "assign",
                "lines": [
                    {"line": "political_legal", "unit": "村综治中心", "handler": village.pk},
                    {"line": "police", "unit": "驻村警务室", "handler": police.pk},
                ],
            },
            "assigned",
        ),
        (
            "village1",
            {"action": "record", "action_kind": "mediation", "note": "组织劳资双方调解"},
            "in_progress",
        ),
        (
            "village1",
            {"action": "resolve", "line": "political_legal", "outcome": "resolved"},
            "in_progress",
        ),
        ("police1", {"action": "resolve", "line": "police", "outcome": "resolved"}, "resolved"),
        ("township1", {"action": "close"}, "closed"),
        ("township1", {"action": "evaluate", "satisfaction": 4, "note": "群众满意"}, "evaluated"),
    ]
    for username, body, status in steps:
        response = act(client, demo, username, case_id, **body)
        assert response.status_code == 200, (body, response.json())
        assert response.json()["status"] == status
    events = client.get(reverse("case-events", args=[case_id])).json()
    assert len(events) == 1 + len(steps)


@pytest.mark.parametrize(
    ("username", "body", "expected"),
    [
        ("grid1", {"action": "accept"}, 403),  # field workers do not analyse cases
        ("inspector", {"action": "accept"}, 403),
        ("township2", {"action": "accept"}, 404),  # outside the jurisdiction
        ("township1", {"action": "close"}, 400),  # illegal from "reported"
        ("township1", {"action": "escalate"}, 400),  # reason missing
        ("township1", {"action": "fly"}, 400),
        (
            "county",
            {
                "action": "supervise",
                "note": "限期",
                "deadline": (timezone.now() - timedelta(days=1)).isoformat(),
            },
            400,
        ),
    ],
)
def test_refusals_name_the_problem(client, demo, case_id, username, body, expected):
    response = act(client, demo, username, case_id, **body)
    assert response.status_code == expected
    assert response.json()


def test_a_handler_of_another_township_cannot_be_assigned(client, demo, case_id):
    act(client, demo, "township1", case_id, action="accept")
    response = act(
        client,
        demo,
        "township1",
        case_id,
        action="assign",
        lines=[{"line": "police", "unit": "外乡派出所", "handler": demo.user("township2").pk}],
    )
    assert response.status_code == 400 and "lines" in response.json()


def test_the_county_supervises_and_the_mark_shows(client, demo, case_id):
    deadline = (timezone.now() + timedelta(days=2)).isoformat()
    response = act(
        client,
        demo,
        "county",
        case_id,
        action="supervise",
        deadline=deadline,
        note="请于两日内化解",
    )
    assert response.status_code == 200 and response.json()["supervised"] is True
    listed = client.get(reverse("case-list"), {"supervised": "true"}).json()
    assert [row["id"] for row in listed["results"]] == [case_id]
