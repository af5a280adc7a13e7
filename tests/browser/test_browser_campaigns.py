"""A campaign 专项行动 in a real headless Chromium: the township centre drafts it on the desktop,
uploads five targets and launches it; the grid worker completes one on the phone; the
centre sees the progress move overall and in the grid's row."""

import random

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTask, TaskStatus
from demo.roster import seed_roster
from tests.browser.helpers import DESKTOP, PHONE, log_in, shoot
from tests.factories import grids_of

pytestmark = pytest.mark.browser


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def overall(page) -> str:
    return (
        page.locator("#overall-done").inner_text()
        + "/"
        + page.locator("#overall-total").inner_text()
    )


def area_row(page, area) -> str:
    row = page.locator(f"#by-area tr[data-area='{area.pk}']")
    return row.locator(".done").inner_text() + "/" + row.locator(".total").inner_text()


def test_a_township_launches_a_campaign_and_watches_a_grid_worker_complete_a_task(
    browser,
    live_server,
    live_demo,
    tmp_path,
):
    demo = live_demo
    seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    other = next(g for g in reversed(grids_of(demo.township1)) if g.parent_id != demo.village1.pk)
    targets = tmp_path / "pupils.csv"
    targets.write_text(
        "名称,网格编码,地址\n"
        f"张小明,{demo.grid1.code},一组12号\n"
        f"李小红,{demo.grid1.code},一组15号\n"
        f"王小刚,{demo.grid1.code},二组3号\n"
        f"赵小燕,{other.code},五组8号\n"
        f"陈小龙,{other.code},五组9号\n",
        encoding="utf-8-sig",
    )

    # 1. The township centre drafts the campaign on the desktop.
    desk = browser.new_context(**DESKTOP)
    centre = desk.new_page()
    centre.on("dialog", lambda dialog: dialog.accept())
    log_in(centre, live_server.url, "township1")
    centre.goto(f"{live_server.url}/campaigns/")
    centre.click("#new-campaign")
    centre.wait_for_url(f"{live_server.url}/campaigns/new/")
    assert centre.locator("#id_area").input_value() == str(demo.township1.pk)
    centre.fill("#id_title", "暑期防溺水家访")
    centre.fill("#id_instructions", "逐户上门宣讲防溺水知识，请家长签收告知书。")
    centre.locator("label.chip:has(input[name=target_mode][value=items])").click()
    shoot(centre, "campaign-form-desktop")
    centre.click("#campaign-form button[type=submit]")
    campaign = Campaign.objects.get()
    detail = f"{live_server.url}/campaigns/{campaign.pk}/"
    centre.wait_for_url(detail)
    assert campaign.status == CampaignStatus.DRAFT

    # 2. It uploads the five pupils and launches: nothing is done yet.
    centre.set_input_files("#id_file", str(targets))
    centre.click("#target-form button[type=submit]")
    centre.wait_for_url(detail)
    assert "5" in centre.locator("#target-count").inner_text()
    assert centre.locator("#launch-button").get_attribute("data-confirm").startswith("5")
    shoot(centre, "campaign-draft-desktop")
    centre.click("#launch-button")
    centre.wait_for_url(detail)
    centre.locator("#overall-done").wait_for()
    assert overall(centre) == "0/5"
    # The township's page has a row per village (grid 1's and the other grid's).
    assert area_row(centre, demo.village1) == "0/3" and area_row(centre, other.parent) == "0/2"
    assert centre.locator(".messages li.success").count() == 1
    # The page's clock is ours from here: the live refresh runs when we say.
    centre.clock.install()
    centre.reload()

    # 3. The grid worker opens My tasks on the phone and completes one.
    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    log_in(phone, live_server.url, "grid1")
    phone.goto(f"{live_server.url}/campaigns/tasks/")
    cards = phone.locator("li.task-card")
    assert cards.count() == 3
    assert "张小明" in cards.first.inner_text() and "一组12号" in cards.first.inner_text()
    fits_the_phone(phone)
    button = cards.first.locator("a.done-button")
    assert button.bounding_box()["height"] >= 44
    shoot(phone, "my-tasks-phone")
    button.click()
    task = CampaignTask.objects.get(target__name="张小明")
    phone.wait_for_url(f"{live_server.url}/campaigns/tasks/{task.pk}/")
    assert not phone.locator("#id_title").is_visible()  # the case fields fold away
    phone.fill("#id_result", "已上门宣讲，家长已签收告知书。")
    fits_the_phone(phone)
    submit = phone.locator("form[data-report-form] button[type=submit]")
    assert submit.bounding_box()["height"] >= 44
    shoot(phone, "task-form-phone")
    submit.click()
    phone.wait_for_url(f"{live_server.url}/campaigns/tasks/")
    assert phone.locator(".messages li.success").count() == 1
    assert phone.locator("li.task-card").count() == 2
    assert phone.locator("#done-tasks").count() == 1
    fits_the_phone(phone)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_by == demo.user("grid1")
    # The grid worker follows the campaign too: its own grid's part, on the phone.
    phone.click("#subnav-campaigns")
    phone.wait_for_url(f"{live_server.url}/campaigns/")
    fits_the_phone(phone)
    shoot(phone, "campaign-list-phone")
    phone.click(f"tr[data-campaign='{campaign.pk}'] td.title a")
    phone.wait_for_url(detail)
    assert overall(phone) == "1/3" and phone.locator("#remind-button").count() == 0
    fits_the_phone(phone)
    shoot(phone, "campaign-detail-phone")
    phone_context.close()

    # 4. The centre sees the progress move, overall and in grid 1's row: first by the
    # live refresh (every 15 seconds), then on reloading.
    assert overall(centre) == "0/5"
    centre.clock.run_for(16_000)
    centre.wait_for_function("() => document.querySelector('#overall-done').textContent === '1'")
    assert overall(centre) == "1/5" and centre.locator("#overall-percent").inner_text() == "20"
    assert area_row(centre, demo.village1) == "1/3" and area_row(centre, other.parent) == "0/2"
    centre.reload()
    assert overall(centre) == "1/5"
    assert area_row(centre, demo.village1) == "1/3" and area_row(centre, other.parent) == "0/2"
    assert centre.locator(f"#laggards tr[data-staff='{task.staff_id}']").count() == 0
    shoot(centre, "campaign-detail-desktop")
    # One level down: village 1's grids, and its tasks listed.
    centre.click(f"#by-area tr[data-area='{demo.village1.pk}'] a")
    centre.wait_for_url(f"{detail}?area={demo.village1.pk}")
    assert overall(centre) == "1/3" and area_row(centre, demo.grid1) == "1/3"
    assert centre.locator("#tasks tr[data-task]").count() == 3
    assert centre.locator("#area-trail a[href='?']").count() == 1
    desk.close()
