"""The demo's campaigns, urgent instructions, analysis meetings and supervision inspections
(demo.campaigns and .meetings) at tiny scale: last summer's home visits finished
by that day's grid workers, today's campaign with grid1's task still to do, receipts that add
up, meetings on cases open that morning whose decisions are the cases' own timeline entries,
inspections feeding the published ranking, and all of it the same again for the same seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django.utils import timezone

from assessment.models import RankingRow, SnapshotStatus
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Instruction,
    InstructionReceipt,
    TargetMode,
    TaskStatus,
)
from campaigns.selectors import (
    campaign_curve,
    campaign_progress,
    campaign_unassigned,
    my_tasks,
)
from campaigns.services.instructions import receipt_summary
from demo.campaigns import PUPILS_PER_HOUSEHOLD, local
from demo.meetings import HELD_AT
from demo.seed import DemoSeed, seed_demo
from disputes.models import Case, CaseEvent
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaLevel
from notifications.models import Delivery, Notification
from personnel.models import Post, PostKind, User
from personnel.selectors import posts_open_on
from supervision.models import (
    Decision,
    Inspection,
    InspectionProblem,
    Meeting,
    MeetingCase,
    MeetingLevel,
    ProblemStatus,
)
from supervision.services.meetings import meetings_of_case

NOW = timezone.now() - timedelta(minutes=30)
TODAY = timezone.localdate(NOW)


@dataclass
class Seeded:
    result: DemoSeed
    first: tuple  # the fingerprint of a first seeding, rolled back
    second: tuple  # of the seeding the tests look at


def fingerprint() -> tuple:
    """What the seeding wrote, by natural keys (primary keys differ between databases)."""
    campaigns = [
        (
            c.title,
            c.status,
            c.area.code,
            c.starts_at,
            c.deadline,
            sorted(c.targets.values_list("row", "name", "detail", "grid__code")),
            sorted(
                c.tasks.values_list(
                    "target__row", "staff__id_number", "status", "result", "done_at"
                ),
                key=str,
            ),
        )
        for c in Campaign.objects.select_related("area").order_by("starts_at", "title")
    ]
    instructions = [
        (
            i.title,
            i.body,
            i.area.code,
            i.created_at,
            sorted(
                i.receipts.values_list("staff__id_number", "read_at", "confirmed_by__username"),
                key=str,
            ),
        )
        for i in Instruction.objects.select_related("area").order_by("created_at")
    ]
    meetings = sorted(
        (
            m.level,
            m.area.code,
            m.held_on,
            m.chair,
            tuple(m.units),
            m.summary,
            tuple(
                m.items.values_list(
                    "case__client_uuid", "judgement", "decision", "note", "event__action"
                )
            ),
        )
        for m in Meeting.objects.select_related("area")
    )
    inspections = sorted(
        (
            i.area.code,
            i.inspected_on,
            i.score,
            i.inspectors,
            i.summary,
            tuple(i.items.values_list("text", "passed", "note")),
            tuple(i.problems.values_list("description", "fix_by", "status", "fixed_on")),
        )
        for i in Inspection.objects.select_related("area")
    )
    return campaigns, instructions, meetings, inspections


def seed() -> DemoSeed:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return seed_demo(scale="tiny", seed=2026, now=NOW)


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker) -> Seeded:
    """The tiny demo seeded twice at the same moment: the first rolled back at once, the
    second for the module (rolled back at its end)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            seed()
            first = fingerprint()
            transaction.set_rollback(True)
        with transaction.atomic():
            result = seed()
            yield Seeded(result, first, fingerprint())
            transaction.set_rollback(True)


@pytest.fixture
def seeded(tiny, db) -> Seeded:
    return tiny


def summer() -> Campaign:
    return Campaign.objects.select_related("area").get(status=CampaignStatus.FINISHED)


def user(username: str) -> User:
    return User.objects.get(username=username)


# --- Campaigns ------------------------------------------------------------------------------


def test_the_summer_campaign_covers_one_pupil_per_twenty_households_county_wide(seeded):
    campaign = summer()
    county = campaign.area
    assert county.level == AreaLevel.COUNTY
    assert "防溺水" in campaign.title and campaign.target_mode == TargetMode.ITEMS
    assert campaign.targets.count() == round(county.households * PUPILS_PER_HOUSEHOLD)
    assert campaign.tasks.count() == campaign.targets.count()
    assert seeded.result.counts["summer_campaign_targets"] == campaign.targets.count()
    for name, detail in campaign.targets.values_list("name", "detail"):
        assert 2 <= len(name) <= 4 and " · " in detail
    assert campaign.created_by.role == Role.COUNTY_CENTRE


