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
from disputes.models import Assignment, Case, CaseEvent, CaseLevel, CaseStatus, Category
from disputes.services.sweeps import escalate_overdue, warn_deadlines
from notifications.models import Delivery, Notification
from tests.factories import build_demo, overdue_cases
from tests.support import chain_statements


def reported_case(demo) -> Case:
    return services.case_report(
        reporter=demo.user("grid1"),
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=Category.objects.get(code="neighbour"),
        title="邻里噪音纠纷",
        description="楼上楼下噪音纠纷。",
        grid=demo.grid1,
    ).case


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


def test_the_sweeps_events_carry_the_sweeps_own_time(demo):
    overdue_cases(demo, 2)
    at = timezone.now() + timedelta(minutes=7)
    escalate_overdue(now=at)
    stamps = set(CaseEvent.objects.filter(action="escalate_overdue").values_list("created_at"))
    assert stamps == {(at,)}


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


def centre_inbox(username: str) -> list[tuple[str, int]]:
    return list(
        Notification.objects.filter(recipient__username=username)
        .order_by("id")
        .values_list("kind", "case_id")
    )


def test_the_sweep_tells_the_centre_of_each_new_level_and_then_the_county_of_overdue(demo):
    overdue_cases(demo, 3)
    Notification.objects.all().delete()  # the first report's notice to its village
    escalate_overdue()
    # One message for the three cases, to the list of them (tests/notifications).
    assert centre_inbox("township1") == [("escalated", None)]
    Case.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    escalate_overdue()
    assert centre_inbox("centre") == [("escalated", None)]
    Case.objects.update(deadline=timezone.now() - timedelta(minutes=1))
    escalate_overdue()
    assert centre_inbox("centre") == [("escalated", None), ("overdue", None)]
    assert Notification.objects.count() == 3  # nobody else: not township 2, not the admin


def test_a_centre_gets_one_message_for_a_whole_sweep_in_its_inbox_and_no_sms(demo):
    township = demo.user("township1")
    township.phone = "13912345678"
    township.save(update_fields=["phone"])
    ids = overdue_cases(demo, 12)
    Delivery.objects.all().delete()  # the first report's SMS to its village
    escalate_overdue()
    assert centre_inbox("township1") == [("escalated", None)]
    assert "12" in Notification.objects.get(recipient=township).text and len(ids) == 12
    assert not Delivery.objects.exists()  # a centre works at its desk: the inbox only


