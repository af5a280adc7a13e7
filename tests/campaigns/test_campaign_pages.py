"""Campaign pages: the list, the draft with its target upload, launch, reminders and the end,
the live progress page, the export, and the participants' own tasks completed from the
phone (idempotent on a resend); each checked for outsiders, role refusals and bad input."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from campaigns.models import Campaign, CampaignStatus, CampaignTask, TargetMode, TaskStatus
from campaigns.selectors import my_tasks
from campaigns.services.campaigns import (
    TaskInput,
    campaign_targets_set,
    task_complete,
)
from disputes.models import Case, CaseKind
from notifications.models import Notification
from personnel.models import Post, PostKind, Staff
from tests.factories import campaign_of, grids_of, launched_campaign, rows_for
from tests.ledgers import header, records
from tests.samples import JPEG


def drafted(demo, *, title: str = "", **extra) -> Campaign:
    campaign = campaign_of(demo, **extra)
    if title:
        Campaign.objects.filter(pk=campaign.pk).update(title=title)
        campaign.refresh_from_db()
    return campaign


def csv_upload(text: str, name: str = "targets.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), "text/csv")


def draft_form(demo, **overrides) -> dict:
    now = timezone.localtime()
    body = {
        "title": "防溺水家访",
        "instructions": "逐户上门宣讲防溺水知识。",
        "area": demo.township1.pk,
        "target_mode": TargetMode.ITEMS,
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "deadline": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    body.update(overrides)
    return body


def zh(message: str) -> str:
    """A message as the pages show it (in Chinese once the translator has done it)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def client_uuid_of(page) -> str:
    return re.search(r'name="client_uuid" value="([0-9a-f-]+)"', page.content.decode()).group(1)


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_each_campaigns_progress_and_searches_and_filters(client, demo, roster):
    running = launched_campaign(demo)
    draft = drafted(demo, title="秋季消防排查")
    task = running.tasks.first()
    task_complete(task=task, actor=demo.user("township1"), data=TaskInput(uuid.uuid4(), "已完成"))
    client.force_login(demo.user("township1"))
    page = client.get(reverse("campaign_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert running.title in body and draft.title in body
    assert 'id="new-campaign"' in body
    row = re.search(rf'<tr data-campaign="{running.pk}">.*?</tr>', body, re.S).group(0)
    total = running.tasks.count()
    assert f'<span class="done">1</span> / <span class="total">{total}</span>' in row
    assert f"{round(100 / total)}%" in row
    searched = client.get(reverse("campaign_list"), {"q": "消防"}).content.decode()
    assert draft.title in searched and f'data-campaign="{running.pk}"' not in searched
    filtered = client.get(reverse("campaign_list"), {"status": "running"}).content.decode()
    assert f'data-campaign="{running.pk}"' in filtered
    assert f'data-campaign="{draft.pk}"' not in filtered
    assert "no-campaigns" in client.get(reverse("campaign_list"), {"q": "无此"}).content.decode()


def test_a_grid_worker_sees_the_campaigns_covering_their_grid_but_no_new_button(
    client, demo, roster
):
    running = launched_campaign(demo)
    client.force_login(demo.user("grid1"))
    body = client.get(reverse("campaign_list")).content.decode()
    assert f'data-campaign="{running.pk}"' in body and 'id="new-campaign"' not in body
    assert reverse("my_tasks") in body


@pytest.mark.parametrize("campaigns", [1, 4])
def test_the_list_takes_the_same_queries_however_many_campaigns_and_tasks(
    client, demo, roster, campaigns, django_assert_max_num_queries
):
    for n in range(campaigns):
        launched_campaign(demo, per_grid=n + 1)
    client.force_login(demo.user("township1"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("campaign_list")).status_code == 200


# --- The draft ------------------------------------------------------------------------


def test_an_organiser_creates_a_draft_and_lands_on_its_page(client, demo):
    client.force_login(demo.user("township1"))
    assert client.get(reverse("campaign_create")).status_code == 200
    response = client.post(reverse("campaign_create"), draft_form(demo, needs_photo="on"))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT and campaign.needs_photo
    assert campaign.created_by == demo.user("township1") and campaign.area == demo.township1
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="target-form"' in page.content.decode()


def test_a_bad_draft_is_refused_field_by_field(client, demo):
    client.force_login(demo.user("township1"))
    now = timezone.localtime()
    response = client.post(
        reverse("campaign_create"),
        draft_form(
            demo,
            title="",
            area=demo.township2.pk,  # another township's
            deadline=(now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "area"} <= set(errors)
    response = client.post(
        reverse("campaign_create"),
        draft_form(demo, target_mode=TargetMode.EACH_PARTICIPANT),  # nobody chosen
    )
    assert response.status_code == 400 and "post_kinds" in response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("username", ["grid1", "village1", "police1", "member1"])
def test_only_the_centres_create_campaigns(client, demo, username):
    client.force_login(demo.user(username))
    assert client.get(reverse("campaign_create")).status_code == 403
    assert client.post(reverse("campaign_create"), draft_form(demo)).status_code == 403


def test_the_target_template_is_a_csv_excel_opens_in_chinese(client, demo):
    client.force_login(demo.user("township1"))
    response = client.get(reverse("campaign_target_template"))
    assert response.status_code == 200
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff名称,网格编码,地址\r\n")
    assert len(content.strip().splitlines()) == 2


def test_uploading_targets_counts_them_and_bad_rows_are_named(client, demo, roster):
    campaign = campaign_of(demo)
    client.force_login(demo.user("township1"))
    url = reverse("campaign_targets", args=[campaign.pk])
    grid = demo.grid1.code
    good = f"名称,网格编码,地址\n张小明,{grid},一组12号\n李小红,{grid},一组3号\n"
    response = client.post(url, {"file": csv_upload(good)})
    assert response.status_code == 302
    assert campaign.targets.count() == 2
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert 'id="target-count"' in page and "2" in page
    assert 'data-confirm="2' in page  # "2 targets will be assigned now."

    bad = f"名称,网格编码,地址\n王五,{demo.grid2.code},\n,{grid},\n"
    response = client.post(url, {"file": csv_upload(bad)})
    assert response.status_code == 400
    errors = response.context["upload"].errors["file"]
    assert any("2" in e and demo.grid2.code in e for e in errors)
    assert any("3" in e for e in errors)
    assert 'id="upload-errors"' in response.content.decode()
    assert campaign.targets.count() == 2  # the earlier list stays
    wrong = client.post(url, {"file": csv_upload("a,b\n1,2\n", "x.txt")})
    assert wrong.status_code == 400
    assert client.post(url, {}).status_code == 400


def test_outsiders_get_404_and_watchers_403_on_the_drafts_buttons(client, demo, roster):
    campaign = campaign_of(demo)
    client.force_login(demo.user("township2"))
    for name in ("campaign_detail", "campaign_export"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == 404
    for name in ("campaign_targets", "campaign_launch", "campaign_remind", "campaign_end"):
        assert client.post(reverse(name, args=[campaign.pk])).status_code == 404
    client.force_login(demo.user("grid1"))  # a draft is seen from above only
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 404
    client.force_login(demo.user("county"))  # the county may act on the township's draft
    assert client.get(reverse("campaign_detail", args=[campaign.pk])).status_code == 200


# --- Launch, remind, end --------------------------------------------------------------


def test_launch_remind_and_finish_from_the_page(client, demo, roster):
    campaign = campaign_of(demo)
    campaign_targets_set(
        campaign=campaign,
        actor=demo.user("township1"),
        rows=rows_for(grids_of(demo.township1), 1),
    )
    client.force_login(demo.user("township1"))
    detail = reverse("campaign_detail", args=[campaign.pk])
    response = client.post(reverse("campaign_launch", args=[campaign.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.RUNNING
    assert campaign.tasks.count() == len(grids_of(demo.township1))
    again = client.post(reverse("campaign_launch", args=[campaign.pk]))
    assert again.status_code == 400
    assert zh("This campaign has already been launched.") in again.content.decode()

    before = Notification.objects.count()
    assert client.post(reverse("campaign_remind", args=[campaign.pk])).status_code == 302
    assert Notification.objects.count() > before

    page = client.get(detail).content.decode()
    for button in ("remind-button", "finish-button", "cancel-button", "export-link"):
        assert f'id="{button}"' in page
    response = client.post(reverse("campaign_end", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FINISHED
    ended = client.post(reverse("campaign_end", args=[campaign.pk]), {"cancel": "1"})
    assert ended.status_code == 400
    page = client.get(detail).content.decode()
    assert 'id="remind-button"' not in page and "data-progress-url" not in page


def test_a_draft_is_cancelled_with_the_cancel_flag(client, demo):
    campaign = campaign_of(demo)
    client.force_login(demo.user("township1"))
    response = client.post(reverse("campaign_end", args=[campaign.pk]), {"cancel": "1"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED


def test_a_launch_without_targets_is_refused_with_why(client, demo):
    campaign = campaign_of(demo)
    client.force_login(demo.user("township1"))
    response = client.post(reverse("campaign_launch", args=[campaign.pk]))
    assert response.status_code == 400
    assert zh("Upload the list of targets first.") in response.content.decode()


def test_a_township_watches_the_countys_campaign_without_its_buttons(client, demo, roster):
    campaign = launched_campaign(demo, area=demo.county, actor="centre")
    client.force_login(demo.user("township1"))
    page = client.get(reverse("campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="remind-button"' not in body and 'id="finish-button"' not in body
    # Its own part only: township 2's rows are not there.
    assert f'data-area="{demo.township1.pk}"' in body
    assert f'data-area="{demo.township2.pk}"' not in body
    own = campaign.tasks.filter(township=demo.township1).count()
    assert f'<b id="overall-done">0</b> / <span id="overall-total">{own}</span>' in body
    for name in ("campaign_remind", "campaign_end", "campaign_launch", "campaign_targets"):
        assert client.post(reverse(name, args=[campaign.pk])).status_code == 403


# --- The progress page ----------------------------------------------------------------


def test_the_progress_page_shows_areas_curve_laggards_and_workerless_grids(client, demo, roster):
    grids = grids_of(demo.township1)
    vacated = grids[-1]

    Post.objects.filter(area=vacated, kind=PostKind.GRID_WORKER, end__isnull=True).update(
        end=timezone.localdate() - timedelta(days=1), end_reason="resigned"
    )
    campaign = launched_campaign(demo, per_grid=2)
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).first()
    task_complete(task=task, actor=grid1, data=TaskInput(uuid.uuid4(), "已宣讲"))
    client.force_login(demo.user("township1"))
    body = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    # The township's page: a row per village, each a link one level down.
    row = re.search(rf'<tr data-area="{demo.village1.pk}".*?</tr>', body, re.S).group(0)
    assert f'href="?area={demo.village1.pk}"' in row
    assert f'<span class="total">{2 * len(grids_of(demo.village1))}</span>' in row
    assert f'<tr data-area="{demo.grid1.pk}"' not in body
    village = client.get(reverse("campaign_detail", args=[campaign.pk]), {"area": demo.village1.pk})
    row = re.search(rf'<tr data-area="{demo.grid1.pk}".*?</tr>', village.content.decode(), re.S)
    assert '<span class="done">1</span> / <span class="total">2</span>' in row.group(0)
    assert '<svg class="curve"' in body and 'class="line" d="M' in body
    assert 'id="unassigned"' in body and vacated.name in body
    assert f'data-progress-url="/api/v1/campaigns/{campaign.pk}/progress/"' in body
    # Who has not started, with the phone's last four digits only.
    laggard = (
        Staff.objects.filter(campaign_tasks__campaign=campaign)
        .exclude(user=grid1)
        .exclude(phone="")
        .first()
    )
    assert f'data-staff="{laggard.pk}"' in body
    assert "****" + laggard.phone[-4:] in body and laggard.phone not in body
    assert f'data-staff="{task.staff_id}"' not in body  # grid1 has started


@pytest.mark.parametrize("per_grid", [1, 5])
def test_the_progress_page_takes_the_same_queries_however_many_tasks(
    client, demo, roster, per_grid, django_assert_max_num_queries
):
    campaign = launched_campaign(demo, per_grid=per_grid)
    for task in list(campaign.tasks.select_related("campaign", "staff")[: 2 * per_grid]):
        task_complete(task=task, actor=demo.user("township1"), data=TaskInput(uuid.uuid4(), "好"))
    client.force_login(demo.user("township1"))
    with django_assert_max_num_queries(16):
        page = client.get(reverse("campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200


def test_the_export_lists_every_task_of_the_readers_part(client, demo, roster):
    campaign = launched_campaign(demo, area=demo.county, actor="centre", per_grid=2)
    client.force_login(demo.user("centre"))
    response = client.get(reverse("campaign_export", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    assert len(records(sheet)) == campaign.tasks.count()
    assert len(header(sheet)) == 11
    client.force_login(demo.user("township1"))  # the township exports its own part
    sheet = load_workbook(
        BytesIO(client.get(reverse("campaign_export", args=[campaign.pk])).content)
    ).active
    assert len(records(sheet)) == campaign.tasks.filter(township=demo.township1).count()
    client.force_login(demo.user("grid1"))
    assert client.get(reverse("campaign_export", args=[campaign.pk])).status_code == 403


# --- The participants' tasks ----------------------------------------------------------


def test_my_tasks_groups_pending_cards_and_folds_the_done_ones(client, demo, roster):
    campaign = launched_campaign(demo, per_grid=3, grids=[demo.grid1])
    grid1 = demo.user("grid1")
    first = my_tasks(user=grid1).first()
    task_complete(task=first, actor=grid1, data=TaskInput(uuid.uuid4(), "已告知家长"))
    client.force_login(grid1)
    page = client.get(reverse("my_tasks"))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<section class="task-group" data-campaign="{campaign.pk}">' in body
    cards = re.findall(r'<li class="task-card" data-task="(\d+)">', body)
    assert len(cards) == 2 and str(first.pk) not in cards
    assert reverse("task_complete", args=[int(cards[0])]) in body
    assert 'id="done-tasks"' in body and "已告知家长" in body


def test_someone_without_tasks_sees_the_empty_state(client, demo):
    client.force_login(demo.user("member1"))
    page = client.get(reverse("my_tasks"))
    assert page.status_code == 200 and 'id="no-tasks"' in page.content.decode()


def test_completing_a_task_twice_with_the_same_form_records_it_once(client, demo, roster):
    launched_campaign(demo, grids=[demo.grid1])
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).get()
    client.force_login(grid1)
    url = reverse("task_complete", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200
    sent = {"client_uuid": client_uuid_of(page), "result": "已上门宣讲，家长签字。"}
    first = client.post(url, sent, follow=True)
    assert first.redirect_chain[-1][0] == reverse("my_tasks")
    again = client.post(url, sent, follow=True)  # the signal dropped; pressed again
    assert again.redirect_chain[-1][0] == reverse("my_tasks")
    assert [str(m) for m in first.context["messages"]] == [zh("Recorded.")]
    assert [str(m) for m in again.context["messages"]] == [zh("Already recorded.")]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and str(task.client_uuid) == sent["client_uuid"]
    assert CampaignTask.objects.filter(status=TaskStatus.DONE).count() == 1
    done_page = client.get(url).content.decode()
    assert 'id="task-done"' in done_page and "家长签字" in done_page


def test_a_task_form_refuses_what_the_campaign_requires_field_by_field(client, demo, roster):
    launched_campaign(demo, grids=[demo.grid1], needs_photo=True, needs_location=True)
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).get()
    client.force_login(grid1)
    url = reverse("task_complete", args=[task.pk])
    page = client.get(url)
    assert "data-auto-locate" in page.content.decode()
    response = client.post(url, {"client_uuid": str(uuid.uuid4()), "result": ""})
    assert response.status_code == 400 and "result" in response.context["form"].errors
    response = client.post(url, {"client_uuid": str(uuid.uuid4()), "result": "已宣讲"})
    assert response.status_code == 400
    assert {"photo", "location_lat"} <= set(response.context["form"].errors)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_a_task_with_a_photo_and_a_case_raised_from_it(client, demo, roster):
    launched_campaign(demo, grids=[demo.grid1], needs_photo=True)
    grid1 = demo.user("grid1")
    task = my_tasks(user=grid1).get()
    client.force_login(grid1)
    url = reverse("task_complete", args=[task.pk])
    body = {
        "client_uuid": str(uuid.uuid4()),
        "result": "山塘边无护栏",
        "photo": SimpleUploadedFile("IMG_张三家.jpg", JPEG, "image/jpeg"),
        "location_lat": "28.100000",
        "location_lng": "112.900000",
        "raise_case": "on",
        "kind": CaseKind.HAZARD,
        "category": "drowning",
        "title": "山塘缺护栏",
        "description": "村口山塘无护栏，需加装。",
        "severity": "attention",
    }
    response = client.post(url, body)
    assert response.status_code == 302, response.context["form"].errors
    task.refresh_from_db()
    assert task.case == Case.objects.get(title="山塘缺护栏")
    assert "张三" not in task.photo.name
    photo = client.get(reverse("task_photo", args=[task.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    client.force_login(demo.user("township2"))
    assert client.get(reverse("task_photo", args=[task.pk])).status_code == 404


def test_outsiders_get_404_and_watchers_403_on_a_task(client, demo, roster):
    launched_campaign(demo, grids=[demo.grid1])
    task = CampaignTask.objects.get()
    url = reverse("task_complete", args=[task.pk])
    client.force_login(demo.user("township2"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"client_uuid": str(uuid.uuid4()), "result": "x"}).status_code == 404
    assert client.get(reverse("task_photo", args=[task.pk])).status_code == 404
    client.force_login(demo.user("police1"))  # sees village 1's tasks, completes none
    assert client.get(url).status_code == 403
    assert client.post(url, {"client_uuid": str(uuid.uuid4()), "result": "x"}).status_code == 403
    client.force_login(demo.user("inspector"))
    assert client.get(url).status_code in (403, 404)
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_a_task_of_a_finished_campaign_can_no_longer_be_completed(client, demo, roster):
    campaign = launched_campaign(demo, grids=[demo.grid1])
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.FINISHED)
    task = CampaignTask.objects.get()
    client.force_login(demo.user("grid1"))
    url = reverse("task_complete", args=[task.pk])
    assert 'id="not-running"' in client.get(url).content.decode()
    response = client.post(url, {"client_uuid": str(uuid.uuid4()), "result": "晚了"})
    assert response.status_code == 400
    assert client.get(reverse("my_tasks")).status_code == 200


def test_each_participant_reports_once_from_a_draft_made_on_the_page(client, demo, roster):
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("campaign_create"),
        draft_form(
            demo,
            target_mode=TargetMode.EACH_PARTICIPANT,
            post_kinds=[PostKind.GRID_WORKER],
        ),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and campaign.post_kinds == [PostKind.GRID_WORKER]
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert 'id="target-form"' not in page and 'id="launch-button"' in page
    uploaded = client.post(
        reverse("campaign_targets", args=[campaign.pk]),
        {"file": csv_upload(f"名称,网格编码\n甲,{demo.grid1.code}\n")},
    )
    assert uploaded.status_code == 400 and 'id="upload-errors"' in uploaded.content.decode()
    assert client.post(reverse("campaign_launch", args=[campaign.pk])).status_code == 302
    workers = Post.objects.filter(
        kind=PostKind.GRID_WORKER, end__isnull=True, area__in=grids_of(demo.township1)
    )
    assert campaign.tasks.count() == workers.values("staff").distinct().count()
    client.force_login(demo.user("grid1"))
    body = client.get(reverse("my_tasks")).content.decode()
    assert body.count('class="task-card"') == 1


def test_targets_cannot_be_replaced_after_the_launch(client, demo, roster):
    campaign = launched_campaign(demo, grids=[demo.grid1])
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("campaign_targets", args=[campaign.pk]),
        {"file": csv_upload(f"名称,网格编码\n甲,{demo.grid1.code}\n")},
    )
    assert response.status_code == 400 and 'id="upload-errors"' in response.content.decode()
    assert campaign.targets.count() == 1
