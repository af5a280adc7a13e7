"""Pages of analysis meetings 研判会: the two-step record (level and area, then the form with
the area's queue), decisions carried out through the case workflow with the meeting named
on the case's timeline, errors on the row they belong to, the record, the printable minutes,
and jurisdiction (outsiders 404, wrong roles 403)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disputes.models import Case, CaseStatus
from supervision.models import Decision, Judgement, Meeting, MeetingCase, MeetingLevel
from supervision.services.meetings import ItemInput, MeetingInput, meeting_record
from tests.factories import report

LIST = "/meetings/"
NEW = "/meetings/new/"


def client_for(client, demo, username):
    client.force_login(demo.user(username))
    return client


def case_in(demo, grid=None, reporter="grid1", title="宅基地边界争议") -> Case:
    return report(
        demo,
        grid=grid or demo.grid1,
        reporter=demo.user(reporter),
        title=title,
        client_uuid=uuid.uuid4(),
    ).case


def later(days=3) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def meeting_post(demo, rows: list[dict], **overrides) -> dict:
    """The form as the browser sends it: the meeting, then one row per case of the queue."""
    data = {
        "level": MeetingLevel.TOWNSHIP_DAILY,
        "area": demo.township1.pk,
        "held_on": timezone.localdate().isoformat(),
        "chair": "李镇长",
        "units": ["centre", "court", "police_station", "justice_office"],
        "participants": "综治中心、派出所、司法所",
        "summary": "研判本周矛盾纠纷。",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": str(len(rows)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "200",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{index}-{key}"] = value
    data.update(overrides)
    return data


def recorded(demo, cases=(), actor="township1") -> Meeting:
    return meeting_record(
        actor=demo.user(actor),
        data=MeetingInput(
            level=MeetingLevel.TOWNSHIP_DAILY,
            area=demo.township1,
            held_on=timezone.localdate(),
            chair="李镇长",
            items=[ItemInput(case=case, judgement=Judgement.ATTENTION) for case in cases],
        ),
    )


# --- Recording -------------------------------------------------------------------------------


def test_the_first_step_asks_for_the_meeting_and_its_area(client, demo):
    client_for(client, demo, "township1")
    response = client.get(NEW)
    assert response.status_code == 200
    areas = list(response.context["form"].fields["area"].queryset)
    assert areas == [demo.township1]


def test_changing_the_meeting_keeps_the_level_without_complaining(client, demo):
    client_for(client, demo, "township1")
    response = client.get(NEW, {"level": MeetingLevel.LEADERSHIP_WEEKLY})
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors and form["level"].value() == MeetingLevel.LEADERSHIP_WEEKLY


def test_the_second_step_lists_the_areas_open_cases_only(client, demo):
    mine = case_in(demo)
    theirs = case_in(demo, grid=demo.grid2, reporter="township2")
    client_for(client, demo, "township1")
    response = client.get(NEW, {"level": MeetingLevel.TOWNSHIP_DAILY, "area": demo.township1.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-case="{mine.pk}"' in page
    assert f'data-case="{theirs.pk}"' not in page
    assert response.context["form"]["held_on"].value() == timezone.localdate()


@pytest.mark.parametrize(
    "level, area",
    [(MeetingLevel.COUNTY_MONTHLY, "township1"), (MeetingLevel.TOWNSHIP_DAILY, "township2")],
)
def test_a_wrong_area_for_the_meeting_is_refused_in_the_first_step(client, demo, level, area):
    client_for(client, demo, "township1")
    response = client.get(NEW, {"level": level, "area": getattr(demo, area).pk})
    assert response.status_code == 400
    assert response.context["form"].errors["area"]


def test_the_county_holds_the_monthly_meeting(client, demo):
    case = case_in(demo)
    client_for(client, demo, "county")
    response = client.get(NEW, {"level": MeetingLevel.COUNTY_MONTHLY, "area": demo.county.pk})
    assert response.status_code == 200
    assert f'data-case="{case.pk}"' in response.content.decode()


def test_a_meeting_assigns_one_case_and_supervises_another(client, demo, roster):
    assigned, supervised = case_in(demo), case_in(demo, title="噪音扰民")
    client_for(client, demo, "township1")
    rows = [
        {
            "case": assigned.pk,
            "pick": "on",
            "judgement": Judgement.KEY_ATTENTION,
            "risk_flags": ["criminal", "petition"],
            "decision": Decision.ASSIGN,
            "note": "司法所牵头调解",
        },
        {
            "case": supervised.pk,
            "pick": "on",
            "judgement": Judgement.ATTENTION,
            "decision": Decision.SUPERVISE,
            "supervision_deadline": later(),
        },
    ]
    response = client.post(NEW, meeting_post(demo, rows))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_detail", args=[meeting.pk])

    assigned.refresh_from_db()
    supervised.refresh_from_db()
    assert assigned.status == CaseStatus.ASSIGNED
    assert supervised.supervised
    item = MeetingCase.objects.get(meeting=meeting, case=assigned)
    assert item.risk_flags == ["criminal", "petition"] and item.lines == []
    assert item.event.action == "assign"
    assert item.event.data["source"]["meeting"] == meeting.pk
    assert assigned.assignments.get().line == "political_legal"  # no line ticked

    page = client.get(f"/cases/{assigned.pk}/").content.decode()
    # "Decided at <the meeting>" under the timeline entry (its wording is translated)
    source = f'event-source">{_("Decided at")} <a href="/meetings/{meeting.pk}/">'
    assert source in page

    detail = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert f'href="{reverse("case_detail", args=[assigned.pk])}"' in text
    assert f'data-case="{supervised.pk}" class="decision-supervise"' in text


def test_cases_left_unticked_are_not_recorded(client, demo):
    discussed, left = case_in(demo), case_in(demo, title="噪音扰民")
    client_for(client, demo, "township1")
    rows = [
        {"case": discussed.pk, "pick": "on", "judgement": Judgement.ATTENTION},
        {"case": left.pk, "judgement": Judgement.ATTENTION, "supervision_deadline": "garbage"},
    ]
    response = client.post(NEW, meeting_post(demo, rows))
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert list(meeting.items.values_list("case_id", "decision")) == [
        (discussed.pk, Decision.WATCH)
    ]
    left.refresh_from_db()
    assert left.status == CaseStatus.REPORTED


def test_a_case_of_another_township_cannot_be_picked(client, demo):
    theirs = case_in(demo, grid=demo.grid2, reporter="township2")
    client_for(client, demo, "township1")
    rows = [{"case": theirs.pk, "pick": "on", "judgement": "attention", "decision": "assign"}]
    response = client.post(NEW, meeting_post(demo, rows))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].non_field_errors()
    assert not Meeting.objects.exists()
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.REPORTED


def test_a_missing_chair_and_judgement_are_field_errors(client, demo):
    case = case_in(demo)
    client_for(client, demo, "township1")
    rows = [{"case": case.pk, "pick": "on", "judgement": "", "decision": "supervise"}]
    response = client.post(NEW, meeting_post(demo, rows, chair=""))
    assert response.status_code == 400
    assert response.context["form"].errors["chair"]
    row = response.context["formset"].forms[0]
    assert set(row.errors) == {"judgement", "supervision_deadline"}
    page = response.content.decode()
    assert 'class="queue-item has-error"' in page and 'class="field-error"' in page
    assert not Meeting.objects.exists()


def test_the_services_errors_come_back_on_their_row(client, demo):
    fine, already = case_in(demo), case_in(demo, title="噪音扰民")
    recorded_first = meeting_record(
        actor=demo.user("township1"),
        data=MeetingInput(
            level=MeetingLevel.TOWNSHIP_DAILY,
            area=demo.township1,
            held_on=timezone.localdate(),
            chair="李镇长",
            items=[ItemInput(case=already, judgement="attention", decision=Decision.ASSIGN)],
        ),
    )
    assert recorded_first.items.count() == 1
    client_for(client, demo, "township1")
    rows = [
        {"case": fine.pk, "judgement": "attention"},  # not ticked: row 0 is not item 0
        {"case": fine.pk, "pick": "on", "judgement": "attention", "decision": "watch"},
        {"case": already.pk, "pick": "on", "judgement": "attention", "decision": "assign"},
    ]
    response = client.post(NEW, meeting_post(demo, rows))
    assert response.status_code == 400
    forms = response.context["formset"].forms
    assert not forms[0].errors and not forms[1].errors
    with translation.override("zh-hans"):
        expected = translation.gettext("Case %(id)s is %(status)s: it cannot be assigned now.") % {
            "id": already.pk,
            "status": CaseStatus(CaseStatus.ASSIGNED).label,
        }
    assert expected in forms[2].non_field_errors()
    assert Meeting.objects.count() == 1


def test_a_past_supervision_deadline_is_the_services_error_on_the_row(client, demo):
    case = case_in(demo)
    client_for(client, demo, "township1")
    rows = [
        {
            "case": case.pk,
            "pick": "on",
            "judgement": "attention",
            "decision": "supervise",
            "supervision_deadline": later(days=-1),
        }
    ]
    response = client.post(NEW, meeting_post(demo, rows))
    assert response.status_code == 400
    assert response.context["formset"].forms[0].non_field_errors()


def test_a_meeting_in_the_future_is_refused(client, demo):
    client_for(client, demo, "township1")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(NEW, meeting_post(demo, [], held_on=tomorrow))
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"]


@pytest.mark.parametrize("username", ["grid1", "member1", "village1", "police1", "inspector"])
def test_only_the_centres_record_meetings(client, demo, username):
    client_for(client, demo, username)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, meeting_post(demo, [])).status_code == 403
    assert not Meeting.objects.exists()


# --- Reading ---------------------------------------------------------------------------------


def test_the_list_shows_the_meetings_in_scope_with_their_figures(client, demo):
    meeting = recorded(demo, [case_in(demo)])
    client_for(client, demo, "township1")
    page = client.get(LIST).content.decode()
    assert f'data-meeting="{meeting.pk}"' in page and 'id="record-link"' in page
    assert '<td class="num cases">1</td>' in page

    client_for(client, demo, "county")
    page = client.get(LIST, {"area": demo.township2.pk}).content.decode()
    assert f'data-meeting="{meeting.pk}"' not in page
    page = client.get(LIST, {"level": MeetingLevel.TOWNSHIP_DAILY, "q": "李"}).content.decode()
    assert f'data-meeting="{meeting.pk}"' in page

    client_for(client, demo, "township2")
    assert f'data-meeting="{meeting.pk}"' not in client.get(LIST).content.decode()
    client_for(client, demo, "grid1")
    response = client.get(LIST)
    assert response.status_code == 200
    assert 'id="record-link"' not in response.content.decode()


def test_the_list_takes_the_same_queries_however_many_meetings(client, demo):
    client_for(client, demo, "township1")
    recorded(demo, [case_in(demo)])
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _n in range(3):
        recorded(demo, [case_in(demo)])
    with CaptureQueriesContext(connection) as four:
        assert client.get(LIST).status_code == 200
    # session, user, area (context), filter areas, count, page, unread notifications
    assert len(one) == len(four) == 7


def test_the_minutes_are_printable(client, demo):
    meeting = recorded(demo, [case_in(demo)])
    client_for(client, demo, "township1")
    response = client.get(reverse("meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="minutes"' in page and 'class="signatures"' in page
    assert "李镇长" in page and "data-print" in page


def test_outsiders_get_not_found(client, demo):
    meeting = recorded(demo, [case_in(demo)])
    for username in ("township2", "grid1"):
        client_for(client, demo, username)
        assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("meeting_minutes", args=[meeting.pk])).status_code == 404


def test_the_inspector_reads_meetings(client, demo):
    meeting = recorded(demo)
    client_for(client, demo, "inspector")
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200
