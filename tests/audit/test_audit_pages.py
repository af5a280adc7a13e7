"""The county's administrators search and export the audit log of their county; nobody
else reads it. Logins, successful or not, are in it (and in the log), never a password."""

from __future__ import annotations

import logging
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ACTION_LABELS, AuditEntry
from audit.services import audit_record
from demo.seed import DEMO_PASSWORD
from disputes import services
from governance.platform.roles import Role
from grids.models import Area
from personnel.models import User
from tests.factories import register, report
from tests.samples import ID_A


@pytest.fixture
def history(demo):
    """A case of each township moved on, and a resident registered in township 1."""
    ours = report(demo).case
    services.case_accept(case=ours, actor=demo.user("township1"))
    theirs = report(demo, grid=demo.grid2, reporter=demo.user("township2")).case
    services.case_accept(case=theirs, actor=demo.user("township2"))
    register(demo)
    return ours, theirs


def rows(response) -> list[int]:
    return [entry.pk for entry in response.context["page"].object_list]


def changes_only() -> dict:
    """The filter that leaves out the logins (each test's own login is an entry too)."""
    return {"object_type": "case"}


def test_the_county_admin_searches_the_whole_county(client, demo, history):
    ours, theirs = history
    client.force_login(demo.user("county"))
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    # Two reports, two acceptances, a registration, and the admin's own login.
    assert response.context["page"].paginator.count == AuditEntry.objects.count() == 6
    by_action = client.get(reverse("audit_log"), {"action": "case.accept"})
    assert {e.object_id for e in by_action.context["page"].object_list} == {
        str(ours.pk), str(theirs.pk)
    }  # fmt: skip
    family = client.get(reverse("audit_log"), {"action": "case."})
    assert family.context["page"].paginator.count == 4
    by_object = client.get(reverse("audit_log"), {"object_type": "case", "object_id": theirs.pk})
    assert {e.action for e in by_object.context["page"].object_list} == {
        "case.report", "case.accept"
    }  # fmt: skip
    by_actor = client.get(reverse("audit_log"), {"actor": "township2"})
    assert [(e.actor_name, e.action) for e in by_actor.context["page"].object_list] == [
        ("township2", "case.accept"), ("township2", "case.report")
    ]  # fmt: skip
    page = by_actor.content.decode()
    assert "case.accept" in page and "township2" in page


def test_the_time_range_filters_by_local_day(client, demo, history):
    client.force_login(demo.user("county"))
    today = AuditEntry.objects.first().created_at.astimezone().date()
    assert rows(client.get(reverse("audit_log"), {"since": today, "until": today}))
    later = today.replace(year=today.year + 1)
    empty = client.get(reverse("audit_log"), {"since": later})
    assert rows(empty) == [] and 'class="empty-state"' in empty.content.decode()
    wrong = client.get(reverse("audit_log"), {"since": later, "until": today})
    assert wrong.context["form"].errors["until"]


def test_a_log_with_nothing_to_show_says_so(client, demo):
    client.force_login(demo.user("county"))
    response = client.get(reverse("audit_log"), changes_only())
    assert rows(response) == [] and 'class="empty-state"' in response.content.decode()


def test_the_log_is_paginated(client, demo):
    for n in range(55):
        audit_record(action="settings.change", actor=demo.user("county"), object_id=n)
    client.force_login(demo.user("county"))
    first = client.get(reverse("audit_log"), {"action": "settings.change"})
    second = client.get(reverse("audit_log"), {"action": "settings.change", "page": 2})
    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert set(rows(first)).isdisjoint(rows(second))


