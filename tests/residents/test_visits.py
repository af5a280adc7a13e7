"""Visits to residents of concern: the cycle and the next visit date, idempotent recording
(a case raised in the same step, never twice), the reminders, and the month's
visit-completion indicator of the assessment."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessment.services.rankings import rankings_compute
from disputes.models import Case, CaseKind, Category
from governance.platform.months import month_end
from notifications.models import Notification, NotificationKind
from personnel.services.staff import StaffInput, staff_create
from residents.models import (
    Resident,
    ResidentCategory,
    ResidentStatus,
    ResidentStatusChange,
    RiskLevel,
    Visit,
)
from residents.services.cycles import DEFAULT_CYCLE_DAYS, visit_cycles_set
from residents.services.residents import resident_set_status
from residents.services.visits import (
    CaseDraft,
    VisitInput,
    visit_completion,
    visit_record,
    visit_reminders_send,
    visits_due_for,
    visits_overdue,
)
from tests.factories import register
from tests.samples import ID_B, id_number
from tests.support import is_postgres

TODAY = timezone.localdate


def responsible_grid1(demo):
    """A staff member on the roster whose login is grid1."""
    staff = staff_create(
        data=StaffInput(
            name="网格员甲", phone="13912345678", id_number=id_number(91), gender="female",
            area=demo.village1,
        ),
        actor=demo.user("township1"),
    )  # fmt: skip
    staff.user = demo.user("grid1")
    staff.save(update_fields=["user"])
    return staff


def registered_long_ago(resident: Resident, days: int) -> Resident:
    moment = timezone.now() - timedelta(days=days)
    Resident.objects.filter(pk=resident.pk).update(created_at=moment)
    resident.refresh_from_db()
    return resident


def visit(resident, actor, *, on=None, key=None, **extra):
    return visit_record(
        resident=resident,
        actor=actor,
        data=VisitInput(client_uuid=key or uuid.uuid4(), visited_on=on or TODAY(), **extra),
    )


def test_registration_sets_the_first_visit_one_cycle_after_it(demo):
    resident = register(demo)  # a high-risk released prisoner: weekly
    cycle = DEFAULT_CYCLE_DAYS[(ResidentCategory.RELEASED_PRISONER, RiskLevel.HIGH)]
    assert cycle == 7 and resident.next_visit_due == TODAY() + timedelta(days=7)


def test_a_visit_moves_the_next_visit_one_cycle_on_from_its_date_and_records_the_risk(demo):
    resident = registered_long_ago(register(demo), 60)
    result = visit(resident, demo.user("grid1"), on=TODAY() - timedelta(days=2), risk_after="low")
    resident.refresh_from_db()
    assert result.created and result.visit.risk_before == RiskLevel.HIGH
    assert result.visit.due_on == TODAY() + timedelta(days=7)  # as registered
    # Low risk: a released prisoner is visited every 90 days from now on.
    assert resident.risk == RiskLevel.LOW and resident.last_visited_on == TODAY() - timedelta(2)
    assert resident.next_visit_due == TODAY() - timedelta(days=2) + timedelta(days=90)


def test_a_resent_visit_leaves_one_visit_and_raises_one_case(demo):
    resident = register(demo)
    category = Category.objects.filter(kind=CaseKind.KEY_PERSON, is_active=True).first()
    draft = CaseDraft(
        kind=CaseKind.KEY_PERSON,
        category=category,
        title="情绪激动扬言报复",
        description="走访中发现",
    )
    key = uuid.uuid4()
    first = visit(resident, demo.user("grid1"), key=key, raise_case=draft, situation="扬言报复")
    again = visit(resident, demo.user("grid1"), key=key, raise_case=draft, situation="扬言报复")
    assert first.created and not again.created and again.visit == first.visit
    assert Visit.objects.count() == 1 and Case.objects.count() == 1
    case = first.visit.case
    assert case.reporter == demo.user("grid1") and case.grid == resident.grid
    # The case names the person, but their ID number stays in the encrypted register.
    assert case.parties == [{"name": resident.name, "role": case.parties[0]["role"]}]
    with pytest.raises(ValidationError) as refused:
        visit(resident, demo.user("village1"), key=key)  # someone else's UUID
    assert "client_uuid" in refused.value.message_dict


def test_a_case_that_cannot_be_filed_saves_no_visit(demo):
    resident = register(demo)
    wrong_kind = Category.objects.filter(kind=CaseKind.HAZARD).first()
    draft = CaseDraft(kind=CaseKind.KEY_PERSON, category=wrong_kind, title="x", description="y")
    with pytest.raises(ValidationError) as refused:
        visit(resident, demo.user("grid1"), raise_case=draft)
    assert "case_category" in refused.value.message_dict
    assert not Visit.objects.exists() and not Case.objects.exists()
    resident.refresh_from_db()
    assert resident.last_visited_on is None


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"on": date.today() + timedelta(days=2)}, "visited_on"),
        ({"on": date.today() - timedelta(days=60)}, "visited_on"),
        ({"met": False}, "situation"),
        ({"risk_after": "extreme"}, "risk_after"),
        ({"needs": "要" * 501}, "needs"),
    ],
)
def test_bad_visits_are_refused_field_by_field(demo, extra, field):
    resident = registered_long_ago(register(demo), 100)
    with pytest.raises(ValidationError) as refused:
        visit(resident, demo.user("grid1"), **extra)
    assert field in refused.value.message_dict and not Visit.objects.exists()


def test_only_those_who_see_the_person_record_visits(demo):
    theirs = register(demo, grid=demo.grid2, actor="township2", id_number=ID_B)
    for username in ("township1", "grid1", "inspector"):
        with pytest.raises(PermissionDenied):
            visit(theirs, demo.user(username))
    assert not Visit.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not is_postgres(), reason="concurrent writes need PostgreSQL")
def test_two_resends_at_once_leave_one_visit(demo):
    resident = register(demo)
    key = uuid.uuid4()
    results, barrier = [], threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            results.append(visit(resident, demo.user("grid1"), key=key).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True] and Visit.objects.count() == 1


def test_closing_ends_the_cycle_and_the_history_keeps_who_and_why(demo):
    resident = register(demo)
    with pytest.raises(ValidationError) as refused:
        resident_set_status(
            resident=resident, actor=demo.user("village1"), status="moved", reason=""
        )
    assert "reason" in refused.value.message_dict
    moved = resident_set_status(
        resident=resident, actor=demo.user("village1"), status="moved", reason="迁往外省务工"
    )
    assert moved.status == ResidentStatus.MOVED and moved.next_visit_due is None
    assert moved.closed_on == TODAY()
    change = ResidentStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.actor) == (
        "active", "moved", demo.user("village1")
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        resident_set_status(resident=moved, actor=demo.user("grid1"), status="active", reason="回")


def test_an_overdue_visit_is_on_my_visits_and_the_township_report(demo):
    staff = responsible_grid1(demo)
    resident = register(demo, responsible=staff)
    Resident.objects.filter(pk=resident.pk).update(next_visit_due=TODAY() - timedelta(days=3))
    assert list(visits_due_for(user=demo.user("grid1"))) == [resident]
    assert list(visits_overdue(user=demo.user("township1"), area=demo.township1)) == [resident]
    assert list(visits_overdue(user=demo.user("township2"))) == []
    visit(resident, demo.user("grid1"))
    assert list(visits_overdue(user=demo.user("township1"))) == []
    # Still on my list, as due in a week (a high-risk person is visited weekly), not overdue.
    assert [r.next_visit_due for r in visits_due_for(user=demo.user("grid1"))] == [
        TODAY() + timedelta(days=7)
    ]


def test_reminders_go_once_per_due_date_to_the_responsible_worker(demo):
    staff = responsible_grid1(demo)
    resident = register(demo, responsible=staff)
    nobody = register(demo, id_number=ID_B)  # nobody responsible: nobody to remind
    Resident.objects.filter(pk__in=[resident.pk, nobody.pk]).update(next_visit_due=TODAY())
    assert visit_reminders_send() == 1
    assert visit_reminders_send() == 0  # a second run (or a second worker) sends nothing
    notes = Notification.objects.filter(kind=NotificationKind.VISIT_DUE)
    assert [n.recipient for n in notes] == [demo.user("grid1")]
    # A visit made late moves the due date; when that one comes, they hear again.
    Resident.objects.filter(pk=resident.pk).update(next_visit_due=TODAY() + timedelta(days=1))
    assert visit_reminders_send() == 1
    assert Notification.objects.filter(kind=NotificationKind.VISIT_DUE).count() == 2


def test_the_months_visit_completion_counts_the_overdue_and_the_ranking_scores_it(demo):
    last_month = (TODAY().replace(day=1) - timedelta(days=1)).replace(day=1)
    end = month_end(last_month)
    on_time = registered_long_ago(register(demo), 400)  # weekly visits
    overdue = registered_long_ago(register(demo, id_number=ID_B), 400)
    # on_time was visited three days before the month's end; overdue a month before it.
    Visit.objects.bulk_create(
        [
            Visit(client_uuid=uuid.uuid4(), resident=on_time, visited_on=end - timedelta(3),
                  risk_before="high", risk_after="high", recorded_by=demo.user("grid1")),
            Visit(client_uuid=uuid.uuid4(), resident=overdue, visited_on=end - timedelta(30),
                  risk_before="high", risk_after="high", recorded_by=demo.user("grid1")),
        ]
    )  # fmt: skip
    assert visit_completion(county=demo.county, month_end=end) == {demo.village1.pk: (1, 2)}
    snapshot = rankings_compute(county=demo.county, month=last_month)
    village = snapshot.rows.get(area=demo.village1)
    township = snapshot.rows.get(area=demo.township1)
    assert Decimal(village.values["visit-completion"]["value"]) == 50
    assert village.values["visit-completion"]["numerator"] == 1
    assert township.values["visit-completion"]["denominator"] == 2
    # Moved away before the month ended: no longer counted.
    Resident.objects.filter(pk=overdue.pk).update(status="moved", closed_on=end - timedelta(5))
    assert visit_completion(county=demo.county, month_end=end) == {demo.village1.pk: (1, 1)}


def test_a_county_cycle_moves_the_next_visits_of_its_residents(demo):
    resident = register(demo)
    moved = visit_cycles_set(
        county=demo.county, days={(ResidentCategory.RELEASED_PRISONER, RiskLevel.HIGH): 3}
    )
    resident.refresh_from_db()
    assert moved == 1 and resident.next_visit_due == TODAY() + timedelta(days=3)
    with pytest.raises(ValidationError):
        visit_cycles_set(county=demo.county, days={("drug_user", "high"): 0})


def test_a_visits_situation_is_ciphertext_in_the_table(demo):
    resident = register(demo)
    visit(resident, demo.user("grid1"), situation="服药不规律，情绪低落")
    with connection.cursor() as cursor:
        cursor.execute("SELECT situation FROM grids_visit")
        (raw,) = cursor.fetchone()
    assert "服药" not in raw and raw.startswith("gAAAA")  # a Fernet token
    assert Visit.objects.get().situation == "服药不规律，情绪低落"


# The API


def test_the_api_records_a_visit_once_and_answers_bad_input_with_field_messages(client, demo):
    resident = register(demo)
    client.force_login(demo.user("grid1"))
    url = reverse("api_resident_visits", args=[resident.pk])
    body = {"client_uuid": str(uuid.uuid4()), "met": True, "situation": "在家，情绪稳定"}
    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json()["id"] == again.json()["id"] and Visit.objects.count() == 1
    assert first.json()["next_visit_due"] == str(TODAY() + timedelta(days=7))
    assert first["Cache-Control"] == "no-store"
    future = str(TODAY() + timedelta(days=1))
    bad = client.post(
        url,
        {"client_uuid": str(uuid.uuid4()), "visited_on": future, "raise_case": {"title": "x"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "raise_case" in bad.json()
    bad = client.post(
        url,
        {"client_uuid": str(uuid.uuid4()), "visited_on": future},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "visited_on" in bad.json()
    listed = client.get(url)
    assert listed.status_code == 200 and [v["id"] for v in listed.json()] == [first.json()["id"]]
    client.force_login(demo.user("township2"))
    assert client.post(url, body, content_type="application/json").status_code == 404
    assert client.get(url).status_code == 404


def test_reminder_task_runs_through_celery(demo, settings):
    from residents.tasks import remind_visits_task

    staff = responsible_grid1(demo)
    resident = register(demo, responsible=staff)
    Resident.objects.filter(pk=resident.pk).update(next_visit_due=TODAY() - timedelta(days=1))
    assert remind_visits_task.apply().get() == 1
