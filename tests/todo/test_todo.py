"""The home page is each role's to-do: the right lists per role, each count equal to the
full list it links to, nothing of another township, and an item leaves its list once acted
on. Its queries do not grow with the number of cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.services.rankings import rankings_compute
from campaigns.services.instructions import InstructionInput, instruction_send
from disputes import services
from disputes.models import Case, CaseLevel
from disputes.selectors.todo import todo_cases
from personnel.models import PostKind
from residents.models import Resident
from tests.factories import (
    launched_campaign,
    register,
    report,
    staff_with_post,
    this_month,
)

ROLES = ["county", "centre", "township1", "township2", "police1", "village1", "grid1", "member1"]
CENTRE_LISTS = {
    "county": ["supervised", "overdue", "triage", "assign", "to_close", "rankings"],
    "centre": ["supervised", "overdue", "triage", "assign", "to_close", "rankings"],
    "township1": ["triage", "assign", "to_close", "due_soon", "overdue", "supervised"],
    "village1": ["triage", "assign", "handling", "to_close", "overdue"],
    "grid1": ["my_cases", "visits", "tasks", "instructions"],
    "member1": ["my_cases", "visits", "tasks", "instructions"],
    "police1": ["my_cases", "visits", "tasks", "instructions"],
    "inspector": ["supervised", "overdue"],
}


def home(client: Client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "todo/home.html" in [t.name for t in response.templates]
    return response


def sections(response) -> dict:
    return {entry["section"].name: entry for entry in response.context["sections"]}


def counts(response) -> dict[str, int]:
    return {name: entry["section"].count for name, entry in sections(response).items()}


def items(response, name: str) -> list[int]:
    return [item.pk for item in sections(response)[name]["section"].items]


def listed(client: Client, url: str) -> int:
    """How many the linked full list says it holds (its paginator's count)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def accept(demo, case, actor="township1"):
    return services.case_accept(case=case, actor=demo.user(actor))


def assign(demo, case, *, handler, actor="township1"):
    return services.case_assign(
        case=case,
        actor=demo.user(actor),
        lines=[{"line": "political_legal", "unit": "村委会", "handler": handler}],
    )


@pytest.fixture
def worker_user(demo):
    """The grid worker of grid 1 with a roster entry (campaign tasks, instructions)."""
    return staff_with_post(demo, demo.village1, post_area=demo.grid1, login="worker1").user


@pytest.fixture
def busy(demo, worker_user):
    """Work at every step in township 1, some of it the worker's, and township 2's own."""
    reported = [report(demo).case for _ in range(3)]
    accepted = accept(demo, report(demo).case)
    handled = assign(demo, accept(demo, report(demo).case), handler=worker_user)
    resolved = services.case_resolve(
        case=assign(demo, accept(demo, report(demo).case), handler=demo.user("township1")),
        line="political_legal",
        actor=demo.user("township1"),
        outcome="resolved",
    )
    # Near its deadline (inside the warning window), and one past it.
    soon = report(demo).case
    Case.objects.filter(pk=soon.pk).update(
        warn_at=timezone.now() - timedelta(hours=1), deadline=timezone.now() + timedelta(hours=5)
    )
    late = report(demo).case
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=2))
    supervised = services.case_supervise(
        case=accept(demo, report(demo).case),
        actor=demo.user("county"),
        deadline=timezone.now() + timedelta(days=3),
        note="督办",
    )
    # At the county: escalated twice, supervised, then past its deadline.
    at_county = accept(demo, report(demo).case)
    at_county = services.case_escalate(case=at_county, actor=demo.user("township1"), reason="难")
    at_county = services.case_escalate(case=at_county, actor=demo.user("township1"), reason="难")
    Case.objects.filter(pk=at_county.pk).update(deadline=timezone.now() - timedelta(hours=3))
    theirs = [report(demo, grid=demo.grid2, reporter=demo.user("township2")).case for _ in "ab"]
    resident = register(demo)  # nobody responsible: the grid's worker visits
    Resident.objects.filter(pk=resident.pk).update(
        next_visit_due=timezone.localdate() - timedelta(days=4)
    )
    campaign = launched_campaign(demo, grids=[demo.grid1])
    instruction = instruction_send(
        actor=demo.user("township1"),
        data=InstructionInput(
            title="协查通告",
            body="发现可疑人员请立即报告派出所。",
            area=demo.township1,
            post_kinds=[PostKind.GRID_WORKER],
            member_types=[],
        ),
    )
    return {
        "reported": reported,
        "accepted": accepted,
        "handled": handled,
        "resolved": resolved,
        "soon": soon,
        "late": late,
        "supervised": supervised,
        "at_county": at_county,
        "theirs": theirs,
        "resident": resident,
        "campaign": campaign,
        "instruction": instruction,
    }