def test_the_export_is_the_filtered_log_watermarked_and_masked(client, demo, history):
    client.force_login(demo.user("county"))
    response = client.get(reverse("audit_log_export"), {"action": "resident."})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    sheet = load_workbook(BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    mark = values[3][0]  # the watermark under the title, period and export rows
    assert "county" in mark and str(demo.user("county")) in values[2][0]
    body = values[5:]
    assert len(body) == 1 and body[0][0] == 1  # one entry, numbered
    assert body[0][6] == str(ACTION_LABELS["resident.register"])  # its action named
    assert ID_A not in repr(values) and "13800138000" not in repr(values)


@pytest.mark.parametrize(
    "username", ["centre", "township1", "police1", "village1", "grid1", "member1", "inspector"]
)
def test_nobody_but_the_county_admins_reads_it(client, demo, history, username):
    client.force_login(demo.user(username))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_export")).status_code == 403
    assert reverse("audit_log") not in client.get(reverse("home")).content.decode()


def test_the_nav_offers_it_to_the_county_admin(client, demo):
    client.force_login(demo.user("county"))
    assert reverse("audit_log") in client.get(reverse("home")).content.decode()


def test_another_county_admin_sees_nothing_of_this_county(client, demo, history, other_county):
    outsider = User.objects.create_user("other-admin", role=Role.COUNTY_ADMIN, area=other_county)
    client.force_login(outsider)
    response = client.get(reverse("audit_log"))
    # Their own login and the making of their own county's areas, and nothing else.
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    own_areas = set(Area.objects.filter(tree_id=other_county.tree_id).values_list("pk", flat=True))
    assert [e.action for e in entries if e.action != "area.create"] == ["login.success"]
    assert {e.area_id for e in entries} <= own_areas
    export = client.get(reverse("audit_log_export"), changes_only())
    sheet = load_workbook(BytesIO(export.content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert len(rows) == 5  # title, period, export, watermark, headings: none of its cases


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for name in ("audit_log", "audit_log_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Logins ---------------------------------------------------------------------------------


def test_a_login_and_a_failed_one_are_logged_and_audited_without_the_password(client, demo, caplog):
    caplog.set_level(logging.INFO, logger="audit.login")
    client.post(reverse("login"), {"username": "township1", "password": "wrong-guess-77"})
    client.post(reverse("login"), {"username": "township1", "password": DEMO_PASSWORD})
    failed, succeeded = AuditEntry.objects.filter(action__startswith="login.").order_by("id")
    assert failed.action == "login.failure" and failed.actor is None
    assert failed.new_values == {"username": "township1", "ip": "127.0.0.1"}
    assert failed.area_id == demo.township1.pk  # scoped to the account's county
    assert succeeded.action == "login.success" and succeeded.actor == demo.user("township1")
    assert succeeded.new_values == {"ip": "127.0.0.1"}
    messages = [record.getMessage() for record in caplog.records if record.name == "audit.login"]
    assert messages == [
        "login failed: township1 from 127.0.0.1",
        "login succeeded: township1 from 127.0.0.1",
    ]
    everything = caplog.text + repr(list(AuditEntry.objects.values_list("new_values", flat=True)))
    assert "wrong-guess-77" not in everything and DEMO_PASSWORD not in everything


def test_a_failed_login_for_an_unknown_name_is_audited_and_a_phone_as_name_masked(
    client, demo, caplog
):
    caplog.set_level(logging.INFO, logger="audit.login")
    client.post(reverse("login"), {"username": "13812345678", "password": "x"})
    entry = AuditEntry.objects.get(action="login.failure")
    assert entry.new_values["username"] == "138****5678" and entry.object_id == ""
    assert "13812345678" not in caplog.text


def test_the_api_token_login_failure_is_audited_too(client, demo):
    client.post(reverse("api_token"), {"username": "grid1", "password": "nope"})
    assert AuditEntry.objects.filter(action="login.failure").count() == 1


def test_the_lockout_lasts_the_cool_off_time_and_no_longer(client, demo, settings):
    from axes.models import AccessAttempt

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "township2", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "township2", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    # The cool-off passes (AXES_COOLOFF_TIME): the right password gets in again.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - settings.AXES_COOLOFF_TIME)  # fmt: skip
    unlocked = client.post(reverse("login"), {"username": "township2", "password": DEMO_PASSWORD})
    assert unlocked.status_code == 302
    assert AuditEntry.objects.filter(action="login.failure").count() >= settings.AXES_FAILURE_LIMIT


def test_an_export_past_the_limit_goes_back_to_the_filtered_log_saying_so(
    client, demo, history, monkeypatch
):
    monkeypatch.setattr("audit.views.EXPORT_LIMIT", 0)
    client.force_login(demo.user("county"))
    response = client.get(reverse("audit_log_export"), {"action": "resident."}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("audit_log") + "?action=resident.")
    assert "导出" in response.content.decode()  # "narrow the filters … to export"