@pytest.mark.parametrize("count", [3, 60])
def test_the_sweeps_notifications_cost_the_same_statements_whatever_the_batch(
    demo, count, django_capture_on_commit_callbacks
):
    township = demo.user("township1")
    township.phone = "13800138002"
    township.save(update_fields=["phone"])
    ids = overdue_cases(demo, count)
    police = demo.user("police1")
    police.phone = "13800138003"
    police.save(update_fields=["phone"])
    Case.objects.filter(pk__in=ids).update(status=CaseStatus.ASSIGNED)
    Assignment.objects.bulk_create(
        Assignment(case_id=pk, line="police", unit="驻村警务室", handler=police, level="village")
        for pk in ids
    )
    with (
        django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        assert escalate_overdue()["escalated"] == count
    # The batch: claim, deadline rule, UPDATE cases, the handlers to tell, cancel
    # assignments, events, reload the batch, its centre staff, inbox rows, deliveries; then
    # three empty claims (village again, township, county); each batch in a savepoint here
    # (a transaction in production); and the batch's audit entries (tests/audit/test_audit.py).
    assert len(queries) == 10 + 3 + 4 * 2 + chain_statements(), [q["sql"][:60] for q in queries]
    assert len(callbacks) == 1  # one delivery task for the whole batch
    # One message each to the centre and the handler, however many cases; an SMS only to
    # the handler, a field role.
    assert Notification.objects.filter(kind="escalated").count() == 2
    assert list(Delivery.objects.values_list("notification__recipient", flat=True)) == [police.pk]


def assigned_case(demo) -> Case:
    centre = demo.user("township1")
    case = services.case_accept(case=reported_case(demo), actor=centre)
    return services.case_assign(
        case=case,
        actor=centre,
        lines=[{"line": "police", "unit": "驻村警务室", "handler": demo.user("police1")}],
    )


def warnings_to(username: str) -> int:
    return Notification.objects.filter(
        recipient__username=username, kind="deadline_warning"
    ).count()


def test_a_case_past_three_quarters_of_its_time_warns_its_handler_once(demo):
    case = assigned_case(demo)
    assert warn_deadlines(now=case.warn_at - timedelta(seconds=1)) == 0
    assert warn_deadlines(now=case.warn_at) == 1
    assert warn_deadlines(now=case.warn_at + timedelta(minutes=1)) == 0
    assert warnings_to("police1") == 1
    assert warnings_to("village1") == 0  # someone handles it: the centre is not bothered
    event = case.events.get(action="deadline_warning")
    assert event.actor is None and event.level == CaseLevel.VILLAGE and event.data["automatic"]


def test_a_case_nobody_handles_warns_its_levels_centre(demo):
    case = reported_case(demo)
    assert warn_deadlines(now=case.warn_at) == 1
    assert warnings_to("village1") == 1


def test_a_case_past_its_deadline_is_left_to_escalation_not_warned(demo):
    case = assigned_case(demo)
    assert warn_deadlines(now=case.deadline + timedelta(seconds=1)) == 0
    assert warnings_to("police1") == 0


def test_a_case_escalated_after_its_warning_is_warned_again_at_the_new_level(demo):
    case = assigned_case(demo)
    warn_deadlines(now=case.warn_at)
    case = services.case_escalate(case=case, actor=demo.user("village1"), reason="村级无法化解")
    assert warn_deadlines(now=case.warn_at - timedelta(seconds=1)) == 0
    assert warn_deadlines(now=case.warn_at) == 1
    assert warnings_to("police1") == 1 and warnings_to("township1") == 1
    assert case.events.filter(action="deadline_warning").count() == 2


@pytest.mark.parametrize("count", [2, 40])
def test_deadline_warnings_cost_the_same_statements_whatever_the_batch(demo, count):
    overdue_cases(demo, count)
    later = timezone.now() + timedelta(days=30)
    Case.objects.update(deadline=later + timedelta(hours=1), warn_at=later)
    with CaptureQueriesContext(connection) as queries:
        assert warn_deadlines(now=later) == count
    # The batch: claim, UPDATE, events, reload, handlers, centre staff and inbox rows; then
    # three empty claims (village again, township, county); each batch in a savepoint.
    assert len(queries) == 7 + 3 + 4 * 2, [q["sql"][:60] for q in queries]
    assert warnings_to("village1") == 1  # one message for the whole batch


def test_the_warn_command_runs_the_sweep(demo, capsys):
    case = assigned_case(demo)
    Case.objects.filter(pk=case.pk).update(warn_at=timezone.now() - timedelta(minutes=1))
    call_command("warn_deadlines")
    assert "1 " in capsys.readouterr().out
    assert warnings_to("police1") == 1


def test_a_case_the_sweep_escalates_after_its_warning_is_warned_again_at_the_new_level(demo):
    case = assigned_case(demo)
    warn_deadlines(now=case.warn_at)
    escalate_overdue(now=case.deadline + timedelta(seconds=1))
    case.refresh_from_db()
    assert case.level == CaseLevel.TOWNSHIP and not case.deadline_warned
    assert warn_deadlines(now=case.warn_at) == 1
    assert warnings_to("township1") == 1  # the assignment was cancelled: the centre hears


def test_the_sweeps_rule_table_gives_each_key_what_deadline_hours_gives_it(demo, other_county):
    from disputes.models import Category, DeadlineRule
    from disputes.services import categories_ensure_defaults
    from disputes.services.config import deadline_hours, deadline_hours_for

    categories_ensure_defaults(county=other_county)
    first, second = Category.objects.filter(county=demo.county).order_by("pk")[:2]
    theirs = Category.objects.get(county=other_county, code=first.code)
    DeadlineRule.objects.create(
        county=demo.county, category=first, severity="ordinary", level="township", hours=30
    )
    DeadlineRule.objects.create(
        county=demo.county, category=None, severity="attention", level="township", hours=20
    )
    DeadlineRule.objects.create(
        county=other_county, category=None, severity="ordinary", level="township", hours=10
    )
    keys = {
        (c.county_id, c.pk, s)
        for c in (first, second, theirs)
        for s in ("ordinary", "attention", "key_attention")
    }
    table = deadline_hours_for(keys=keys, level="township")
    assert table == {
        (county, c, s): deadline_hours(
            county_id=county, category_id=c, severity=s, level="township"
        )
        for county, c, s in keys
    }
    assert table[(demo.county.pk, first.pk, "ordinary")] == 30
    assert table[(demo.county.pk, second.pk, "attention")] == 20
    assert table[(other_county.pk, theirs.pk, "ordinary")] == 10
    assert table[(other_county.pk, theirs.pk, "attention")] == 120  # the default
