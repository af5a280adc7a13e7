"""A searchable chooser in a real headless Chromium: a township centre registers a resident
of concern, types part of a grid's name and of a colleague's name into the choosers, picks
from the lists and submits; the chosen ids arrive, with no CSP or console error on the way."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from demo.roster import seed_roster
from governance.platform import choosers
from personnel.selectors import staff_visible_to
from residents.models import Resident
from tests.browser.helpers import DESKTOP, as_user
from tests.samples import id_number

pytestmark = [pytest.mark.browser]


def test_typing_into_the_choosers_picks_a_grid_and_a_person(
    browser, live_server, live_demo, monkeypatch
):
    demo = live_demo
    seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    monkeypatch.setattr(choosers, "CHOOSER_THRESHOLD", 1)  # the tiny county's lists are short
    person = staff_visible_to(demo.user("township1")).order_by("pk").first()
    page = as_user(browser, live_server, "township1", DESKTOP)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/residents/new/")

    grid_box = page.locator("#id_grid")  # the visible search box took over the label's id
    assert grid_box.get_attribute("role") == "combobox"
    assert page.locator("input[name=grid]").get_attribute("type") == "hidden"
    grid_box.fill(demo.grid1.name[-4:])
    option = page.locator(f"#{grid_box.get_attribute('aria-controls')} [role=option]")
    option.first.wait_for()
    assert all(demo.township2.name not in text for text in option.all_inner_texts())
    page.locator(
        f"#{grid_box.get_attribute('aria-controls')} [role=option]",
        has_text=demo.grid1.name,
    ).first.click()
    assert page.locator("input[name=grid]").input_value() == str(demo.grid1.pk)

    staff_box = page.locator("#id_responsible")
    staff_box.press_sequentially(person.name, delay=30)
    list_id = staff_box.get_attribute("aria-controls")
    listed = page.locator(f"#{list_id} [role=option]")
    # The search for the whole name answered (not one for its first characters).
    page.wait_for_function(
        """([id, name]) => {
          const options = [...document.querySelectorAll(`#${id} [role=option]`)];
          return options.length > 0 && options.every(o => o.textContent.includes(name));
        }""",
        arg=[list_id, person.name],
    )
    page.wait_for_load_state("networkidle")
    page.locator(f"[role=option][data-id='{person.pk}']").wait_for()
    ids = [item.get_attribute("data-id") for item in listed.all()]
    for _ in range(ids.index(str(person.pk)) + 1):
        staff_box.press("ArrowDown")
    staff_box.press("Enter")  # picks, does not submit
    assert page.locator("input[name=responsible]").input_value() == str(person.pk)

    page.fill("#id_name", "周戊")
    page.fill("#id_id_number", id_number(801))
    page.select_option("#id_category", index=1)
    with page.expect_navigation():
        page.click("main button.primary")
    resident = Resident.objects.get(name="周戊")
    assert (resident.grid_id, resident.responsible_id) == (demo.grid1.pk, person.pk)
    assert not problems, problems
