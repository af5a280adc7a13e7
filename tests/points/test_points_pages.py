"""Pages of village points: outsiders get a 404, bad input a 400 with the field's message,
a resent form makes one record, the township sees its villages' figures, and the bank's list
is an Excel workbook of the households above the threshold."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from points.models import ItemKind, PointRecord, RecordStatus
from points.services import (
    DonationInput,
    RecordInput,
    donation_record,
    record_create,
    records_approve,
)
from tests.samples import JPEG


def test_township2_gets_404_on_township1s_points(client, demo, village_points):
    _rules, (first, _second) = village_points
    client.force_login(demo.user("township2"))
    for url in (
        f"/points/villages/{demo.village1.pk}/",
        f"/points/villages/{demo.village1.pk}/fund/",
        f"/points/villages/{demo.village1.pk}/board/",
        f"/points/townships/{demo.township1.pk}/",
        f"/points/households/{first.pk}/",
        f"/points/households/{first.pk}/record/",
    ):
        assert client.get(url).status_code == 404, url
    body = client.get("/points/").content.decode()
    assert demo.village1.name not in body


def test_a_record_with_bad_input_is_a_400_with_field_messages(client, demo, village_points):
    rules, (first, _second) = village_points
    client.force_login(demo.user("grid1"))
    item = rules.items.filter(kind=ItemKind.POSITIVE).first()
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(
        f"/points/households/{first.pk}/record/",
        {
            "item": item.pk,
            "occurred_on": future,
            "client_uuid": str(uuid.uuid4()),
            "photo": SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"occurred_on"}
    response = client.post(
        f"/points/households/{first.pk}/record/",
        {"item": "nonsense", "occurred_on": "not a date"},
    )
    assert response.status_code == 400
    assert {"item", "occurred_on"} <= set(response.context["form"].errors)
    assert not PointRecord.objects.exists()


def test_a_resent_record_form_makes_one_record(client, demo, village_points):
    rules, (first, _second) = village_points
    client.force_login(demo.user("grid1"))
    item = rules.items.filter(kind=ItemKind.POSITIVE).first()
    body = {
        "item": item.pk,
        "occurred_on": timezone.localdate().isoformat(),
        "client_uuid": str(uuid.uuid4()),
    }
    for _ in range(2):
        photo = SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
        response = client.post(f"/points/households/{first.pk}/record/", {**body, "photo": photo})
        assert response.status_code == 302
    assert PointRecord.objects.count() == 1


def test_a_redemption_over_the_balance_is_a_400(client, demo, village_points):
    _rules, (first, _second) = village_points
    donation_record(
        actor=demo.user("village1"),
        data=DonationInput(
            village=demo.village1, donor="张某", amount_fen=10000, receipt="1",
            received_on=timezone.localdate(),
        ),
    )  # fmt: skip
    client.force_login(demo.user("village1"))
    response = client.post(
        f"/points/households/{first.pk}/redeem/",
        {"points": 5, "goods": "米", "amount": "1.00",
         "redeemed_on": timezone.localdate().isoformat()},
    )  # fmt: skip
    assert response.status_code == 400
    assert "points" in response.context["form"].errors


def test_the_township_view_and_the_bank_list(client, demo, village_points):
    rules, (first, second) = village_points
    staff = demo.user("village1")
    item = rules.items.filter(kind=ItemKind.POSITIVE).order_by("-points").first()
    made = [
        PointRecord.objects.create(
            household=household,
            village=demo.village1,
            item=item,
            kind=item.kind,
            points=item.points,
            occurred_on=timezone.localdate(),
            created_by=staff,
        )
        for household in (first, first, second)
    ]
    records_approve(actor=staff, village=demo.village1, record_ids=[r.pk for r in made])
    PointRecord.objects.update(notice_ends_at=timezone.now() - timedelta(seconds=1))
    client.force_login(demo.user("township1"))
    response = client.get(f"/points/townships/{demo.township1.pk}/")
    row = next(r for r in response.context["rows"] if r.village == demo.village1)
    assert (row.households, row.participating, row.points) == (2, 2, 3 * item.points)
    threshold = 2 * item.points
    response = client.get(
        "/points/bank-list/",
        {"area": demo.township1.pk, "threshold": threshold, "format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert first.head_name in values and second.head_name not in values
    assert client.get("/points/bank-list/", {"threshold": "-1"}).status_code == 400


def test_the_committee_edits_an_item_into_a_new_version(client, demo, village_points):
    rules, _households = village_points
    item = rules.items.filter(kind=ItemKind.NEGATIVE).first()
    client.force_login(demo.user("village1"))
    url = f"/points/rule-items/{item.pk}/edit/"
    response = client.post(url, {"text": item.text, "points": "5", "evidence": ""})
    assert response.status_code == 400
    assert "points" in response.context["form"].errors
    response = client.post(url, {"text": item.text, "points": "-8", "evidence": "照片"})
    assert response.status_code == 302
    body = client.get(f"/points/villages/{demo.village1.pk}/rules/").content.decode()
    assert "-8" in body
    client.force_login(demo.user("grid1"))
    assert client.get(url).status_code == 403


def test_the_committee_gives_an_item_to_every_household_at_once(client, demo, village_points):
    rules, households = village_points
    item = rules.items.filter(kind=ItemKind.POSITIVE).first()
    client.force_login(demo.user("village1"))
    response = client.post(
        f"/points/villages/{demo.village1.pk}/award-all/",
        {"item": item.pk, "occurred_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert PointRecord.objects.filter(item=item).count() == len(households)


def test_the_committee_rejects_a_pending_item_with_a_reason(client, demo, village_points):
    rules, (first, _second) = village_points
    item = rules.items.filter(kind=ItemKind.POSITIVE).first()
    record = record_create(
        actor=demo.user("grid1"),
        data=RecordInput(
            household=first, item=item, occurred_on=timezone.localdate(),
            photo=SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
            client_uuid=uuid.uuid4(),
        ),
    )  # fmt: skip
    url = f"/points/records/{record.pk}/reject/"
    client.force_login(demo.user("township2"))  # an outsider: as if there were no such item
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "照片不清楚"}).status_code == 404
    client.force_login(demo.user("village1"))
    page = client.get(f"/points/villages/{demo.village1.pk}/").content.decode()
    assert f'action="{url}"' in page and f'form="reject-{record.pk}"' in page
    for empty in ("", "   "):
        response = client.post(url, {"reason": empty})
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"reason"}
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING
    assert not AuditEntry.objects.filter(action="points.reject").exists()
    response = client.post(url, {"reason": "照片不清楚，请补拍"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.REJECTED
    entry = AuditEntry.objects.get(action="points.reject")
    assert entry.new_values["reason"] == "照片不清楚，请补拍"
    page = client.get(f"/points/villages/{demo.village1.pk}/").content.decode()
    assert f'form="reject-{record.pk}"' not in page
    again = client.post(url, {"reason": "再次"})  # no longer pending: a message, not a 500
    assert again.status_code == 400