def test_the_summer_campaign_ran_four_hours_last_july_and_is_finished(seeded):
    campaign = summer()
    start = timezone.localtime(campaign.starts_at)
    assert start.month == 7 and start.date() < TODAY - timedelta(days=30)
    assert campaign.launched_at == campaign.starts_at
    assert campaign.deadline - campaign.starts_at == timedelta(hours=4)
    assert campaign.finished_at == campaign.deadline
    assert campaign.starts_at < campaign.deadline_reminded_at < campaign.deadline
    assert campaign.created_at < campaign.starts_at
    assert not campaign.tasks.exclude(created_at=campaign.starts_at).exists()
    assert seeded.result.seconds["campaign_launch"] > 0


def test_every_home_went_to_that_days_grid_worker_or_is_listed_for_the_village(seeded):
    campaign = summer()
    day = timezone.localdate(campaign.starts_at)
    on_duty = dict(
        Post.objects.filter(posts_open_on(day), kind=PostKind.GRID_WORKER).values_list(
            "area_id", "staff_id"
        )
    )
    tasks = list(campaign.tasks.select_related("target", "area"))
    for task in tasks:
        assert task.area_id == task.target.grid_id
        assert task.village_id == task.area.parent_id
        assert task.staff_id == on_duty.get(task.area_id)
    county_centre = campaign.created_by
    unassigned = campaign_unassigned(campaign=campaign, user=county_centre)
    assert {t.pk for t in unassigned} == {t.pk for t in tasks if t.staff_id is None}


def test_about_97_percent_were_done_along_the_four_hours_by_the_assignee(seeded):
    campaign = summer()
    centre = campaign.created_by
    progress = campaign_progress(campaign=campaign, user=centre)
    assert progress.total == campaign.tasks.count()
    assert progress.done == seeded.result.counts["summer_campaign_done"]
    assert 0.85 <= progress.done / progress.total <= 1
    for task in campaign.tasks.select_related("staff"):
        if task.status == TaskStatus.PENDING:
            assert task.done_at is None and task.done_by_id is None
            continue
        assert campaign.starts_at < task.done_at < campaign.deadline
        assert task.result and task.client_uuid
        if task.staff is not None and task.staff.user_id:
            assert task.done_by_id == task.staff.user_id
        else:  # no grid worker, or one without a login: the village's staff did it
            done_by = User.objects.get(pk=task.done_by_id)
            assert done_by.role == Role.VILLAGE_STAFF and done_by.area_id == task.village_id
    points = campaign_curve(campaign=campaign, user=centre).points
    assert points[-1][1] == progress.done
    assert [n for _hour, n in points] == sorted(n for _hour, n in points)


def test_the_launch_told_the_grid_workers_of_the_historical_deadline_and_sent_nothing(seeded):
    campaign = summer()
    deadline = timezone.localtime(campaign.deadline).strftime("%Y-%m-%d %H:%M")
    notices = Notification.objects.filter(text__contains=campaign.title)
    assert notices.exists()
    for notice in notices:
        assert deadline in notice.text
        assert notice.created_at == campaign.launched_at and notice.read_at is not None
    assert not Delivery.objects.exists()


def test_todays_campaign_is_running_with_grid1_still_to_report(seeded):
    running = Campaign.objects.get(status=CampaignStatus.RUNNING)
    township1 = user("township1")
    assert running.area_id == township1.area_id and running.created_by == township1
    assert running.target_mode == TargetMode.EACH_PARTICIPANT
    assert running.launched_at < NOW < running.deadline
    assert timezone.localdate(running.deadline) == timezone.localdate(running.launched_at) + (
        timedelta(days=1)
    )
    mine = list(my_tasks(user=user("grid1")))
    assert [t.campaign_id for t in mine] == [running.pk]
    assert mine[0].status == TaskStatus.PENDING
    done = running.tasks.filter(status=TaskStatus.DONE)
    assert 0 < done.count() < running.tasks.count()
    for task in done:
        assert running.launched_at < task.done_at <= NOW and task.done_by_id


def test_a_draft_of_the_township_has_a_few_targets_and_no_tasks(seeded):
    draft = Campaign.objects.get(status=CampaignStatus.DRAFT)
    assert draft.area == user("township1").area
    assert 0 < draft.targets.count() <= 24 and not draft.tasks.exists()
    assert draft.starts_at > NOW


# --- Instructions ---------------------------------------------------------------------------


