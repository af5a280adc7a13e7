"""Automatic escalation of overdue cases: exactly once per level, set-based."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseEvent, CaseLevel, CaseStatus, Category
from disputes.sweeps import escalate_overdue
from tests.conftest import build_demo


def overdue_cases(demo, count: int) -> list[int]:
    """`count` open cases at village level whose deadline passed an hour ago."""
    first = services.case_report(
        reporter=demo.user("grid1"),
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=Category.objects.get(code="neighbour"),
        title="邻里噪音纠纷",
        description="楼上楼下噪音纠纷。",
        grid=demo.grid1,
    ).case
    template = {
        f.attname: getattr(first, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "client_uuid")
    }
    Case.objects.bulk_create(
        [Case(**template, client_uuid=uuid.uuid4()) for _ in range(count - 1)], batch_size=2000
    )
    Case.objects.update(deadline=timezone.now() - timedelta(hours=1))
    return list(Case.objects.values_list("id", flat=True))


def test_an_overdue_case_moves_up_once_with_a_new_deadline_and_an_event(demo):
    overdue_cases(demo, 3)
    fresh = services.case_report(
        reporter=demo.user("grid1"),
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=Category.objects.get(code="debt"),
        title="借款纠纷",
        description="未到期",
        grid=demo.grid1,
    ).case
    assert escalate_overdue() == {"escalated": 3, "flagged": 0}
    assert escalate_overdue() == {"escalated": 0, "flagged": 0}
    moved = Case.objects.exclude(pk=fresh.pk)
    assert set(moved.values_list("level", "status")) == {(CaseLevel.TOWNSHIP, CaseStatus.REPORTED)}
    assert all(c.deadline > timezone.now() + timedelta(hours=160) for c in moved)
    assert CaseEvent.objects.filter(action="escalate_overdue").count() == 3
    fresh.refresh_from_db()
    assert fresh.level == CaseLevel.VILLAGE


def test_overdue_at_township_goes_to_county_and_then_is_flagged_not_moved(demo):
    overdue_cases(demo, 2)
    escalate_overdue()
    Case.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    assert escalate_overdue()["escalated"] == 2
    Case.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    assert escalate_overdue() == {"escalated": 0, "flagged": 2}
    assert escalate_overdue() == {"escalated": 0, "flagged": 0}
    assert set(Case.objects.values_list("level", "overdue")) == {(CaseLevel.COUNTY, True)}
    actions = list(Case.objects.first().events.values_list("action", flat=True))
    assert actions == ["report", "escalate_overdue", "escalate_overdue", "flag_overdue"]


def test_closed_cases_are_never_escalated(demo):
    ids = overdue_cases(demo, 2)
    Case.objects.filter(pk=ids[0]).update(status=CaseStatus.RESOLVED)
    assert escalate_overdue()["escalated"] == 1


def test_ten_thousand_overdue_cases_go_up_in_one_run_with_a_handful_of_statements(demo):
    overdue_cases(demo, 10_000)
    with CaptureQueriesContext(connection) as queries:
        counts = escalate_overdue()
    assert counts["escalated"] == 10_000
    # A per-row loop takes three statements a case (30,000); batches take a few dozen on
    # PostgreSQL, and about a hundred on SQLite, whose inserts hold at most 999 values.
    assert len(queries) < 10_000 / 50, len(queries)
    assert Case.objects.filter(level=CaseLevel.TOWNSHIP).count() == 10_000
    assert CaseEvent.objects.filter(action="escalate_overdue").count() == 10_000


def test_the_command_runs_the_sweep(demo, capsys):
    overdue_cases(demo, 2)
    call_command("escalate_overdue")
    assert "2 escalated" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_case_exactly_once():
    demo = build_demo()
    overdue_cases(demo, 3000)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(escalate_overdue(batch_size=500))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r["escalated"] for r in results) == 3000
    assert CaseEvent.objects.filter(action="escalate_overdue").count() == 3000
    assert Case.objects.filter(level=CaseLevel.TOWNSHIP).count() == 3000
