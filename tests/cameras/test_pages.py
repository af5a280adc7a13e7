"""The camera pages: scoped by jurisdiction, the Excel import all or nothing and idempotent,
the monthly inspection opening tasks once, and closing them with a note."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from audit.models import AuditEntry
from cameras.models import Camera, MaintenanceTask, TaskStatus
from cameras.services.ingestion import StatusReport, platform_create, statuses_ingest
from cameras.services.register import COLUMNS
from tests.cameras.helpers import device_code, place_cameras


def login(client, demo, username):
    client.force_login(demo.user(username))
    return client


def test_township2_sees_none_of_township1s_cameras(client, demo):
    place_cameras(county=demo.county, count=30)
    theirs = Camera.objects.filter(township=demo.township1).first()
    login(client, demo, "township2")
    page = client.get(reverse("camera_list"))
    shown = {camera.pk for camera in page.context["page"].object_list}
    assert shown and not Camera.objects.filter(pk__in=shown, township=demo.township1).exists()
    assert client.get(reverse("camera_detail", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/v1/cameras/{theirs.pk}/").status_code == 404
    rates = client.get(reverse("camera_rates")).context["lines"]
    assert [line.area_id for line in rates] == [demo.township2.pk]


def test_the_register_is_searched_filtered_and_paged(client, demo):
    place_cameras(county=demo.county, count=120)
    login(client, demo, "county")
    everything = client.get(reverse("camera_list"))
    assert everything.context["page"].paginator.count == 120
    assert len(everything.context["page"].object_list) < 120
    one = Camera.objects.order_by("code").first()
    found = client.get(reverse("camera_list"), {"q": one.code})
    assert [c.pk for c in found.context["page"].object_list] == [one.pk]
    township = client.get(reverse("camera_list"), {"township": demo.township2.pk})
    assert (
        township.context["page"].paginator.count
        == Camera.objects.filter(township=demo.township2).count()
    )
    assert client.get(reverse("camera_list"), {"status": "bogus"}).status_code == 400


def workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    stream = BytesIO()
    book.save(stream)
    return SimpleUploadedFile("cameras.xlsx", stream.getvalue())


def row(demo, serial, *, area=None, **changes):
    values = {
        "code": device_code(serial, demo.county),
        "name": f"路口{serial}",
        "kind": "枪机",
        "lat": "27.512345",
        "lng": "111.523456",
        "area": (area or demo.village1).code,
        "owner": "县公安局",
        "builder": "电信公司",
        "installed": "2024-05-01",
        "status": "在用",
    } | changes
    return list(values.values())


def test_the_import_is_all_or_nothing_and_idempotent(client, demo):
    login(client, demo, "county")
    url = reverse("camera_import")
    bad = [row(demo, 1), row(demo, 2, code="123"), row(demo, 3, lat="north")]
    refused = client.post(url, {"file": workbook(bad)})
    assert refused.status_code == 400
    assert [number for number, _message in refused.context["errors"]] == [3, 4]
    assert not Camera.objects.exists()

    good = [row(demo, n, area=demo.village2 if n % 2 else demo.village1) for n in range(5)]
    assert client.post(url, {"file": workbook(good)}).status_code == 302
    assert Camera.objects.count() == 5
    camera = Camera.objects.get(code=device_code(1, demo.county))
    assert camera.township == demo.township2 and camera.village == demo.village2
    renamed = [row(demo, 0, name="新名称"), *good[1:]]
    assert client.post(url, {"file": workbook(renamed)}).status_code == 302
    assert Camera.objects.count() == 5
    assert Camera.objects.get(code=device_code(0, demo.county)).name == "新名称"
    assert AuditEntry.objects.filter(action="camera.import").count() == 2


def test_the_import_is_limited_to_the_importers_jurisdiction(client, demo, other_county):
    login(client, demo, "county")
    theirs = other_county.get_descendants().filter(level="village").first()
    response = client.post(
        reverse("camera_import"), {"file": workbook([row(demo, 1, area=theirs)])}
    )
    assert response.status_code == 400 and not Camera.objects.exists()
    login(client, demo, "township1")
    assert client.get(reverse("camera_import")).status_code == 403


def test_a_damaged_file_is_a_message_not_an_error(client, demo):
    login(client, demo, "county")
    junk = SimpleUploadedFile("cameras.xlsx", b"not a workbook")
    response = client.post(reverse("camera_import"), {"file": junk})
    assert response.status_code == 400 and response.context["errors"]


@pytest.fixture
def last_month_reported(demo):
    """Ten cameras of township 1 reported online for a day of last month, two never."""
    platform, _key = platform_create(county=demo.county, name="平台", actor=None)
    place_cameras(county=demo.county, count=12)
    Camera.objects.exclude(township=demo.township1).update(status="retired")
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.combine(month, time(0, 0)))
    live = list(Camera.objects.filter(township=demo.township1).order_by("code"))[2:]
    for step in range(1, 4):
        statuses_ingest(
            platform=platform,
            reports=[StatusReport(code=c.code, online=True, at=start + timedelta(minutes=5 * step))
                     for c in live],
        )  # fmt: skip
    return month


def test_the_inspection_opens_tasks_once_and_they_close_with_a_note(
    client, demo, last_month_reported
):
    month = f"{last_month_reported:%Y-%m}"
    login(client, demo, "county")
    page = client.get(reverse("camera_inspection"), {"month": month})
    counted = Camera.objects.filter(township=demo.township1).count()
    assert page.context["offline_count"] == counted  # all offline most of the month
    client.post(reverse("camera_inspection"), {"month": month, "min_hours": 24})
    assert MaintenanceTask.objects.count() == counted
    client.post(reverse("camera_inspection"), {"month": month, "min_hours": 24})
    assert MaintenanceTask.objects.count() == counted  # a second run opens none

    task = MaintenanceTask.objects.first()
    login(client, demo, "township2")
    assert (
        client.post(reverse("camera_task_close", args=[task.pk]), {"note": "x"}).status_code == 404
    )
    login(client, demo, "township1")
    empty = client.post(reverse("camera_task_close", args=[task.pk]), {"note": " "})
    assert empty.status_code == 400
    done = client.post(reverse("camera_task_close", args=[task.pk]), {"note": "更换电源"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED and task.closed_by == demo.user("township1")
    assert task.note == "更换电源"
    assert AuditEntry.objects.filter(action="camera.task_close").count() == 1


def test_only_the_county_runs_the_inspection(client, demo, last_month_reported):
    login(client, demo, "township1")
    month = f"{last_month_reported:%Y-%m}"
    response = client.post(reverse("camera_inspection"), {"month": month, "min_hours": 24})
    assert response.status_code == 403
    assert not MaintenanceTask.objects.exists()
