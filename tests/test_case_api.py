import uuid

import pytest
from django.urls import reverse

from disputes.models import Case
from governance.validators import id_number_check_char

VALID_ID = "43122419800101001" + id_number_check_char("43122419800101001")


def payload(demo, **overrides):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "dispute",
        "category": "neighbour",
        "severity": "ordinary",
        "title": "邻里排水纠纷",
        "description": "排水沟堵塞引发争执。",
        "grid": demo.grid1.pk,
        "parties": [{"name": "李某", "phone": "13912345678", "id_number": VALID_ID}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def grid_client(client, demo):
    client.force_login(demo.user("grid1"))
    return client


def post(client, body):
    return client.post(reverse("case-list"), body, content_type="application/json")


def test_a_report_is_created_once_and_a_resend_returns_it(grid_client, demo):
    body = payload(demo)
    first = post(grid_client, body)
    assert first.status_code == 201
    assert first.json()["township"] == demo.township1.pk
    for _ in range(19):
        again = post(grid_client, body)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parties": [{"name": "李某", "id_number": "431224198001010010"}]}, "parties"),
        ({"parties": [{"name": "李某", "phone": "0731-1234"}]}, "parties"),
        ({"grid": 999_999}, "grid"),
        ({"category": "nonexistent"}, "category"),
        ({"kind": "hazard"}, "category"),
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"title": ""}, "title"),
        ({"location_lat": "123"}, "location_lat"),
    ],
)
def test_bad_input_is_a_400_with_a_message_for_the_field(grid_client, demo, overrides, field):
    response = post(grid_client, payload(demo, **overrides))
    assert response.status_code == 400
    assert response.json()[field]
    assert not Case.objects.exists()


def test_a_grid_of_another_township_is_refused_like_a_missing_one(grid_client, demo):
    outside = post(grid_client, payload(demo, grid=demo.grid2.pk)).json()
    missing = post(grid_client, payload(demo, grid=999_999)).json()
    assert outside["grid"][0].replace(str(demo.grid2.pk), "N") == missing["grid"][0].replace(
        "999999", "N"
    )


def test_broken_json_is_a_400(grid_client):
    response = grid_client.post(reverse("case-list"), "{broken", content_type="application/json")
    assert response.status_code == 400


def test_inspectors_read_but_do_not_report(client, demo):
    client.force_login(demo.user("inspector"))
    assert post(client, payload(demo)).status_code == 403
    assert client.get(reverse("case-list")).status_code == 200


def test_township_users_see_only_their_townships_cases(client, demo):
    client.force_login(demo.user("grid1"))
    mine = post(client, payload(demo)).json()
    client.force_login(demo.user("township2"))
    assert client.get(reverse("case-list")).json()["count"] == 0
    assert client.get(reverse("case-detail", args=[mine["id"]])).status_code == 404
    assert client.get(reverse("case-events", args=[mine["id"]])).status_code == 404
    for username, seen in (("township1", 1), ("county", 1), ("village1", 1), ("member1", 1)):
        client.force_login(demo.user(username))
        assert client.get(reverse("case-list")).json()["count"] == seen, username
    events = client.get(reverse("case-events", args=[mine["id"]])).json()
    assert [e["action"] for e in events] == ["report"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_case_list_costs_the_same_queries_for_any_page(
    client, demo, django_assert_num_queries, count
):
    client.force_login(demo.user("grid1"))
    for _ in range(count):
        post(client, payload(demo))
    client.force_login(demo.user("township1"))
    client.get(reverse("case-list"))
    with django_assert_num_queries(5):  # session, user, user's area, count, page
        client.get(reverse("case-list"), {"page_size": 50})


def test_categories_are_listed_by_kind(grid_client):
    rows = grid_client.get(reverse("category-list"), {"kind": "hazard"}).json()
    assert rows and {row["kind"] for row in rows} == {"hazard"}


def test_someone_elses_client_uuid_does_not_return_their_case(client, demo):
    body = payload(demo)
    client.force_login(demo.user("grid1"))
    assert post(client, body).status_code == 201
    client.force_login(demo.user("member1"))
    response = post(client, body)
    assert response.status_code == 400 and response.json()["client_uuid"]
    assert "邻里排水纠纷" not in response.content.decode()
