"""Personal data is kept for RESIDENT_RETENTION_YEARS after a person leaves management,
then erased for good: the ID number, phone, address, situation and the visits' details and
photos go, the name keeps its surname, and the statistics keep their rows."""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from residents.models import Resident, ResidentStatus
from residents.services.residents import (
    ResidentInput,
    resident_find,
    resident_set_status,
    resident_update,
)
from residents.services.retention import residents_erase_expired, retention_cutoff
from residents.services.visits import VisitInput, visit_record
from tests.factories import register
from tests.samples import ID_A, ID_B, JPEG

TODAY = date(2026, 12, 2)


def left_management(resident: Resident, *, days_ago: int, status=ResidentStatus.MOVED):
    Resident.objects.filter(pk=resident.pk).update(
        status=status, closed_on=TODAY - timedelta(days=days_ago)
    )
    return Resident.objects.get(pk=resident.pk)


@pytest.fixture
def three_years(settings):
    settings.RESIDENT_RETENTION_YEARS = 3


def test_the_cutoff_is_the_same_day_years_back_and_28_february_for_a_leap_day():
    assert retention_cutoff(today=TODAY, years=3) == date(2023, 12, 2)
    assert retention_cutoff(today=date(2028, 2, 29), years=3) == date(2025, 2, 28)


def test_a_person_past_the_period_is_erased_and_one_within_it_is_kept(
    demo, three_years, django_capture_on_commit_callbacks
):
    photo = SimpleUploadedFile("visit.jpg", JPEG, content_type="image/jpeg")
    gone = register(demo, name="王建国", address="一号村3组", category="released_prisoner")
    recorded = visit_record(
        resident=gone,
        actor=demo.user("township1"),
        data=VisitInput(
            client_uuid=uuid.uuid4(),
            visited_on=timezone.localdate(),
            situation="在家，情绪稳定",
            needs="就业帮扶",
            photo=photo,
        ),
    )
    visit = recorded.visit
    photo_path = visit.photo.path
    assert os.path.exists(photo_path)
    kept = register(demo, id_number=ID_B, name="刘某某")
    past = (TODAY - date(2023, 12, 2)).days  # exactly on the cutoff: past its period
    gone = left_management(gone, days_ago=past)
    kept = left_management(kept, days_ago=past - 1, status=ResidentStatus.DECEASED)

    with django_capture_on_commit_callbacks(execute=True):  # the photo goes after commit
        assert residents_erase_expired(today=TODAY) == 1
    assert residents_erase_expired(today=TODAY) == 0  # a second run erases nothing more

    gone.refresh_from_db()
    assert (gone.name, gone.id_number, gone.phone, gone.address, gone.situation) == (
        "王某",
        "",
        "",
        "",
        "",
    )
    assert gone.erased_on == TODAY
    assert gone.category == "released_prisoner" and gone.grid_id == demo.grid1.pk
    visit.refresh_from_db()
    assert (visit.situation, visit.needs, visit.photo.name, visit.location_lat) == (
        "",
        "",
        "",
        None,
    )
    assert visit.visited_on == timezone.localdate()  # the visit itself still counts
    assert not os.path.exists(photo_path)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, situation, id_number_hash FROM grids_resident WHERE id = %s",
            [gone.pk],
        )
        assert cursor.fetchone() == ("", "", "", f"erased:{gone.pk}")
    erasures = AuditEntry.objects.filter(action="resident.erase")
    assert list(erasures.values_list("object_id", "area_id", "actor")) == [
        (str(gone.pk), demo.grid1.pk, None)
    ]
    kept.refresh_from_db()
    assert kept.erased_on is None and kept.id_number == ID_B and kept.phone == "13800138000"


def test_an_active_person_is_never_erased_however_old(demo, three_years):
    resident = register(demo)
    Resident.objects.filter(pk=resident.pk).update(closed_on=TODAY - timedelta(days=5000))
    assert residents_erase_expired(today=TODAY) == 0
    assert Resident.objects.get(pk=resident.pk).id_number == ID_A


def test_the_erased_id_number_is_no_longer_found_and_may_be_registered_again(demo, three_years):
    gone = left_management(register(demo), days_ago=4 * 366)
    assert residents_erase_expired(today=TODAY) == 1
    assert resident_find(user=demo.user("township1"), id_number=ID_A) is None
    again = register(demo, name="李某某")
    assert again.pk != gone.pk
    assert resident_find(user=demo.user("township1"), id_number=ID_A) == again


def test_an_erased_person_cannot_be_edited_or_brought_back(demo, three_years):
    gone = left_management(register(demo), days_ago=4 * 366)
    residents_erase_expired(today=TODAY)
    gone.refresh_from_db()
    with pytest.raises(ValidationError, match="请重新登记"):
        resident_set_status(
            resident=gone,
            actor=demo.user("township1"),
            status=ResidentStatus.ACTIVE,
            reason="重新纳入管理",
        )
    with pytest.raises(ValidationError, match="请重新登记"):
        resident_update(
            resident=gone,
            actor=demo.user("township1"),
            data=ResidentInput(
                name="李四", id_number=ID_B, grid=demo.grid1, category="released_prisoner"
            ),
        )


def test_the_page_says_when_the_data_was_erased_and_offers_no_edit(client, demo, three_years):
    gone = left_management(register(demo), days_ago=4 * 366)
    residents_erase_expired(today=TODAY)
    client.force_login(demo.user("township1"))
    page = client.get(reverse("resident_detail", args=[gone.pk])).content.decode()
    assert 'id="erased-on"' in page and "2026-12-02" in page
    assert 'id="edit-link"' not in page and 'id="status-link"' not in page
