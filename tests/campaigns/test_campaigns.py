"""Campaigns 专项行动: the set-based launch (each target to its grid's worker, workerless grids
to the village), progress that always equals the task table, idempotent completion, the
reminders and the deadline sweep, and jurisdiction."""

from __future__ import annotations

import io
import random
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import CampaignStatus, CampaignTask, TargetMode, TaskStatus
from campaigns.selectors import (
    campaign_for,
    campaign_laggards,
    campaign_progress,
    campaign_unassigned,
    my_tasks,
    tasks_visible_to,
)
from campaigns.services.campaigns import (
    TargetRow,
    TaskInput,
    campaign_end,
    campaign_launch,
    campaign_remind,
    campaign_targets_set,
    campaigns_finish_due,
    campaigns_remind_before_deadline,
    targets_read,
    task_complete,
)
from disputes.models import Case, CaseKind, Category
from disputes.services import CaseDraft
from grids import tree
from grids.models import Area, AreaLevel
from notifications.models import Notification, NotificationKind
from personnel.models import Post, PostKind
from tests.factories import campaign_of, grids_of, rows_for

NOW = timezone.now


def worker_of(grid: Area):
    post = Post.objects.filter(area=grid, kind=PostKind.GRID_WORKER, end__isnull=True).first()
    return post.staff_id if post else None


@pytest.fixture
def launched(demo, roster):
    """A township campaign over every grid of township 1, three pupils per grid, with one
    grid's worker gone the day before the launch."""
    grids = grids_of(demo.township1)
    vacated = grids[-1]
    Post.objects.filter(area=vacated, kind=PostKind.GRID_WORKER, end__isnull=True).update(
        end=timezone.localdate() - timedelta(days=1), end_reason="resigned"
    )
    campaign = campaign_of(demo)
    campaign_targets_set(campaign=campaign, actor=demo.user("township1"), rows=rows_for(grids, 3))
    result = campaign_launch(campaign=campaign, actor=demo.user("township1"))
    campaign.refresh_from_db()
    return campaign, result, grids, vacated


def test_the_launch_gives_each_target_to_its_grids_worker_and_workerless_grids_to_the_village(
    demo, launched
):
    campaign, result, grids, vacated = launched
    assert campaign.status == CampaignStatus.RUNNING
    assert result.tasks == 3 * len(grids) == campaign.tasks.count()
    tasks = campaign.tasks.select_related("target", "area")
    for task in tasks:
        assert task.area_id == task.target.grid_id
        assert task.village_id == task.area.parent_id
        assert task.township_id == demo.township1.pk
        assert task.staff_id == worker_of(task.area)
    unassigned = list(campaign_unassigned(campaign=campaign, user=demo.user("township1")))
    assert {task.area_id for task in unassigned} == {vacated.pk} and result.unassigned == 3
    # The grid worker is told once, however many targets; the village staff of the
    # workerless grid's village hear of its three.
    told = Notification.objects.filter(kind=NotificationKind.CAMPAIGN_TASK)
    assert told.filter(recipient=demo.user("grid1")).count() == 1
    assert campaign.title in told.get(recipient=demo.user("grid1")).text
    assert told.filter(recipient=demo.user("village1")).exists() == (
        vacated.parent_id == demo.village1.pk
    )


