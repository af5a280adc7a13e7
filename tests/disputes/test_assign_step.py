"""The assign step on the case page, the status words per line and per case, and the
overdue tab of the list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseStatus
from disputes.views import TABS
from personnel.models import PostKind
from tests.factories import report, roster_person


@pytest.fixture
def zh(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def page_of(client, case) -> str:
    return client.get(reverse("case_detail", args=[case.pk])).content.decode()


def action_block(page: str, action: str) -> str:
    found = re.search(rf'<details[^>]*data-action="{action}"[^>]*>.*?</details>', page, re.S)
    assert found, action
    return found.group(0)


def accepted(demo) -> Case:
    return services.case_accept(case=report(demo).case, actor=demo.user("township1"))


def test_after_acceptance_assigning_is_the_open_step_and_merging_is_folded(client, demo, zh):
    case = accepted(demo)
    client.force_login(demo.user("township1"))
    page = page_of(client, case)
    assign, merge = action_block(page, "assign"), action_block(page, "merge")
    assert re.match(r"<details[^>]*\bopen\b", assign)
    assert not re.match(r"<details[^>]*\bopen\b", merge)
    assert page.index('data-action="assign"') < page.index('data-action="merge"')


def test_both_lines_are_proposed_by_the_roster_and_the_police_line_is_ticked(client, demo, zh):
    roster_person(
        demo, name="赵警官", area=demo.township1, serial=1,
        post=(PostKind.POLICE_OFFICER, demo.village1),
    )  # fmt: skip
    roster_person(
        demo, name="钱主任", area=demo.township1, serial=2,
        post=(PostKind.SECURITY_DIRECTOR, demo.village1),
    )  # fmt: skip
    case = accepted(demo)
    client.force_login(demo.user("township1"))
    assign = action_block(page_of(client, case), "assign")
    assert "双线" in assign
    ticked = re.findall(r'<input type="checkbox" name="lines" value="(\w+)"[^>]*checked', assign)
    assert sorted(ticked) == ["police", "political_legal"]
    for name in ("赵警官", "钱主任"):
        assert assign.count(name) == 1  # each line's routing sentence printed once


def test_without_a_police_officer_on_the_roster_only_the_first_line_is_ticked(client, demo, zh):
    case = accepted(demo)
    client.force_login(demo.user("township1"))
    assign = action_block(page_of(client, case), "assign")
    ticked = re.findall(r'<input type="checkbox" name="lines" value="(\w+)"[^>]*checked', assign)
    assert ticked == ["political_legal"]
    assert "双线" in assign


def test_a_case_with_one_of_two_lines_done_says_so_per_line_and_for_the_case(client, demo, zh):
    township, police = demo.user("township1"), demo.user("police1")
    case = services.case_assign(
        case=accepted(demo),
        actor=township,
        lines=[
            {"line": "police", "unit": "驻村警务室", "handler": police},
            {"line": "political_legal", "unit": "村调委会", "handler": demo.user("village1")},
        ],
    )
    services.case_resolve(case=case, line="police", actor=police, outcome="resolved")
    client.force_login(township)
    page = page_of(client, case)
    assert "办理中（1/2 条线已办结）" in page
    assert "已办结" in page and "办理中" in page


# --- The overdue tab ---------------------------------------------------------------------


def test_the_overdue_tab_shows_only_open_cases(client, demo):
    still_open, closed = report(demo).case, report(demo).case
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    Case.objects.update(overdue=True, deadline=timezone.now() - timedelta(days=2))
    client.force_login(demo.user("county"))
    preset = dict(TABS)["overdue"]
    response = client.get(reverse("case_list"), preset)
    shown = {case.pk for case in response.context["page"].object_list}
    assert shown == {still_open.pk}
    tabs = re.search(r'<nav class="tabs".*?</nav>', response.content.decode(), re.S).group(0)
    current = re.findall(r'<a href="([^"]+)"\s*aria-current="page"', tabs)
    assert len(current) == 1 and "overdue=true" in current[0]
