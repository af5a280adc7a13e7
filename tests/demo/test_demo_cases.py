"""The demo's year of cases: made by the case services, spread over the months, in realistic
proportions, consistent in time and in jurisdiction. One tiny demo serves the whole module."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from demo.seed import case_counts, seed_cases
from disputes.models import OPEN_STATUSES, Assignment, Case, CaseEvent, CaseLevel, CaseStatus
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from grids.jurisdiction import can_report, can_see
from grids.models import Area
from notifications.models import Notification
from personnel.models import User
from supervision.models import Meeting

FINISHED = (CaseStatus.CLOSED, CaseStatus.EVALUATED)


@pytest.fixture(scope="module")
def tiny_year(django_db_setup, django_db_blocker):
    """`seed_demo --scale tiny --if-empty` once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command(
                "seed_demo", "--scale", "tiny", "--if-empty", "--force", stdout=io.StringIO()
            )
        yield
        transaction.set_rollback(True)


@pytest.fixture
def cases(tiny_year, db) -> list[Case]:
    return list(Case.objects.select_related("grid__parent__parent__parent", "reporter__area"))


def timelines() -> dict[int, list[CaseEvent]]:
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("id"):
        events[event.case_id].append(event)
    return events


def test_every_case_begins_with_a_report_and_stands_where_its_last_event_left_it(cases):
    events = timelines()
    assert len(cases) >= 60
    for case in cases:
        first, last = events[case.pk][0], events[case.pk][-1]
        assert (first.action, first.from_status, first.level) == ("report", "", "village")
        assert (case.status, case.level) == (last.to_status, last.level), case.pk