def test_a_launch_of_twelve_thousand_targets_is_one_set_based_step(demo, roster):
    grids = grids_of(demo.county)
    per_grid = -(-12_000 // len(grids))
    rows = rows_for(grids, per_grid)[:12_000]
    campaign = campaign_of(demo, area=demo.county, actor="centre")
    campaign_targets_set(campaign=campaign, actor=demo.user("centre"), rows=rows)
    with CaptureQueriesContext(connection) as queries:
        result = campaign_launch(campaign=campaign, actor=demo.user("centre"))
    assert result.tasks == 12_000 == CampaignTask.objects.filter(campaign=campaign).count()
    # However many targets: a fixed handful of statements (the fan-out itself is one).
    assert len(queries) < 30
    task_table = connection.ops.quote_name(CampaignTask._meta.db_table)
    inserts = [q["sql"].strip() for q in queries.captured_queries]
    assert sum(sql.startswith(f"INSERT INTO {task_table}") for sql in inserts) == 1
    wrong = [t for t in campaign.tasks.select_related("target") if t.staff_id != worker_of(t.area)]
    assert not wrong


def test_progress_equals_the_task_tables_counts_at_every_moment(demo, launched):
    campaign, _result, _grids, _vacated = launched
    township = demo.user("township1")
    rng = random.Random(3)
    pending = list(campaign.tasks.select_related("staff__user", "campaign", "area"))
    rng.shuffle(pending)
    for step in range(3):
        for task in pending[step * 5 : step * 5 + 5]:
            task_complete(
                task=task,
                actor=township,
                data=TaskInput(client_uuid=uuid.uuid4(), result="已上门宣讲"),
            )
        progress = campaign_progress(campaign=campaign, user=township)
        tasks = list(CampaignTask.objects.filter(campaign=campaign).select_related("area"))
        done = [t for t in tasks if t.status == TaskStatus.DONE]
        assert (progress.done, progress.total) == (len(done), len(tasks))
        assert progress.done == (step + 1) * 5
        # The township's rows are its villages; each village's (drilled into), its grids.
        assert progress.area == demo.township1
        expected, measured = Counter(), Counter()
        for t in tasks:
            for level, area_id in (("village", t.village_id), ("grid", t.area_id)):
                expected[(level, area_id, "total")] += 1
                expected[(level, area_id, "done")] += t.status == TaskStatus.DONE
        villages = [row for row in progress.by_area]
        assert {row.level for row in villages} == {"village"}
        for village in villages:
            area = Area.objects.get(pk=village.id)
            inside = campaign_progress(campaign=campaign, user=township, area=area)
            assert (inside.done, inside.total) == (village.done, village.total)
            assert {row.parent_id for row in inside.by_area} == {village.id}
            for row in [village, *inside.by_area]:
                measured[(row.level, row.id, "total")] = row.total
                measured[(row.level, row.id, "done")] = row.done
        assert +measured == +expected
        assert sum(row.total for row in villages) == progress.total


def test_completing_the_same_task_twice_counts_once(demo, launched):
    campaign, *_ = launched
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).first()
    sent = TaskInput(client_uuid=uuid.uuid4(), result="家长已签收告知书")
    first = task_complete(task=task, actor=grid1, data=sent)
    again = task_complete(task=task, actor=grid1, data=sent)  # the phone resends
    # The village records it too, from a phone call: it stays done once, as grid1 did it.
    proxy = task_complete(
        task=task,
        actor=demo.user("village1"),
        data=TaskInput(client_uuid=uuid.uuid4(), result="电话确认"),
    )
    assert (first.created, again.created, proxy.created) == (True, False, False)
    task.refresh_from_db()
    assert (task.done_by, task.result) == (grid1, "家长已签收告知书")
    assert campaign_progress(campaign=campaign, user=grid1).done == 1
    with pytest.raises(ValidationError) as reused:  # someone else's UUID on another task
        task_complete(task=my_tasks(user=grid1).filter(status="pending").first(), actor=grid1,
                      data=sent)  # fmt: skip
    assert "client_uuid" in reused.value.message_dict


