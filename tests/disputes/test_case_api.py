import pytest
from django.urls import reverse

from disputes.models import Case
from tests.samples import case_payload


@pytest.fixture
def grid_client(client, demo):
    client.force_login(demo.user("grid1"))
    return client


def post(client, body):
    return client.post(reverse("case-list"), body, content_type="application/json")


def test_a_report_is_created_once_and_a_resend_returns_it(grid_client, demo):
    body = case_payload(demo)
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
    response = post(grid_client, case_payload(demo, **overrides))
    assert response.status_code == 400
    assert response.json()[field]
    assert not Case.objects.exists()


def test_a_grid_of_another_township_is_refused_like_a_missing_one(grid_client, demo):
    outside = post(grid_client, case_payload(demo, grid=demo.grid2.pk)).json()
    missing = post(grid_client, case_payload(demo, grid=999_999)).json()
    assert outside["grid"][0].replace(str(demo.grid2.pk), "N") == missing["grid"][0].replace(
        "999999", "N"
    )


def test_broken_json_is_a_400(grid_client):
    response = grid_client.post(reverse("case-list"), "{broken", content_type="application/json")
    assert response.status_code == 400


def test_inspectors_read_but_do_not_report(client, demo):
    client.force_login(demo.user("inspector"))
    assert post(client, case_payload(demo)).status_code == 403
    assert client.get(reverse("case-list")).status_code == 200


def test_township_users_see_only_their_townships_cases(client, demo):
    client.force_login(demo.user("grid1"))
    mine = post(client, case_payload(demo)).json()
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
        post(client, case_payload(demo))
    client.force_login(demo.user("township1"))
    client.get(reverse("case-list"))
    with django_assert_num_queries(5):  # session, user, user's area, count, page
        client.get(reverse("case-list"), {"page_size": 50})


def test_categories_are_listed_by_kind(grid_client):
    rows = grid_client.get(reverse("category-list"), {"kind": "hazard"}).json()
    assert rows and {row["kind"] for row in rows} == {"hazard"}


def test_someone_elses_client_uuid_does_not_return_their_case(client, demo):
    body = case_payload(demo)
    client.force_login(demo.user("grid1"))
    assert post(client, body).status_code == 201
    client.force_login(demo.user("member1"))
    response = post(client, body)
    assert response.status_code == 400 and response.json()["client_uuid"]
    assert "邻里排水纠纷" not in response.content.decode()


def attach(client, case_id, kind, *files):
    return client.post(
        reverse("case-attachments", args=[case_id]), {"kind": kind, "files": list(files)}
    )


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32


def test_photos_are_added_checked_and_listed(grid_client, demo, settings):
    settings.PHOTO_MAX_BYTES = 1024
    case_id = post(grid_client, case_payload(demo)).json()["id"]
    added = attach(grid_client, case_id, "photo", upload("a.jpg", JPEG), upload("b.jpg", JPEG))
    assert added.status_code == 201 and len(added.json()) == 2
    for bad in (upload("fake.jpg", b"GIF89a not allowed"), upload("big.jpg", JPEG * 100)):
        refused = attach(grid_client, case_id, "photo", upload("ok.jpg", JPEG), bad)
        assert refused.status_code == 400 and bad.name in refused.json()["files"][0]
    listed = grid_client.get(reverse("case-attachments", args=[case_id])).json()
    assert [a["name"] for a in listed] == ["a.jpg", "b.jpg"]  # a refused batch adds nothing
    assert grid_client.get(listed[0]["url"]).status_code == 200


def test_outsiders_and_readers_cannot_add_files(client, demo):
    client.force_login(demo.user("grid1"))
    case_id = post(client, case_payload(demo)).json()["id"]
    client.force_login(demo.user("township2"))
    assert attach(client, case_id, "photo", upload("a.jpg", JPEG)).status_code == 404
    assert client.get(reverse("case-attachments", args=[case_id])).status_code == 404
    client.force_login(demo.user("inspector"))
    assert attach(client, case_id, "photo", upload("a.jpg", JPEG)).status_code == 403
