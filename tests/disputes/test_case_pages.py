"""Case pages: the field report form, my cases, the centres' list with filters and export,
and the detail page's actions; each checked for outsiders and for bad input."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from disputes.models import Attachment, Case, CaseEvent, CaseStatus
from tests.factories import report
from tests.ledgers import records
from tests.samples import JPEG, PARTY_ID, PDF, case_form


def photo(name="scene.jpg", content=JPEG):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def grid_client(client, demo):
    client.force_login(demo.user("grid1"))
    return client


def test_the_report_form_starts_on_the_grid_workers_own_grid(grid_client, demo):
    page = grid_client.get(reverse("case_report"))
    assert page.status_code == 200
    assert f'<option value="{demo.grid1.pk}" selected' in page.content.decode()


def test_a_report_with_a_photo_is_filed_and_shown(grid_client, demo):
    response = grid_client.post(reverse("case_report"), case_form(demo, photos=[photo()]))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("case_detail", args=[case.pk])
    assert case.reporter == demo.user("grid1") and case.parties[0]["name"] == "李某"
    attachment = Attachment.objects.get()
    assert attachment.event == case.events.get(action="report")
    assert attachment.content_type == "image/jpeg"
    detail = grid_client.get(response.url).content.decode()
    assert reverse("case_attachment", args=[case.pk, attachment.pk]) in detail
    assert "431224********" in detail and PARTY_ID not in detail  # the ID number is masked
    served = grid_client.get(reverse("case_attachment", args=[case.pk, attachment.pk]))
    assert b"".join(served.streaming_content) == JPEG


def test_a_resent_form_files_one_case_and_one_set_of_photos(grid_client, demo):
    body = case_form(demo)
    for _ in range(3):
        response = grid_client.post(reverse("case_report"), {**body, "photos": [photo()]})
        assert response.status_code == 302
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"party1_id_number": "431224198001010010"}, "GB 11643"),
        ({"party1_phone": "0731-1234"}, "mainland mobile"),
        ({"party1_name": "", "party1_phone": "13912345678"}, "a name is required"),
        ({"title": ""}, "This field is required"),
        ({"category": "road"}, "not a category of this kind"),
        ({"photos": [photo("notes.jpg", b"just text, not a picture")]}, "is not a photo"),
        ({"photos": [photo("big.jpg", JPEG + b"\x00" * 2048)]}, "at most"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_files_nothing(
    grid_client, demo, settings, overrides, message
):
    settings.PHOTO_MAX_BYTES = 1024
    settings.LANGUAGE_CODE = "en"
    response = grid_client.post(reverse("case_report"), case_form(demo, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_grid_of_another_township_cannot_be_reported_into(grid_client, demo):
    response = grid_client.post(reverse("case_report"), case_form(demo, grid=demo.grid2.pk))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_inspectors_do_not_report(client, demo):
    client.force_login(demo.user("inspector"))
    assert client.get(reverse("case_report")).status_code == 403


@pytest.fixture
def two_cases(demo):
    mine = report(demo, title="一号镇的纠纷").case
    theirs = report(
        demo, title="二号镇的纠纷", grid=demo.grid2, reporter=demo.user("township2")
    ).case
    Attachment.objects.create(
        case=theirs,
        kind="document",
        file=SimpleUploadedFile("agreement.pdf", PDF),
        name="agreement.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=demo.user("township2"),
    )
    return mine, theirs


def test_another_townships_case_is_invisible_on_every_page(client, demo, two_cases):
    _mine, theirs = two_cases
    attachment = theirs.attachments.get()
    for username in ("township1", "police1", "village1", "grid1"):
        client.force_login(demo.user(username))
        for url in (
            reverse("case_detail", args=[theirs.pk]),
            reverse("case_attachment", args=[theirs.pk, attachment.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404, (username, url)
            assert "二号镇" not in response.content.decode()
        acted = client.post(reverse("case_act", args=[theirs.pk]), {"action": "accept"})
        assert acted.status_code == 404
        listing = client.get(reverse("case_list"), {"search": "纠纷"}).content.decode()
        assert "一号镇的纠纷" in listing and "二号镇的纠纷" not in listing
        mine_page = client.get(reverse("my_cases"), {"tab": "reported"}).content.decode()
        assert "二号镇的纠纷" not in mine_page
        export = client.get(reverse("case_export"))
        titles = [row[1] for row in records(load_workbook(io.BytesIO(export.content)).active)]
        assert "一号镇的纠纷" in titles and "二号镇的纠纷" not in titles
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.REPORTED


def test_the_list_filters_and_its_export_agree(client, demo, two_cases):
    client.force_login(demo.user("county"))
    hazard = report(
        demo,
        kind="hazard",
        category=demo_category("road"),
        title="路面塌陷隐患",
        grid=demo.grid2,
        reporter=demo.user("township2"),
    ).case
    Case.objects.filter(pk=hazard.pk).update(supervised=True)
    cases = {
        "kind=hazard": ["路面塌陷隐患"],
        f"area={demo.township2.pk}": ["路面塌陷隐患", "二号镇的纠纷"],
        "supervised=true": ["路面塌陷隐患"],
        "status=reported&status=accepted": ["路面塌陷隐患", "二号镇的纠纷", "一号镇的纠纷"],
        "search=一号": ["一号镇的纠纷"],
        "status=closed": [],
    }
    for query, expected in cases.items():
        listing = client.get(f"{reverse('case_list')}?{query}").content.decode()
        shown = [
            title for title in ("路面塌陷隐患", "二号镇的纠纷", "一号镇的纠纷") if title in listing
        ]
        assert sorted(shown) == sorted(expected), query
        export = client.get(f"{reverse('case_export')}?{query}")
        rows = records(load_workbook(io.BytesIO(export.content)).active)
        assert sorted(row[1] for row in rows) == sorted(expected), query


def demo_category(code):
    from disputes.models import Category

    return Category.objects.get(code=code)


@pytest.mark.parametrize(
    ("url_name", "params"), [("case_list", {}), ("my_cases", {"tab": "reported"})]
)
def test_list_pages_run_a_fixed_number_of_queries(client, demo, url_name, params):
    client.force_login(demo.user("grid1"))
    counts = []
    for total in (3, 25):
        while Case.objects.count() < total:
            report(demo)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url_name), params)
        assert response.status_code == 200
        assert response.content.decode().count('href="/cases/') >= min(total, 25)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def act(client, case, **data):
    return client.post(reverse("case_act", args=[case.pk]), data)


def test_the_detail_page_offers_only_what_the_role_may_do_now(client, demo):
    case = report(demo).case
    client.force_login(demo.user("grid1"))
    page = client.get(reverse("case_detail", args=[case.pk]))
    assert 'data-action="accept"' not in page.content.decode()
    assert act(client, case, action="accept").status_code == 403
    client.force_login(demo.user("township1"))
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="close"' not in page


def test_an_illegal_transition_from_the_page_is_refused_with_a_message(client, demo, settings):
    settings.LANGUAGE_CODE = "en"
    case = report(demo).case
    client.force_login(demo.user("township1"))
    response = act(client, case, action="close")
    assert response.status_code == 400
    assert "Close the case” is not possible while the case is Reported" in response.content.decode()
    response = act(client, case, action="escalate")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.events.count() == 1


def test_the_whole_loop_from_the_pages_on_two_lines(client, demo):
    case = report(demo).case
    client.force_login(demo.user("township1"))
    assert act(client, case, action="accept", severity="attention").status_code == 302
    response = act(
        client,
        case,
        action="assign",
        lines=["political_legal", "police"],
        unit_political_legal="村治保主任",
        handler_political_legal=demo.user("village1").pk,
        unit_police="派出所",
        handler_police=demo.user("police1").pk,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(demo.user("village1"))
    agreement = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")
    response = act(
        client,
        case,
        action="record",
        action_kind="mediation",
        note="组织双方调解，达成协议。",
        documents=[agreement],
    )
    assert response.status_code == 302
    assert (
        act(client, case, action="resolve", line="political_legal", outcome="resolved").status_code
        == 302
    )
    client.force_login(demo.user("police1"))
    assert act(client, case, action="resolve", line="police", outcome="resolved").status_code == 302
    client.force_login(demo.user("township1"))
    assert act(client, case, action="close", note="回访确认").status_code == 302
    assert (
        act(client, case, action="evaluate", satisfaction="5", note="处置及时").status_code == 302
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.EVALUATED and case.satisfaction == 5
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "report",
        "accept",
        "assign",
        "record",
        "resolve",
        "resolve",
        "close",
        "evaluate",
    ]
    record = CaseEvent.objects.get(case=case, action="record")
    assert record.attachments.get().name == "agreement.pdf"


def test_a_file_missing_from_disk_is_not_found_not_an_error(grid_client, demo):
    grid_client.post(reverse("case_report"), case_form(demo, photos=[photo()]))
    attachment = Attachment.objects.get()
    attachment.file.delete(save=False)
    url = reverse("case_attachment", args=[attachment.case_id, attachment.pk])
    assert grid_client.get(url).status_code == 404


def test_an_export_too_large_sends_back_to_the_list_with_a_message(client, demo, monkeypatch):
    from disputes import views

    monkeypatch.setattr(views, "EXPORT_LIMIT", 1)
    report(demo), report(demo)
    client.force_login(demo.user("township1"))
    response = client.get(reverse("case_export"), {"kind": "dispute"})
    assert response.status_code == 302
    assert response.url == reverse("case_list") + "?kind=dispute"


def test_a_handler_finishes_only_their_own_line(client, demo):
    from disputes import services

    township = demo.user("township1")
    case = services.case_accept(case=report(demo).case, actor=township)
    lines = [
        {"line": "political_legal", "unit": "村治保主任", "handler": demo.user("village1")},
        {"line": "police", "unit": "派出所", "handler": demo.user("police1")},
    ]
    case = services.case_assign(case=case, actor=township, lines=lines)
    client.force_login(demo.user("police1"))
    page = act(client, case, action="resolve", line="political_legal", outcome="resolved")
    api = client.post(
        reverse("case-transitions", args=[case.pk]),
        {"action": "return", "line": "political_legal", "reason": "不归我"},
        content_type="application/json",
    )
    assert page.status_code == 403 and api.status_code == 403
    assert act(client, case, action="resolve", line="police", outcome="resolved").status_code == 302
    assert case.assignments.get(line="political_legal").status == "active"


def test_the_area_filter_finds_nothing_outside_the_jurisdiction(client, demo):
    report(demo, title="一号镇的纠纷")
    client.force_login(demo.user("township1"))
    listing = client.get(reverse("case_list"), {"area": demo.township2.pk}).content.decode()
    assert "一号镇的纠纷" not in listing
    api = client.get(reverse("case-list"), {"area": demo.township2.pk}).json()
    assert api["count"] == 0