def test_timelines_run_forward_from_the_report_and_the_stamps_match_them(cases):
    events = timelines()
    for case in cases:
        stamps = [event.created_at for event in events[case.pk]]
        assert stamps == sorted(stamps), case.pk
        assert timedelta(0) <= stamps[0] - case.created_at < timedelta(seconds=1)
        assert case.updated_at >= stamps[-1] - timedelta(seconds=1)
        by_action = {event.action: event.created_at for event in events[case.pk]}
        if case.closed_at:
            assert abs(case.closed_at - by_action["close"]) < timedelta(seconds=1)
        if case.resolved_at:
            assert abs(case.resolved_at - by_action["resolve"]) < timedelta(seconds=1)
    # Handling takes hours and days, not the milliseconds the replay itself took.
    days = [(c.closed_at - c.created_at).total_seconds() / 86400 for c in cases if c.closed_at]
    assert 0.5 < sorted(days)[len(days) // 2] < 10


def test_the_year_spreads_over_the_months_and_ends_now(cases):
    now = timezone.now()
    reported = [case.created_at for case in cases]
    assert min(reported) > now - timedelta(days=366) and max(reported) <= now
    months = {timezone.localtime(moment).strftime("%Y-%m") for moment in reported}
    assert len(months) >= 9


def test_most_cases_are_settled_in_the_village_and_some_go_further(cases):
    counts = Counter((case.level, case.status) for case in cases if case.status != "merged")
    total = sum(counts.values())
    village_settled = sum(counts[(CaseLevel.VILLAGE, status)] for status in FINISHED)
    escalated = sum(n for (level, _status), n in counts.items() if level != CaseLevel.VILLAGE)
    assert village_settled / total > 0.6
    assert 0.08 < escalated / total < 0.35
    assert sum(n for (level, _status), n in counts.items() if level == CaseLevel.COUNTY) >= 1
    assert any(case.status in OPEN_STATUSES for case in cases)
    assert any(case.supervised for case in cases)
    assert any(case.status == CaseStatus.MERGED and case.merged_into for case in cases)
    assert CaseEvent.objects.filter(action="escalate").exists()
    assert CaseEvent.objects.filter(action="escalate_overdue").exists()
    assert Case.objects.filter(overdue=True).exists()


def test_every_case_stores_its_grids_own_ancestors(cases):
    for case in cases:
        village = case.grid.parent
        assert (case.village_id, case.township_id) == (village.pk, village.parent_id)
        assert case.county_id == village.parent.parent_id
    assert len({case.county_id for case in cases}) == 1


def test_reporters_could_report_in_their_grid_and_handlers_serve_the_case(cases):
    for case in cases:
        assert can_report(case.reporter) and can_see(case.reporter, case.grid), case.pk
    handled = Assignment.objects.exclude(handler=None).select_related("handler", "case__grid")
    assert handled.exists()
    for assignment in handled:
        case, handler = assignment.case, assignment.handler
        # Posted where the case is, as the handler candidates offered on the case page are.
        assert handler.area_id in (case.grid_id, case.village_id, case.township_id)
        assert can_see(handler, case.grid)
    # Demo accounts take part where they are posted.
    reporters = {case.reporter.username for case in cases}
    assert reporters & {"grid1", "member1", "village1", "police1"}


def test_parties_have_names_valid_mobiles_and_valid_id_numbers(cases):
    parties = [party for case in cases for party in case.parties]
    assert any("id_number" in party for party in parties)
    for party in parties:
        assert party["name"] and party["role"]
        assert "phone" not in party or mobile_is_valid(party["phone"])
        assert "id_number" not in party or id_number_is_valid(party["id_number"])


def test_old_notifications_are_read_and_demo_accounts_keep_a_few_unread(tiny_year, db):
    assert Notification.objects.exists()
    unread = Notification.objects.filter(read_at=None)
    assert unread.count() < Notification.objects.count() / 4
    for user in User.objects.filter(pk__in=unread.values("recipient")):
        assert user.has_usable_password(), user.username
        assert unread.filter(recipient=user).count() <= 6


def test_seed_demo_if_empty_a_second_time_adds_nothing(tiny_year, db):
    before = (Area.objects.count(), User.objects.count(), Case.objects.count())
    call_command("seed_demo", "--scale", "tiny", "--if-empty", stdout=io.StringIO())
    assert (Area.objects.count(), User.objects.count(), Case.objects.count()) == before


def test_the_same_seed_and_moment_give_the_same_year(tiny_year, db):
    def replay() -> tuple:
        Meeting.objects.all().delete()  # its items name cases
        Notification.objects.all().delete()
        Case.objects.exclude(merged_into=None).delete()
        Case.objects.all().delete()
        seed_cases(scale="tiny", seed=2026, now=now)
        titles = sorted(Case.objects.values_list("title", flat=True))
        return case_counts(), CaseEvent.objects.count(), titles

    now = timezone.now() - timedelta(hours=5)
    first = replay()
    assert first == replay()


def test_the_year_ends_with_twelve_published_rankings_and_some_vetoed_villages(tiny_year, db):
    from assessment.models import RankingSnapshot, SnapshotStatus
    from assessment.services.incidents import three_zero_failures
    from governance.platform.months import previous_month

    snapshots = list(RankingSnapshot.objects.order_by("month"))
    this_month = timezone.localdate().replace(day=1)
    assert len(snapshots) == 12
    assert all(s.status == SnapshotStatus.PUBLISHED and s.version == 1 for s in snapshots)
    assert snapshots[-1].month == previous_month(this_month)
    vetoed = 0
    for snapshot in snapshots:
        failures = three_zero_failures(month=snapshot.month)
        rows = list(snapshot.rows.all())
        assert {r.area_id for r in rows if r.veto} == set(failures) & {r.area_id for r in rows}
        assert not any(r.safe_candidate for r in rows if r.veto)
        vetoed += sum(1 for r in rows if r.veto and r.level == "village")
        assert sum(r.figures["counted"] for r in rows if r.level == "township") == (
            Case.objects.filter(
                created_at__date__gte=snapshot.month,
                created_at__date__lt=snapshot.month.replace(day=28) + timedelta(days=4),
            )
            .exclude(status=CaseStatus.MERGED)
            .filter(created_at__month=snapshot.month.month)
            .count()
        )
    assert vetoed >= 3
    # From the second month on, every ranked row knows its change since last month (a
    # vetoed area has no rank, in the month it failed "三零" and as last month's).
    ranked_before = {r.area_id for r in snapshots[0].rows.all() if not r.veto}
    assert all(
        r.previous_rank is not None
        for r in snapshots[1].rows.all()
        if not r.veto and r.area_id in ranked_before
    )
