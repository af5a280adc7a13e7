"""Uploads are judged by their bytes, never by their name or declared type: at every door a
file can come in by (the report form, the case API, a visit, a campaign task on its page and
through the API) a ".jpg" that holds a web page or a Windows program is refused with a
message naming it, and nothing is stored. What is stored lies outside the web root and is
served only by views that check jurisdiction, with the type its bytes show."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from campaigns.models import CampaignTask, TaskStatus
from campaigns.selectors import my_tasks
from disputes.models import Attachment, Case
from residents.models import Visit
from tests.factories import launched_campaign, register
from tests.samples import JPEG, PDF, case_form, case_payload, visit_form
from tests.support import post_json

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# A Windows executable's first bytes: the MZ header and its DOS stub.
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run"
DISGUISES = {"page.jpg": HTML, "setup.jpg": PE, "invoice.pdf": PE, "agreement.docx": HTML}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def disguised(name: str) -> SimpleUploadedFile:
    declared = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
    return SimpleUploadedFile(name, DISGUISES[name], content_type=declared)


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize("name", ["page.jpg", "setup.jpg"])
def test_the_report_form_refuses_a_photo_that_is_not_one(client, demo, settings, english, name):
    client.force_login(demo.user("grid1"))
    response = client.post(reverse("case_report"), case_form(demo, photos=[disguised(name)]))
    assert response.status_code == 400
    assert response.context["form"].errors["photos"] == [
        f"“{name}” is not a photo: send a JPEG, PNG, WebP or HEIC picture."
    ]
    assert not Case.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize("name", sorted(DISGUISES))
def test_the_report_form_refuses_a_document_that_is_not_one(client, demo, settings, english, name):
    client.force_login(demo.user("grid1"))
    response = client.post(reverse("case_report"), case_form(demo, documents=[disguised(name)]))
    assert response.status_code == 400
    assert name in response.context["form"].errors["documents"][0]
    assert not Case.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize(("kind", "name"), [("photo", "page.jpg"), ("document", "setup.jpg")])
def test_the_case_api_refuses_a_disguised_file_and_names_it(
    client, demo, settings, english, kind, name
):
    client.force_login(demo.user("grid1"))
    case_id = post_json(client, reverse("case-list"), case_payload(demo)).json()["id"]
    response = client.post(
        reverse("case-attachments", args=[case_id]),
        {"kind": kind, "files": [SimpleUploadedFile("ok.jpg", JPEG), disguised(name)]},
    )
    assert response.status_code == 400
    assert name in response.json()["files"][0]
    assert not Attachment.objects.exists() and not stored_files(settings)


@pytest.mark.parametrize("name", ["page.jpg", "setup.jpg"])
def test_a_visit_refuses_a_photo_that_is_not_one(client, demo, settings, english, name):
    resident = register(demo)
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("visit_record", args=[resident.pk]), visit_form(photo=disguised(name))
    )
    assert response.status_code == 400
    assert name in response.context["form"].errors["photo"][0]
    assert not Visit.objects.exists() and not stored_files(settings)


@pytest.fixture
def grid_task(demo, roster):
    launched_campaign(demo, grids=[demo.grid1])
    return my_tasks(user=demo.user("grid1")).get()


@pytest.mark.parametrize("name", ["page.jpg", "setup.jpg"])
def test_a_campaign_task_refuses_a_photo_that_is_not_one_on_its_page(
    client, demo, settings, english, grid_task, name
):
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("task_complete", args=[grid_task.pk]),
        {"client_uuid": str(uuid.uuid4()), "result": "已宣讲", "photo": disguised(name)},
    )
    assert response.status_code == 400
    assert name in response.context["form"].errors["photo"][0]
    grid_task.refresh_from_db()
    assert grid_task.status == TaskStatus.PENDING and not stored_files(settings)


@pytest.mark.parametrize("name", ["page.jpg", "setup.jpg"])
def test_a_campaign_task_refuses_a_photo_that_is_not_one_through_the_api(
    client, demo, settings, english, grid_task, name
):
    client.force_login(demo.user("grid1"))
    url = reverse("api_task_complete", args=[grid_task.campaign_id, grid_task.pk])
    body = {"client_uuid": str(uuid.uuid4()), "result": "已宣讲", "photo": disguised(name)}
    response = client.post(url, body)
    assert response.status_code == 400
    assert name in response.json()["photo"][0]
    grid_task.refresh_from_db()
    assert grid_task.status == TaskStatus.PENDING and not stored_files(settings)


def test_a_task_photo_through_the_api_is_stored_under_a_neutral_name_and_served_checked(
    client, demo, settings, grid_task
):
    client.force_login(demo.user("grid1"))
    url = reverse("api_task_complete", args=[grid_task.campaign_id, grid_task.pk])
    photo = SimpleUploadedFile("IMG_王某家门口.jpg", JPEG, content_type="image/png")
    body = {"client_uuid": str(uuid.uuid4()), "result": "已宣讲", "photo": photo}
    response = client.post(url, body)
    assert response.status_code == 201, response.content
    task = CampaignTask.objects.get(pk=grid_task.pk)
    assert task.photo.name.endswith(".jpg") and "王某" not in task.photo.name
    served = client.get(reverse("task_photo", args=[task.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    client.force_login(demo.user("township2"))
    assert client.get(reverse("task_photo", args=[task.pk])).status_code == 404


def test_stored_files_lie_outside_the_web_root_and_only_the_checked_view_serves_them(
    client, demo, settings
):
    client.force_login(demo.user("grid1"))
    response = client.post(
        reverse("case_report"),
        case_form(demo, photos=[SimpleUploadedFile("scene.jpg", JPEG)], documents=[
            SimpleUploadedFile("李某调解协议.pdf", PDF, content_type="application/pdf")
        ]),
    )  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    (stored,) = [path for path in stored_files(settings) if path.suffix == ".pdf"]
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "李某" not in str(stored)  # a neutral name on disk; the row keeps the sender's
    relative = stored.relative_to(settings.MEDIA_ROOT).as_posix()
    for url in (f"/media/{relative}", f"/static/{relative}", f"/{relative}"):
        assert client.get(url).status_code == 404, url
    document = case.attachments.get(kind="document")
    url = reverse("case_attachment", args=[case.pk, document.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment")  # never shown inline
    assert "%E6%9D%8E%E6%9F%90" in served["Content-Disposition"]  # 李某…, for the download
    for outsider in ("township2",):
        client.force_login(demo.user(outsider))
        assert client.get(url).status_code == 404, outsider
    client.logout()
    assert client.get(url).status_code == 302
