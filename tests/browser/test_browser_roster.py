"""The roster in a real headless Chromium: the township centre adds a person with a grid
worker's post on a grid that has none, sees the grid's gap leave the coverage report, ends
the post after a confirmation, and sees the gap come back. Screenshots of the roster, the
profile and the coverage report, on a desktop and on a phone, go to docs/screenshots."""

import re

import pytest
from django.utils import timezone

from personnel.models import EndReason, Post, PostKind, Staff
from tests.browser.helpers import DESKTOP, PHONE, as_user, fits_the_phone, shoot_for_docs
from tests.samples import id_number

pytestmark = pytest.mark.browser


def gap(page, grid):
    return page.locator(f"table.gaps tr[data-area='{grid.code}'][data-post=grid_worker]")


def test_a_centre_fills_a_grid_and_ends_the_post_and_coverage_follows(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    grid = demo.grid1
    centre = as_user(browser, live_server, "township1", DESKTOP)

    # The tiny demo has no roster: every grid is a gap, grid 1 among them.
    centre.goto(f"{live_server.url}/staff/coverage/")
    assert gap(centre, grid).count() == 1
    assert gap(centre, grid).locator("td").last.locator(".muted").count() == 1  # never filled

    # 1. Add a person with a grid worker's post on that grid, in one form.
    centre.goto(f"{live_server.url}/staff/")
    centre.click("a[href='/staff/new/']")
    centre.wait_for_url(f"{live_server.url}/staff/new/")
    centre.fill("#id_name", "陈晓峰")
    centre.locator("label.chip:has(input[value=male])").click()
    centre.fill("#id_phone", "13712345678")
    centre.fill("#id_id_number", id_number(42))
    centre.select_option("#id_area", str(grid.parent_id))
    centre.select_option("#id_post_kind", PostKind.GRID_WORKER)
    centre.select_option("#id_post_area", str(grid.pk))
    assert centre.locator("#id_post_start").input_value() == timezone.localdate().isoformat()
    centre.click("main button[type=submit]")
    centre.wait_for_url(re.compile(r".*/staff/\d+/$"))
    staff = Staff.objects.get()
    post = Post.objects.get(staff=staff, area=grid, kind=PostKind.GRID_WORKER, end=None)
    assert centre.locator(".messages li").count() == 1
    assert grid.name in centre.locator("table.open-posts").inner_text()

    # 2. The grid's gap leaves the coverage report.
    centre.goto(f"{live_server.url}/staff/coverage/")
    assert gap(centre, grid).count() == 0
    assert centre.locator("table.gaps tr[data-post=grid_worker]").count() >= 1  # others remain

    # 3. End the post: a confirmation page first, then the post ends.
    centre.goto(f"{live_server.url}/staff/{staff.pk}/")
    centre.click(f"a[href='/staff/posts/{post.pk}/end/']")
    centre.wait_for_url(f"{live_server.url}/staff/posts/{post.pk}/end/")
    assert "陈晓峰" in centre.locator("main").inner_text()
    post.refresh_from_db()
    assert post.end is None  # the confirmation page changes nothing
    centre.select_option("#id_reason", EndReason.RESIGNED)
    centre.fill("#id_note", "本人辞职。")
    centre.click("main button[type=submit]")
    centre.wait_for_url(f"{live_server.url}/staff/{staff.pk}/")
    post.refresh_from_db()
    assert post.end == timezone.localdate() and post.end_reason == EndReason.RESIGNED
    assert "本人辞职" in centre.locator("table.past-posts").inner_text()

    # 4. The gap is back, vacant since today.
    centre.goto(f"{live_server.url}/staff/coverage/")
    assert gap(centre, grid).count() == 1
    assert timezone.localdate().isoformat() in gap(centre, grid).inner_text()

    # Screenshots: a person holding a post, so that the pages show a filled roster.
    holder = Staff.objects.create(
        name="林秀英",
        phone="13698765432",
        id_number=id_number(43),
        gender="female",
        employer="南溪社区居委会",
        area=grid.parent,
    )
    held = Post.objects.create(
        staff=holder, kind=PostKind.GRID_WORKER, area=grid, start=timezone.localdate()
    )
    pages = {
        "roster-list": "/staff/",
        "roster-profile": f"/staff/{holder.pk}/",
        "coverage": "/staff/coverage/",
    }
    for name, url in pages.items():
        centre.goto(f"{live_server.url}{url}")
        shoot_for_docs(centre, f"{name}-desktop")
    phone = as_user(browser, live_server, "township1", PHONE)
    for name, url in pages.items():
        phone.goto(f"{live_server.url}{url}")
        assert fits_the_phone(phone), name
        shoot_for_docs(phone, f"{name}-phone")
    phone.goto(f"{live_server.url}/staff/new/")
    assert fits_the_phone(phone)
    shoot_for_docs(phone, "roster-add-phone")
    phone.goto(f"{live_server.url}/staff/posts/{held.pk}/end/")
    shoot_for_docs(phone, "roster-end-post-phone")