def test_a_task_asks_for_what_the_campaign_requires_and_can_raise_a_case(demo, roster):
    campaign = campaign_of(demo, needs_photo=True, needs_location=True)
    grids = grids_of(demo.township1)[:1]
    campaign_targets_set(campaign=campaign, actor=demo.user("township1"), rows=rows_for(grids, 1))
    campaign_launch(campaign=campaign, actor=demo.user("township1"))
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).get()
    with pytest.raises(ValidationError) as missing:
        task_complete(task=task, actor=grid1, data=TaskInput(client_uuid=uuid.uuid4(), result=""))
    assert set(missing.value.message_dict) == {"result", "photo", "location"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    category = Category.objects.filter(kind=CaseKind.HAZARD, is_active=True).first()
    data = TaskInput(
        client_uuid=uuid.uuid4(),
        result="塘边护栏缺失",
        location_lat=28.1,
        location_lng=112.9,
        photo=SimpleUploadedFile("pond.jpg", b"\xff\xd8\xff" + b"0" * 100, "image/jpeg"),
        raise_case=CaseDraft(
            kind=CaseKind.HAZARD, category=category, title="山塘缺护栏", description="需加装护栏"
        ),
    )
    done = task_complete(task=task, actor=grid1, data=data)
    again = task_complete(task=task, actor=grid1, data=data)
    assert done.task.case is not None and again.task.case_id == done.task.case_id
    assert Case.objects.filter(title="山塘缺护栏").count() == 1


def test_each_participant_reports_once(demo, roster):
    campaign = campaign_of(
        demo,
        mode=TargetMode.EACH_PARTICIPANT,
        post_kinds=[PostKind.GRID_WORKER, PostKind.MEMBER],
        member_types=["volunteer"],
    )
    campaign_launch(campaign=campaign, actor=demo.user("township1"))
    today = timezone.localdate()
    held = Post.objects.filter(
        tree.subtree_q(demo.township1, "area__"), end__isnull=True, start__lte=today
    ).filter(kind=PostKind.GRID_WORKER) | Post.objects.filter(
        tree.subtree_q(demo.township1, "area__"),
        end__isnull=True,
        start__lte=today,
        kind=PostKind.MEMBER,
        member_type="volunteer",
    )
    staff = set(held.values_list("staff_id", flat=True))
    tasks = campaign.tasks.all()
    assert sorted(tasks.values_list("staff_id", flat=True)) == sorted(staff)
    assert not tasks.filter(township__isnull=True).exists()
    assert not tasks.filter(area__level=AreaLevel.GRID, village__isnull=True).exists()
    assert campaign_laggards(campaign=campaign, user=demo.user("township1"))


def test_outsiders_see_nothing_of_a_campaign(demo, launched, other_county):
    campaign, *_ = launched
    for name in ("township2", "police1"):
        user = demo.user(name)
        if name == "police1":  # police1 serves village1: sees its part only
            assert campaign_for(user=user, pk=campaign.pk) is not None
            assert campaign_progress(campaign=campaign, user=user).total == (
                campaign.tasks.filter(village=demo.village1).count()
            )
            continue
        assert campaign_for(user=user, pk=campaign.pk) is None
        assert not tasks_visible_to(user).filter(campaign=campaign).exists()
        assert campaign_progress(campaign=campaign, user=user).total == 0
    # A task of township 1 cannot be completed from township 2.
    task = campaign.tasks.first()
    with pytest.raises(PermissionDenied):
        task_complete(
            task=task,
            actor=demo.user("inspector"),
            data=TaskInput(client_uuid=uuid.uuid4(), result="x"),
        )
    with pytest.raises(ValidationError):  # a grid outside the campaign's area
        campaign_targets_set(
            campaign=campaign_of(demo),
            actor=demo.user("township1"),
            rows=[TargetRow(line=2, name="x", grid=demo.grid2.code)],
        )
    with pytest.raises(PermissionDenied):
        campaign_launch(campaign=campaign_of(demo), actor=demo.user("township2"))


def test_a_target_file_is_read_from_csv_with_chinese_headers_and_bad_rows_are_named(demo, roster):
    csv = f"名称,网格编码,地址\n张小明,{demo.grid1.code},一组12号\n李四,999,\n,{demo.grid1.code},\n"
    rows = targets_read(io.BytesIO(csv.encode("gb18030")), "pupils.csv")
    assert [row.name for row in rows] == ["张小明", "李四", ""]
    with pytest.raises(ValidationError) as error:
        campaign_targets_set(campaign=campaign_of(demo), actor=demo.user("township1"), rows=rows)
    problems = error.value.message_dict["file"]
    assert any("3" in p and "999" in p for p in problems) and any("4" in p for p in problems)
    with pytest.raises(ValidationError):
        targets_read(io.BytesIO(b"a,b\n1,2\n"), "x.csv")


def test_reminders_go_to_those_with_work_left_and_the_automatic_one_only_once(demo, launched):
    campaign, *_ = launched
    grid1 = demo.user("grid1")
    before = Notification.objects.filter(recipient=grid1).count()
    assert campaign_remind(campaign=campaign, actor=demo.user("township1")) >= 1
    assert Notification.objects.filter(recipient=grid1).count() == before + 1
    for task in my_tasks(user=grid1):  # grid1 is done: no more reminders for them
        task_complete(task=task, actor=grid1, data=TaskInput(uuid.uuid4(), "已完成"))
    later = campaign.deadline - timedelta(minutes=30)
    assert campaigns_remind_before_deadline(now=later) == 1
    assert campaigns_remind_before_deadline(now=later) == 0
    assert Notification.objects.filter(recipient=grid1).count() == before + 1
    assert campaigns_finish_due(now=campaign.deadline + timedelta(seconds=1)) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    pending = campaign.tasks.filter(status=TaskStatus.PENDING).first()
    with pytest.raises(ValidationError):
        task_complete(task=pending, actor=demo.user("township1"), data=TaskInput(uuid.uuid4(), "x"))
    with pytest.raises(ValidationError):
        campaign_end(campaign=campaign, actor=demo.user("township1"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writes need PostgreSQL")
def test_the_worker_and_the_village_completing_at_once_count_once(demo):
    import threading

    from demo.roster import seed_roster

    seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    campaign = campaign_of(demo)
    campaign_targets_set(
        campaign=campaign,
        actor=demo.user("township1"),
        rows=rows_for(grids_of(demo.township1)[:1], 1),
    )
    campaign_launch(campaign=campaign, actor=demo.user("township1"))
    task = CampaignTask.objects.select_related("campaign", "staff", "area").get()
    results, barrier = [], threading.Barrier(2)

    def complete(name):
        barrier.wait()
        try:
            data = TaskInput(client_uuid=uuid.uuid4(), result=f"{name} 完成")
            results.append(task_complete(task=task, actor=demo.user(name), data=data).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(n,)) for n in ("grid1", "village1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert campaign_progress(campaign=campaign, user=demo.user("county")).done == 1