def test_instruction_receipts_add_up_and_everyone_with_a_login_read_them(seeded):
    centre = user("centre")
    instructions = list(Instruction.objects.order_by("created_at"))
    assert 3 <= len(instructions) <= 4
    assert all(i.created_at < NOW - timedelta(days=7) for i in instructions)
    township_centres = dict(
        User.objects.filter(role=Role.TOWNSHIP_CENTRE).values_list("pk", "area_id")
    )
    for instruction in instructions:
        summary = receipt_summary(instruction=instruction, user=centre)
        assert summary.recipients == instruction.recipient_count > 0
        assert summary.read + summary.unread == summary.recipients
        assert summary.read >= summary.with_login
        receipts = InstructionReceipt.objects.filter(instruction=instruction).select_related("area")
        for receipt in receipts:
            if receipt.read_at is not None:
                assert instruction.created_at < receipt.read_at <= NOW
            if receipt.confirmed_by_id is not None:
                assert receipt.user_id is None and receipt.read_at is not None
                township = receipt.area if receipt.area.level == AreaLevel.TOWNSHIP else None
                township_id = township.pk if township else receipt.area.parent_id
                assert township_centres[receipt.confirmed_by_id] == township_id
        inbox = Notification.objects.filter(instruction=instruction)
        assert inbox.count() == summary.with_login
        for notice in inbox:
            assert notice.created_at == instruction.created_at
            assert notice.read_at == receipts.get(user=notice.recipient).read_at
    unread = InstructionReceipt.objects.filter(read_at=None)
    assert unread.exists() and not unread.filter(user__isnull=False).exists()


# --- Meetings -------------------------------------------------------------------------------


def moment(meeting: Meeting) -> datetime:
    return local(meeting.held_on, *HELD_AT[meeting.level])


def test_a_year_of_meetings_at_every_level(seeded):
    county = user("centre").area
    townships = list(county.children.all())
    meetings = Meeting.objects.all()
    monthly = meetings.filter(level=MeetingLevel.COUNTY_MONTHLY)
    assert monthly.count() == 12 and set(monthly.values_list("area", flat=True)) == {county.pk}
    for township in townships:
        weekly = meetings.filter(level=MeetingLevel.LEADERSHIP_WEEKLY, area=township)
        daily = meetings.filter(level=MeetingLevel.TOWNSHIP_DAILY, area=township)
        assert weekly.count() == 52
        assert 30 <= daily.count() <= 41
        assert all(d.weekday() < 5 for d in daily.values_list("held_on", flat=True))
    assert not meetings.filter(held_on__gt=TODAY).exists()
    # The weekly ones go back 52 weeks from this week's Monday: up to 370 days on a Sunday.
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert not meetings.filter(held_on__lt=monday - timedelta(weeks=52)).exists()
    others = meetings.exclude(level=MeetingLevel.LEADERSHIP_WEEKLY)
    assert not others.filter(held_on__lt=TODAY - timedelta(days=366)).exists()
    assert MeetingCase.objects.values("meeting__level").distinct().count() == 3


def test_meetings_discuss_cases_of_their_area_open_that_morning(seeded):
    items = MeetingCase.objects.select_related("meeting__area", "case__grid")
    assert items.exists()
    for item in items:
        meeting, case = item.meeting, item.case
        assert tree.is_within(case.grid, meeting.area)
        if meeting.created_at > NOW:  # this week's, recorded through the service
            continue
        held = moment(meeting)
        assert case.created_at < held
        for ended in (case.resolved_at, case.closed_at):
            assert ended is None or ended > held
        if case.criminal_risk:
            assert item.judgement == "key_attention" and "criminal" in item.risk_flags


def test_historical_decisions_are_the_cases_own_assignments_and_supervisions(seeded):
    decided = MeetingCase.objects.exclude(decision=Decision.WATCH).select_related(
        "meeting", "event__actor"
    )
    historical = [item for item in decided if item.meeting.created_at <= NOW]
    assert historical
    for item in historical:
        event = item.event
        assert event is not None and event.case_id == item.case_id
        assert event.action == item.decision
        assert moment(item.meeting) < event.created_at <= moment(item.meeting) + timedelta(days=2)
        if item.meeting.level == MeetingLevel.COUNTY_MONTHLY:
            assert event.actor.role in (Role.COUNTY_CENTRE, Role.COUNTY_ADMIN)
        else:
            assert event.actor.role == Role.TOWNSHIP_CENTRE
        assert "source" not in event.data  # history is not rewritten
    events = [item.event_id for item in decided]
    assert len(events) == len(set(events))