@pytest.mark.parametrize("username", [*ROLES, "inspector"])
def test_each_role_has_its_own_lists(client, demo, busy, username):
    response = home(client, demo.user(username))
    names = list(sections(response))
    expected = CENTRE_LISTS[username] if username != "township2" else CENTRE_LISTS["township1"]
    # The centres see the field's lists too when they hold such work (none of them here).
    assert sorted(names) == sorted(expected)
    # The lists with work come first, each group in the loop's order.
    busy_first = [name for name in expected if counts(response)[name]]
    assert names == busy_first + [name for name in expected if name not in busy_first]


def test_the_township_centre_sees_each_step_of_the_loop(client, demo, busy):
    response = home(client, demo.user("township1"))
    found = counts(response)
    assert found["triage"] == 3 + 2  # three reported, and the near and the late one
    assert set(items(response, "triage")) >= {c.pk for c in busy["reported"]}
    assert items(response, "assign") == sorted(
        [busy["accepted"].pk, busy["supervised"].pk],
        key=lambda pk: (Case.objects.get(pk=pk).deadline, -pk),
    )
    assert items(response, "to_close") == [busy["resolved"].pk]
    assert items(response, "due_soon") == [busy["soon"].pk]
    assert items(response, "overdue") == [busy["late"].pk]
    assert items(response, "supervised") == [busy["supervised"].pk]
    # Items open the case page, where the next step waits.
    page = response.content.decode()
    assert reverse("case_detail", args=[busy["soon"].pk]) in page
    assert "todo-mark soon" in page and "todo-mark overdue" in page


def test_the_county_sees_supervision_its_own_overdue_rankings_and_the_townships(client, demo, busy):
    rankings_compute(county=demo.county, month=this_month())
    response = home(client, demo.user("county"))
    # The county supervises a village's case: it is on the county's list at any level.
    assert items(response, "supervised") == [busy["supervised"].pk]
    assert items(response, "overdue") == [busy["at_county"].pk]
    assert counts(response)["rankings"] == 1
    rows = {row.id: row for row, _urls in response.context["townships"]}
    assert (
        rows[demo.township1.pk].reported
        == Case.objects.filter(township=demo.township1, status="reported").count()
    )
    assert rows[demo.township2.pk].open == 2
    assert reverse("dashboard") in response.content.decode()


def test_the_township_figures_equal_the_lists_they_link_to(client, demo, busy):
    response = home(client, demo.user("county"))
    for row, urls in response.context["townships"]:
        assert listed(client, urls["open"]) == row.open
        assert listed(client, urls["reported"]) == row.reported
        assert listed(client, urls["supervised"]) == row.supervised


@pytest.mark.parametrize("username", [*ROLES, "inspector", "worker1"])
def test_every_count_equals_the_list_it_links_to(client, demo, busy, username):
    user = (
        demo.user(username) if username != "worker1" else busy["handled"].assignments.get().handler
    )
    response = home(client, user)
    for name, entry in sections(response).items():
        if name == "rankings":
            continue  # each draft is its own page; counted below
        assert listed(client, entry["url"]) == entry["section"].count, name
        assert len(entry["section"].items) == min(entry["section"].count, 5), name


def test_the_field_sees_its_own_work(client, demo, busy, worker_user):
    response = home(client, worker_user)
    assert items(response, "my_cases") == [busy["handled"].pk]
    assert (
        counts(response)["tasks"] == busy["campaign"].tasks.filter(staff__user=worker_user).count()
    )
    assert counts(response)["tasks"] >= 1
    assert items(response, "instructions") == [busy["instruction"].pk]
    page = response.content.decode()
    task = busy["campaign"].tasks.get(staff__user=worker_user)
    assert reverse("task_complete", args=[task.pk]) in page
    assert reverse("instruction_detail", args=[busy["instruction"].pk]) in page
    # The grid's own login (no roster entry) has the visit of the grid's resident.
    response = home(Client(), demo.user("grid1"))
    assert items(response, "visits") == [busy["resident"].pk]
    assert reverse("visit_record", args=[busy["resident"].pk]) in response.content.decode()


