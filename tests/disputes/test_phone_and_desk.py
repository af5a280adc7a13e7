"""The field's frame and the centres' desk: the tab bar and the side menu per role, one
deadline mark everywhere, the centres' batch assign and export of ticked cases, and tap to
call through a logged POST."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from disputes import services
from disputes.models import Assignment, Case, CaseStatus
from disputes.templatetags.deadlines import deadline_state
from personnel.models import Staff
from tests.factories import report

NOW = timezone.now()


# --- The deadline mark -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "kwargs", "state", "days", "hours"),
    [
        (NOW - timedelta(days=3, hours=2), {}, "overdue", 3, 2),
        (NOW - timedelta(minutes=20), {}, "overdue", 0, 1),
        (NOW + timedelta(hours=5), {}, "soon", 0, 5),  # inside the default day's window
        (NOW + timedelta(hours=30), {}, "plain", 0, 0),
        (NOW + timedelta(hours=30), {"warn_at": NOW - timedelta(hours=1)}, "soon", 1, 30),
        (NOW + timedelta(hours=10), {"warn_at": NOW + timedelta(hours=1)}, "plain", 0, 0),
        # Without a warning time: the cases' share of the time since the start.
        (NOW + timedelta(hours=20), {"start": NOW - timedelta(hours=70)}, "soon", 0, 20),
        (NOW + timedelta(hours=80), {"start": NOW - timedelta(hours=20)}, "plain", 0, 0),
        (NOW - timedelta(days=2), {"done": True}, "plain", 0, 0),
    ],
)
def test_a_deadline_is_overdue_due_soon_or_plain(when, kwargs, state, days, hours):
    mark = deadline_state(when, now=NOW, **kwargs)
    assert (mark.state, mark.days, mark.hours) == (state, days, hours)


def test_a_due_day_counts_whole_days():
    today = timezone.localdate(NOW)
    assert deadline_state(today - timedelta(days=106), now=NOW).days == 106
    assert deadline_state(today - timedelta(days=106), now=NOW).state == "overdue"
    assert deadline_state(today, now=NOW).state == "soon"
    week = timedelta(days=7)
    assert deadline_state(today + timedelta(days=5), now=NOW, window=week).state == "soon"
    assert deadline_state(today + timedelta(days=9), now=NOW, window=week).state == "plain"
    assert deadline_state(None).state == "none" and isinstance(today, date)


def test_the_case_list_marks_overdue_in_red_and_due_soon_in_amber(client, demo):
    late, soon, later = (report(demo, title=f"事件{n}").case for n in range(3))
    Case.objects.filter(pk=late.pk).update(deadline=NOW - timedelta(days=2, hours=1))
    Case.objects.filter(pk=soon.pk).update(
        deadline=NOW + timedelta(hours=5, minutes=30), warn_at=NOW - timedelta(hours=1)
    )
    client.force_login(demo.user("township1"))
    page = client.get(reverse("case_list")).content.decode()
    assert '<span class="deadline overdue"' in page and "超期 2 天" in page
    assert '<span class="deadline soon"' in page and "剩余 6 小时" in page
    assert (
        f'datetime="{later.deadline.astimezone(timezone.get_current_timezone()):%Y-%m-%d}' in page
    )


# --- The frame ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["grid1", "member1", "police1", "village1"])
def test_the_field_gets_a_tab_bar_without_the_centres_pages(client, demo, username):
    client.force_login(demo.user(username))
    page = client.get(reverse("home")).content.decode()
    tabbar = page[page.index('<nav class="tabbar"') : page.index("</nav>", page.index("tabbar"))]
    for path in ("/staff/", "/assessment/", "/incidents/", "/api/docs/"):
        assert f'href="{path}' not in page, path
    assert tabbar.count("<a ") == 5
    assert 'class="sidemenu"' not in page
    events = "/cases/" if username == "village1" else "/cases/mine/"
    assert f'href="{events}" data-tab="cases"' in tabbar


@pytest.mark.parametrize(
    ("username", "api"), [("county", True), ("township1", False), ("inspector", False)]
)
def test_the_centres_get_the_side_menu_grouped_by_work(client, demo, username, api):
    client.force_login(demo.user(username))
    page = client.get(reverse("case_list")).content.decode()
    menu = page[page.index('<nav class="sidemenu"') : page.index("</nav>", page.index("sidemenu"))]
    assert 'class="tabbar"' not in page
    assert ('href="/api/docs/"' in menu) is api
    for title in ("事件办理", "人员力量", "系统管理"):
        assert title in menu


def test_the_me_and_work_pages_answer_and_write_nothing(client, demo):
    client.force_login(demo.user("grid1"))
    before = AuditEntry.objects.count()
    me = client.get(reverse("me")).content.decode()
    assert "退出登录" in me and "修改密码" in me and demo.grid1.name in me
    work = client.get(reverse("field_work")).content.decode()
    assert 'href="/visits/"' in work and 'href="/campaigns/tasks/"' in work
    assert AuditEntry.objects.count() == before


# --- Batch work on the centres' list --------------------------------------------------


def accepted(demo, count=2):
    return [
        services.case_accept(case=report(demo, title=f"批量{n}").case, actor=demo.user("township1"))
        for n in range(count)
    ]


def test_the_confirmation_page_changes_nothing_and_the_post_assigns_each(client, demo):
    cases = accepted(demo)
    waiting = report(demo, title="未受理").case
    client.force_login(demo.user("township1"))
    url = reverse("case_batch_assign")
    ids = [c.pk for c in cases] + [waiting.pk]
    page = client.get(url, {"ids": ids})
    assert page.status_code == 200 and not Assignment.objects.exists()
    assert "未受理" in page.content.decode()  # listed as left out
    police1 = demo.user("police1")
    done = client.post(url, {"ids": ids, "line": "police", "handler": police1.pk, "unit": ""})
    assert done.status_code == 302
    lines = Assignment.objects.filter(line="police", handler=police1)
    assert sorted(lines.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
    assert Case.objects.get(pk=waiting.pk).status == CaseStatus.REPORTED
    # Sent again, it assigns nothing twice: the cases are no longer waiting for it.
    again = client.post(url, {"ids": ids, "line": "police", "handler": police1.pk})
    assert again.status_code == 400 and lines.count() == 2


def test_one_case_that_cannot_be_assigned_leaves_all_unassigned(client, demo):
    ours = accepted(demo, 1)[0]
    theirs = services.case_accept(
        case=report(demo, grid=demo.grid2, reporter=demo.user("county")).case,
        actor=demo.user("county"),
    )
    client.force_login(demo.user("county"))
    handler = demo.user("police1")  # serves village 1 only
    response = client.post(
        reverse("case_batch_assign"),
        {"ids": [ours.pk, theirs.pk], "line": "police", "handler": handler.pk},
    )
    assert response.status_code == 400 and not Assignment.objects.exists()


def test_a_bad_selection_is_a_field_error_not_a_crash(client, demo):
    client.force_login(demo.user("township1"))
    assert client.get(reverse("case_batch_assign"), {"ids": ["x"]}).status_code == 200
    response = client.post(reverse("case_batch_assign"), {"ids": ["1"], "line": "nope"})
    assert response.status_code == 400
    assert client.get(reverse("case_export"), {"ids": ["abc"]}).status_code < 500


def test_the_selection_exports_only_the_ticked_cases(client, demo):
    first, second, _third = (report(demo, title=f"导出{n}").case for n in range(3))
    client.force_login(demo.user("township1"))
    response = client.get(reverse("case_export"), {"ids": [first.pk, second.pk]})
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    assert "导出0" in text and "导出1" in text and "导出2" not in text


def test_a_field_user_is_offered_no_batch_and_assigns_nothing(client, demo):
    case = accepted(demo, 1)[0]
    client.force_login(demo.user("grid1"))
    assert "batch-assign" not in client.get(reverse("case_list")).content.decode()
    client.post(reverse("case_batch_assign"), {"ids": [case.pk], "line": "police"})
    assert not Assignment.objects.exists()


# --- Tap to call -------------------------------------------------------------------------


def test_a_party_is_called_through_a_logged_post(client, demo):
    case = report(demo).case  # its party's mobile is 13800138000
    url = reverse("case_call", args=[case.pk])
    client.force_login(demo.user("grid1"))  # the reporter
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "13800138000" not in page and "138****8000" in page and url in page
    assert client.get(url).status_code == 405
    answer = client.post(url, {"party": "0"}, HTTP_ACCEPT="application/json")
    assert answer.json()["tel"] == "13800138000" and answer["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.filter(action="case.party_call").get()
    assert entry.actor == demo.user("grid1") and entry.new_values["purpose"] == "联系工作"
    assert "13800138000" not in str(entry.new_values)
    assert client.post(url, {"party": "7"}).status_code == 404


def test_only_those_who_handle_or_reported_a_case_call_its_parties(client, demo):
    case = report(demo).case
    client.force_login(demo.user("member1"))  # sees the grid's case, neither handles nor reported
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'name="party"' not in page
    assert client.post(reverse("case_call", args=[case.pk]), {"party": "0"}).status_code == 403
    assert not AuditEntry.objects.filter(action="case.party_call").exists()
    client.force_login(demo.user("township2"))  # outside: as if it did not exist
    assert client.post(reverse("case_call", args=[case.pk]), {"party": "0"}).status_code == 404


def test_a_colleague_on_the_roster_is_called_through_a_logged_post(client, demo, roster):
    staff = Staff.objects.get(user=demo.user("grid1"))
    client.force_login(demo.user("township1"))
    listing = client.get(reverse("staff_list")).content.decode()
    assert reverse("staff_call", args=[staff.pk]) in listing and staff.phone not in listing
    page = client.post(reverse("staff_call", args=[staff.pk]))
    assert page.status_code == 200 and f'href="tel:{staff.phone}"' in page.content.decode()
    assert AuditEntry.objects.filter(action="staff.call", object_id=str(staff.pk)).count() == 1
    client.force_login(demo.user("township2"))
    assert client.post(reverse("staff_call", args=[staff.pk])).status_code == 404


def test_a_lines_handler_is_called_from_the_case_page(client, demo, roster):
    case = services.case_accept(case=report(demo).case, actor=demo.user("township1"))
    services.case_assign(
        case=case,
        actor=demo.user("township1"),
        lines=[{"line": "police", "unit": "", "handler": None}],
    )
    line = case.assignments.get()
    staff = line.staff or Staff.objects.get(user=line.handler)
    client.force_login(demo.user("member1"))  # sees the case: may call who handles it
    answer = client.post(
        reverse("case_call", args=[case.pk]), {"line": str(line.pk)}, HTTP_ACCEPT="application/json"
    )
    assert answer.json()["tel"] == staff.phone
    assert AuditEntry.objects.filter(action="case.handler_call").count() == 1
    assert client.post(reverse("case_call", args=[case.pk]), {"line": "x"}).status_code == 404