def test_this_weeks_meeting_assigned_and_supervised_through_the_case_workflow(seeded):
    township1 = user("township1")
    meeting = Meeting.objects.get(
        level=MeetingLevel.TOWNSHIP_DAILY, area=township1.area, created_at__gt=NOW
    )
    assert TODAY - timedelta(days=2) <= meeting.held_on <= TODAY
    assert meeting.created_by == township1
    decisions = {item.decision: item for item in meeting.items.select_related("event", "case")}
    assert {Decision.ASSIGN, Decision.SUPERVISE} <= set(decisions)
    for decision in (Decision.ASSIGN, Decision.SUPERVISE):
        item = decisions[decision]
        event = item.event
        assert event.action == decision and event.actor == township1
        assert event.data["source"]["meeting"] == meeting.pk
        assert CaseEvent.objects.filter(case=item.case, pk=event.pk).exists()
        assert meeting in [m.meeting for m in meetings_of_case(case=item.case, user=township1)]
    assert Case.objects.get(pk=decisions[Decision.SUPERVISE].case_id).supervised
    assert decisions[Decision.ASSIGN].case.status == "assigned"


# --- Inspections ----------------------------------------------------------------------------


def test_inspections_have_as_many_problems_as_failed_items_and_most_are_fixed(seeded):
    inspections = list(Inspection.objects.prefetch_related("items", "problems"))
    townships = Area.objects.filter(level=AreaLevel.TOWNSHIP)
    for township in townships:
        dates = sorted(i.inspected_on for i in inspections if i.area_id == township.pk)
        assert 4 <= len(dates) <= 8
    assert any(i.area.level == AreaLevel.VILLAGE for i in inspections)
    for inspection in inspections:
        assert Decimal(70) <= inspection.score <= Decimal(100)
        failed = [item for item in inspection.items.all() if not item.passed]
        assert len(failed) == sum(inspection.score < floor for floor in (95, 88, 80))
        assert all(item.note for item in failed)
        assert len(inspection.problems.all()) == len(failed)
        for problem in inspection.problems.all():
            assert 14 <= (problem.fix_by - inspection.inspected_on).days <= 28
            if problem.status == ProblemStatus.FIXED:
                assert inspection.inspected_on < problem.fixed_on < TODAY
                assert problem.fix_note and problem.fixed_by.role == Role.TOWNSHIP_CENTRE
    old = InspectionProblem.objects.filter(inspection__inspected_on__lt=TODAY - timedelta(days=31))
    fixed = old.filter(status=ProblemStatus.FIXED).count()
    assert fixed > old.count() / 2
    assert InspectionProblem.objects.filter(status=ProblemStatus.OPEN, fix_by__lt=TODAY).exists()


def test_inspections_feed_the_published_rankings_supervision_value(seeded):
    this_month = TODAY.replace(day=1)
    checked = 0
    for inspection in Inspection.objects.filter(
        area__level=AreaLevel.TOWNSHIP, inspected_on__lt=this_month
    ):
        month = inspection.inspected_on.replace(day=1)
        row = RankingRow.objects.filter(
            snapshot__month=month,
            snapshot__status=SnapshotStatus.PUBLISHED,
            area=inspection.area,
        ).first()
        if row is None:
            continue
        # A township's value averages its own inspections and its villages' together.
        scores = Inspection.objects.filter(
            Q(area=inspection.area) | Q(area__parent=inspection.area),
            inspected_on__gte=month,
            inspected_on__lt=(month + timedelta(days=32)).replace(day=1),
        ).values_list("score", flat=True)
        average = (sum(scores) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(row.values["supervision-inspection"]["value"]) == average
        checked += 1
    assert checked >= 3


# --- The whole ------------------------------------------------------------------------------


def test_the_same_seed_and_moment_give_the_same_campaigns_meetings_and_inspections(seeded):
    assert seeded.first == seeded.second
    campaigns, instructions, meetings, inspections = seeded.second
    assert len(campaigns) == 3 and instructions and meetings and inspections


def test_the_steps_are_timed_and_counted(seeded):
    seconds, counts = seeded.result.seconds, seeded.result.counts
    for step in ("inspections", "campaigns", "meetings", "campaign_launch"):
        assert step in seconds
    assert counts["meetings"] == Meeting.objects.count()
    assert counts["inspections"] == Inspection.objects.count()
    assert counts["instructions"] == Instruction.objects.count()
    assert counts["campaigns"] == Campaign.objects.count()
