"""Pages of supervision inspections 督导检查: the county records a visit with its checklist
and problems (errors on the row they belong to), the inspected area reports a problem fixed
(once: a second report is a message, never an error page), the list of problems with the
overdue ones marked, and jurisdiction (outsiders 404, wrong roles 403)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision.models import Inspection, InspectionProblem, ProblemStatus
from supervision.services.inspections import (
    DEFAULT_CHECKLIST,
    InspectionInput,
    ItemInput,
    ProblemInput,
    inspection_record,
)

LIST = "/inspections/"
NEW = "/inspections/new/"
PROBLEMS = "/inspections/problems/"


def client_for(client, demo, username):
    client.force_login(demo.user(username))
    return client


def today():
    return timezone.localdate()


def inspected(demo, *, area=None, days_ago=0, fix_in=14, problems=1) -> Inspection:
    on = today() - timedelta(days=days_ago)
    return inspection_record(
        actor=demo.user("centre"),
        data=InspectionInput(
            area=area or demo.village1,
            inspected_on=on,
            inspectors="王督导、陈督导",
            score=Decimal("86.5"),
            items=[
                ItemInput(text="台账齐全", passed=True),
                ItemInput(text="网格员在岗", passed=False),
            ],
            problems=[
                ProblemInput(description=f"问题{n}", fix_by=on + timedelta(days=fix_in))
                for n in range(problems)
            ],
        ),
    )


def inspection_post(demo, items=None, problems=None, **overrides) -> dict:
    items = items if items is not None else [{"text": "台账齐全", "passed": "yes"}]
    problems = problems or []
    data = {
        "area": demo.village1.pk,
        "inspected_on": today().isoformat(),
        "inspectors": "王督导、陈督导",
        "score": "88.5",
        "summary": "总体较好。",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "problems-TOTAL_FORMS": str(len(problems)),
        "problems-INITIAL_FORMS": "0",
    }
    for prefix, rows in (("items", items), ("problems", problems)):
        for index, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{index}-{key}"] = value
    data.update(overrides)
    return data


# --- Recording -------------------------------------------------------------------------------


def test_the_form_comes_with_the_countys_checklist_and_blank_rows(client, demo):
    client_for(client, demo, "centre")
    response = client.get(NEW)
    assert response.status_code == 200
    items = response.context["items"]
    texts = [form["text"].value() for form in items.forms]
    assert texts[: len(DEFAULT_CHECKLIST)] == [str(text) for text in DEFAULT_CHECKLIST]
    assert len(items.forms) == len(DEFAULT_CHECKLIST) + 3
    assert len(response.context["problems"].forms) == 3
    areas = set(response.context["form"].fields["area"].queryset.values_list("level", flat=True))
    assert areas == {"township", "village"}


def test_the_county_records_an_inspection_with_items_and_problems(client, demo):
    client_for(client, demo, "centre")
    fix_by = (today() + timedelta(days=10)).isoformat()
    items = [
        {"text": "综治中心规范化建设", "passed": "yes"},
        {"text": "", "passed": "", "note": ""},  # a default item cleared: left out
        {"text": "网格员在岗履职", "passed": "no", "note": "两名网格员不在岗"},
        {"text": "", "passed": ""},
    ]
    problems = [
        {"description": "", "fix_by": ""},
        {"description": "网格员巡查记录缺失", "fix_by": fix_by},
    ]
    response = client.post(NEW, inspection_post(demo, items, problems))
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspection_detail", args=[inspection.pk])
    assert inspection.score == Decimal("88.5") and inspection.created_by == demo.user("centre")
    assert list(inspection.items.values_list("text", "passed", "note")) == [
        ("综治中心规范化建设", True, ""),
        ("网格员在岗履职", False, "两名网格员不在岗"),
    ]
    assert list(inspection.problems.values_list("description", "status")) == [
        ("网格员巡查记录缺失", ProblemStatus.OPEN)
    ]


def test_bad_fields_are_refused_with_their_messages(client, demo):
    client_for(client, demo, "centre")
    items = [{"text": "台账齐全", "passed": ""}]
    problems = [{"description": "缺少值班表", "fix_by": ""}]
    response = client.post(NEW, inspection_post(demo, items, problems, score="120", inspectors=""))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"score", "inspectors"}
    assert response.context["items"].forms[0].errors["passed"]
    assert response.context["problems"].forms[0].errors["fix_by"]
    page = response.content.decode()
    assert 'class="checklist-row has-error" id="items-0"' in page
    assert not Inspection.objects.exists()


def test_the_services_row_errors_land_on_their_rows(client, demo):
    client_for(client, demo, "centre")
    yesterday = (today() - timedelta(days=1)).isoformat()
    problems = [
        {"description": "", "fix_by": ""},
        {"description": "台账不全", "fix_by": yesterday},  # before the inspection
    ]
    response = client.post(NEW, inspection_post(demo, problems=problems))
    assert response.status_code == 400
    rows = response.context["problems"].forms
    assert not rows[0].errors and rows[1].non_field_errors()
    assert 'class="problem-row has-error" id="problems-1"' in response.content.decode()


def test_a_checklist_with_no_item_is_refused(client, demo):
    client_for(client, demo, "centre")
    response = client.post(NEW, inspection_post(demo, items=[{"text": "", "passed": ""}]))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_an_area_outside_the_county_levels_is_refused(client, demo):
    client_for(client, demo, "centre")
    response = client.post(NEW, inspection_post(demo, area=demo.grid1.pk))
    assert response.status_code == 400
    assert response.context["form"].errors["area"]


@pytest.mark.parametrize("username", ["township1", "village1", "grid1", "police1", "inspector"])
def test_only_the_county_records_inspections(client, demo, username):
    client_for(client, demo, username)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, inspection_post(demo)).status_code == 403
    assert not Inspection.objects.exists()


# --- Reading ---------------------------------------------------------------------------------


def test_the_list_shows_score_and_open_problems(client, demo):
    inspection = inspected(demo, problems=2)
    client_for(client, demo, "township1")
    page = client.get(LIST).content.decode()
    assert f'data-inspection="{inspection.pk}"' in page
    assert '<td class="num score">86.5</td>' in page
    assert '<b class="late">2</b>' in page
    assert 'id="record-link"' not in page

    client_for(client, demo, "county")
    assert 'id="record-link"' in client.get(LIST).content.decode()
    page = client.get(LIST, {"area": demo.township2.pk}).content.decode()
    assert f'data-inspection="{inspection.pk}"' not in page
    assert (
        f'data-inspection="{inspection.pk}"' in client.get(LIST, {"q": "王督导"}).content.decode()
    )

    client_for(client, demo, "township2")
    assert f'data-inspection="{inspection.pk}"' not in client.get(LIST).content.decode()


def test_the_lists_take_the_same_queries_however_many_rows(client, demo):
    client_for(client, demo, "township1")
    inspected(demo)
    counts = {}
    for url in (LIST, PROBLEMS):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    for _n in range(3):
        inspected(demo, problems=2)
    for url in (LIST, PROBLEMS):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == counts[url]
    # session, user, area (context), [filter areas,] count, page, unread notifications
    assert counts == {LIST: 7, PROBLEMS: 6}


def test_the_detail_offers_the_fix_to_the_inspected_areas_centres(client, demo):
    inspection = inspected(demo)
    url = reverse("inspection_detail", args=[inspection.pk])
    problem = inspection.problems.get()
    fix = reverse("problem_fix", args=[problem.pk])
    for username, can_fix in (("township1", True), ("village1", True), ("inspector", False)):
        client_for(client, demo, username)
        response = client.get(url)
        assert response.status_code == 200
        assert (f'action="{fix}"' in response.content.decode()) is can_fix


def test_outsiders_get_not_found(client, demo):
    inspection = inspected(demo)
    problem = inspection.problems.get()
    for username in ("township2", "grid1"):
        client_for(client, demo, username)
        assert client.get(reverse("inspection_detail", args=[inspection.pk])).status_code == 404
        fix = reverse("problem_fix", args=[problem.pk])
        assert client.post(fix, {f"fix-{problem.pk}-fix_note": "已整改"}).status_code == 404
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


# --- Fixing problems ---------------------------------------------------------------------------


def fix_data(problem, note="已补齐巡查记录", on=None):
    return {
        f"fix-{problem.pk}-fix_note": note,
        f"fix-{problem.pk}-fixed_on": (on or today()).isoformat(),
    }


def test_a_problem_is_reported_fixed_once(client, demo):
    inspection = inspected(demo)
    problem = inspection.problems.get()
    client_for(client, demo, "township1")
    fix = reverse("problem_fix", args=[problem.pk])
    response = client.post(fix, fix_data(problem))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("inspection_detail", args=[inspection.pk]))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FIXED and problem.fixed_by == demo.user("township1")

    response = client.post(fix, fix_data(problem, note="再次提交"), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]]
    problem.refresh_from_db()
    assert problem.fix_note == "已补齐巡查记录"


def test_a_fix_without_a_note_is_refused_on_the_field(client, demo):
    problem = inspected(demo).problems.get()
    client_for(client, demo, "village1")
    response = client.post(reverse("problem_fix", args=[problem.pk]), fix_data(problem, note=""))
    assert response.status_code == 400
    fixing = next(p for p in response.context["problems"] if p.pk == problem.pk)
    assert fixing.fix_form.errors["fix_note"]
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_a_fix_in_the_future_is_the_services_error_on_the_field(client, demo):
    problem = inspected(demo).problems.get()
    client_for(client, demo, "township1")
    tomorrow = today() + timedelta(days=1)
    response = client.post(
        reverse("problem_fix", args=[problem.pk]), fix_data(problem, on=tomorrow)
    )
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.parametrize("username", ["police1", "inspector"])
def test_the_police_and_inspectors_do_not_report_fixes(client, demo, username):
    problem = inspected(demo).problems.get()
    client_for(client, demo, username)
    response = client.post(reverse("problem_fix", args=[problem.pk]), fix_data(problem))
    assert response.status_code == 403


def test_the_fix_takes_only_posts(client, demo):
    problem = inspected(demo).problems.get()
    client_for(client, demo, "township1")
    assert client.get(reverse("problem_fix", args=[problem.pk])).status_code == 405


def test_the_problem_list_marks_the_overdue(client, demo):
    late = inspected(demo, days_ago=10, fix_in=5).problems.get()
    due = inspected(demo, fix_in=20).problems.get()
    fixed = inspected(demo).problems.get()
    InspectionProblem.objects.filter(pk=fixed.pk).update(
        status=ProblemStatus.FIXED, fixed_on=today(), fix_note="已整改"
    )
    client_for(client, demo, "township1")
    page = client.get(PROBLEMS).content.decode()
    assert f'data-problem="{late.pk}" class="overdue"' in page
    assert f'data-problem="{due.pk}">' in page and f'data-problem="{fixed.pk}">' in page

    shown = {
        show: {p.pk for p in client.get(PROBLEMS, {"show": show}).context["page"].object_list}
        for show in ("open", "overdue", "fixed")
    }
    assert shown == {"open": {late.pk, due.pk}, "overdue": {late.pk}, "fixed": {fixed.pk}}

    client_for(client, demo, "township2")
    assert client.get(PROBLEMS).context["page"].paginator.count == 0