def test_the_village_staff_see_their_village(client, demo, busy):
    response = home(client, demo.user("village1"))
    assert set(items(response, "triage")) >= {c.pk for c in busy["reported"]}
    assert items(response, "handling") == [busy["handled"].pk]
    assert all(
        Case.objects.get(pk=pk).village_id == demo.village1.pk
        for entry in sections(response).values()
        for pk in items(response, entry["section"].name)
    )


@pytest.mark.parametrize("username", ["township1", "village1", "grid1", "police1", "member1"])
def test_another_townships_cases_never_appear(client, demo, busy, username):
    response = home(client, demo.user(username))
    shown = {pk for name in sections(response) for pk in items(response, name)}
    assert shown.isdisjoint(c.pk for c in busy["theirs"])
    assert demo.township2.name not in response.content.decode()


def test_township_two_sees_only_its_own(client, demo, busy):
    response = home(client, demo.user("township2"))
    assert sorted(items(response, "triage")) == sorted(c.pk for c in busy["theirs"])
    assert counts(response)["supervised"] == 0 and counts(response)["to_close"] == 0


def test_an_item_moves_on_once_acted_on(client, demo, busy, worker_user):
    case = busy["reported"][0]
    township = demo.user("township1")
    assert case.pk in items(home(client, township), "triage")

    accept(demo, case)
    response = home(client, township)
    assert case.pk not in items(response, "triage") and case.pk in items(response, "assign")

    assign(demo, Case.objects.get(pk=case.pk), handler=worker_user)
    response = home(client, township)
    assert case.pk not in items(response, "assign")
    assert case.pk in items(home(Client(), worker_user), "my_cases")

    services.case_resolve(
        case=Case.objects.get(pk=case.pk), line="political_legal", actor=worker_user,
        outcome="resolved",
    )  # fmt: skip
    assert case.pk not in items(home(Client(), worker_user), "my_cases")
    assert case.pk in items(home(client, township), "to_close")

    services.case_close(case=Case.objects.get(pk=case.pk), actor=township)
    assert case.pk not in items(home(client, township), "to_close")


def test_a_read_instruction_leaves_the_list(client, demo, busy, worker_user):
    client.force_login(worker_user)
    client.get(reverse("instruction_detail", args=[busy["instruction"].pk]))
    assert counts(home(client, worker_user))["instructions"] == 0


def test_nothing_to_do_says_so_in_plain_words(client, demo):
    response = home(client, demo.user("member1"))
    assert "暂无待办，辛苦了" in response.content.decode()
    assert "todo-all-done" in response.content.decode()


def test_a_user_without_an_area_is_told_so(client, demo):
    user = demo.user("grid1")
    user.area = None
    user.role = ""
    user.save()
    page = home(client, user).content.decode()
    assert "empty-state" in page


def test_the_dashboard_and_overview_keep_their_own_addresses(client, demo):
    client.force_login(demo.user("township1"))
    assert "assessment/dashboard.html" in [
        t.name for t in client.get(reverse("dashboard")).templates
    ]
    client.force_login(demo.user("grid1"))
    assert "home.html" in [t.name for t in client.get(reverse("overview")).templates]
    assert reverse("dashboard") not in home(client, demo.user("grid1")).content.decode()


# Session, user, area, then: the centres' counts in one query and the first few of each
# list that has any; the field's four counts (and their first few when any); the rankings
# to review; the townships (one query) and their figures (one GROUP BY); the inbox's unread
# count.
QUERIES = {"township1": 15, "village1": 14, "county": 15, "grid1": 9, "member1": 8}


@pytest.mark.parametrize("username", sorted(QUERIES))
def test_the_page_costs_a_fixed_number_of_queries_however_many_cases(
    client, demo, busy, username, django_assert_num_queries
):
    client.force_login(demo.user(username))
    with django_assert_num_queries(QUERIES[username]):
        client.get(reverse("home"))
    for _ in range(6):
        report(demo)
        accept(demo, report(demo).case)
        report(demo, grid=demo.grid2, reporter=demo.user("township2"))
    with django_assert_num_queries(QUERIES[username]):
        client.get(reverse("home"))


def test_only_levels_of_the_centre_are_its_to_do(demo, busy):
    county = demo.user("county")
    assert {c.level for c in todo_cases(user=county, name="overdue")} == {CaseLevel.COUNTY}
    township = demo.user("township1")
    assert CaseLevel.COUNTY not in {c.level for c in todo_cases(user=township, name="overdue")}
