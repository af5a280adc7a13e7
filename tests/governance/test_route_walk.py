"""Every route, discovered from the URL resolver (not a hand-kept list), walked as each role
of township 1 against township 2's objects, and as an anonymous visitor. Every operation of
the API, discovered from the OpenAPI schema (drf-spectacular's generator), is walked too: each
method an object route accepts is sent to township 2's object, and each create of a list
route is tried with township 2's objects named in tests/governance/test_write_scoping.py. A
route or an operation added without a place in this walk fails the build by itself."""

import json
import re
import uuid
from datetime import timedelta
from functools import cache
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from assessment.models import Evaluation, Incident, IncidentKind
from assessment.services.evaluations import evaluations_compute
from assessment.services.incidents import incident_record
from assessment.services.rankings import ranking_publish, rankings_compute
from campaigns.models import Campaign, CampaignTask, Instruction, InstructionReceipt, TargetMode
from campaigns.services.campaigns import (
    CampaignInput,
    TargetRow,
    TaskInput,
    campaign_create,
    campaign_launch,
    campaign_targets_set,
    task_complete,
)
from campaigns.services.instructions import InstructionInput, instruction_send
from disputes.models import Attachment, CaseStatus
from grids import tree
from notifications.models import Notification
from personnel.services import staff as staff_services
from personnel.services.training import spot_check_create, training_create
from residents.models import Resident, Visit
from residents.services.visits import VisitInput, visit_record
from supervision.models import Inspection, InspectionProblem, Meeting
from supervision.services.inspections import InspectionInput, ProblemInput, inspection_record
from supervision.services.inspections import ItemInput as InspectionItem
from supervision.services.meetings import ItemInput as MeetingItem
from supervision.services.meetings import MeetingInput, meeting_record
from tests.disputes.test_case_workflow import report
from tests.governance.test_write_scoping import SCOPED_CREATES
from tests.residents.test_residents import ID_A, register
from tests.residents.test_visit_pages import JPEG

MARKER = "二号镇机密事项"
NOTICE = "发给二号镇的消息"
STAFF_MARKER = "二号镇网格员甲"
PUBLIC = {
    "healthz",
    "set_language",
    "login",
    "logout",
    "api_token",
    "api_schema",
    "api_docs",
    "password_change_done",
}
# Routes without an object id: lists, forms, counts. Their bodies must not carry
# township 2's data.
LISTS = {
    "home",
    "password_change",
    "area_tree",
    "inbox",
    "inbox_mark_all_read",
    "case_list",
    "case_report",
    "my_cases",
    "case_export",
    "area-list",
    "case-list",
    "category-list",
    "notification-list",
    "notification-read-all",
    "notification-unread-count",
    "staff_list",
    "staff_export",
    "staff_create",
    "staff_coverage",
    "staff_coverage_export",
    "api_staff_list",
    "api_staffing_coverage",
    "evaluation_list",
    "pay_sheet",
    "pay_sheet_export",
    "training_list",
    "training_create",
    "spot_check_list",
    "spot_check_create",
    "evaluation-list",
    "training-list",
    "spot-check-list",
    "incident_list",
    "incident_create",
    "api_incident_list",
    "ranking_compute",
    "scheme_edit",
    "entered_values",
    "api_resident_list",
    "api_resident_lookup",
    "resident_list",
    "resident_create",
    "resident_lookup",
    "resident_export",
    "access_log",
    "access_log_export",
    "audit_log",
    "audit_log_export",
    "visit_cycles",
    "my_visits",
    "visits_overdue",
    "campaign_list",
    "campaign_create",
    "campaign_target_template",
    "my_tasks",
    "instruction_list",
    "instruction_create",
    "meeting_list",
    "meeting_create",
    "inspection_list",
    "inspection_create",
    "problem_list",
    "api_campaign_list",
    "api_instruction_list",
    "api_meeting_list",
    "api_inspection_list",
}
# Categories are county-wide configuration, the same for everyone: not jurisdiction data.
SHARED = {"category-detail"}
# The county's published ranking is everyone's to read, but only the rows of their own
# subtree: these answer 200 with a body that must not carry township 2.
RANKING_LISTS = {"ranking_list", "ranking_bulletin", "ranking_bulletin_xlsx", "api_ranking_list"}


def ranking_routes(snapshot) -> dict[str, tuple[dict, dict]]:
    """Route name → (path kwargs, query) for the county's published month."""
    month = {"month": f"{snapshot.month:%Y-%m}"}
    return {
        "ranking_list": ({}, {**month, "level": "village"}),
        "ranking_bulletin": ({"pk": snapshot.pk}, {}),
        "ranking_bulletin_xlsx": ({"pk": snapshot.pk}, {}),
        "api_ranking_list": ({}, {**month, "level": "village"}),
    }


def operation_kwargs() -> dict[str, dict]:
    """How to name the one campaign, task, instruction, meeting, inspection and problem."""
    campaign, task = Campaign.objects.get(), CampaignTask.objects.get()
    instruction, meeting = Instruction.objects.get(), Meeting.objects.get()
    inspection, problem = Inspection.objects.get(), InspectionProblem.objects.get()
    return {
        **{
            name: {"pk": campaign.pk}
            for name in (
                "campaign_detail",
                "campaign_targets",
                "campaign_launch",
                "campaign_remind",
                "campaign_end",
                "campaign_export",
                "api_campaign_detail",
                "api_campaign_launch",
                "api_campaign_progress",
                "api_campaign_tasks",
            )
        },
        "task_complete": {"pk": task.pk},
        "task_photo": {"pk": task.pk},
        "api_task_complete": {"pk": campaign.pk, "task_id": task.pk},
        "instruction_detail": {"pk": instruction.pk},
        "instruction_confirm": {"pk": instruction.pk},
        "api_instruction_detail": {"pk": instruction.pk},
        "api_instruction_read": {"pk": instruction.pk},
        "meeting_detail": {"pk": meeting.pk},
        "meeting_minutes": {"pk": meeting.pk},
        "api_meeting_detail": {"pk": meeting.pk},
        "inspection_detail": {"pk": inspection.pk},
        "api_inspection_detail": {"pk": inspection.pk},
        "problem_fix": {"pk": problem.pk},
        "api_problem_fix": {"pk": problem.pk},
    }


def object_routes(theirs, snapshot) -> dict[str, dict]:
    """How to name township 2's object in each route with an id."""
    case, attachment, notice, area, staff, post, evaluation, _incident = theirs
    resident = Resident.objects.get()
    visit = Visit.objects.get()
    return {
        **operation_kwargs(),
        "resident_detail": {"pk": resident.pk},
        "resident_reveal": {"pk": resident.pk},
        "resident_edit": {"pk": resident.pk},
        "resident_status": {"pk": resident.pk},
        "visit_record": {"resident_pk": resident.pk},
        "visit_photo": {"visit_pk": visit.pk},
        "api_resident_detail": {"pk": resident.pk},
        "api_resident_reveal": {"pk": resident.pk},
        "api_resident_visits": {"pk": resident.pk},
        "ranking_area": {"pk": snapshot.pk, "area_id": area.pk},
        "ranking_publish": {"pk": snapshot.pk},
        "staff_detail": {"pk": staff.pk},
        "staff_edit": {"pk": staff.pk},
        "post_create": {"pk": staff.pk},
        "staff_login": {"pk": staff.pk},
        "post_end": {"pk": post.pk},
        "api_staff_detail": {"pk": staff.pk},
        "api_staff_posts": {"pk": staff.pk},
        "api_post_end": {"pk": post.pk},
        "evaluation_detail": {"pk": evaluation.pk},
        "evaluation_review": {"pk": evaluation.pk},
        "evaluation_follow_up": {"pk": evaluation.pk},
        "evaluation-detail": {"pk": evaluation.pk},
        "evaluation-follow-up": {"pk": evaluation.pk},
        "area_detail": {"pk": area.pk},
        "area_children": {"pk": area.pk},
        "area_export": {"pk": area.pk},
        "area-detail": {"pk": area.pk},
        "area-stats": {"pk": area.pk},
        "area-boundaries": {"pk": area.pk},
        "case_detail": {"pk": case.pk},
        "case_act": {"pk": case.pk},
        "case_attachment": {"pk": case.pk, "attachment_pk": attachment.pk},
        "case-detail": {"pk": case.pk},
        "case-attachments": {"pk": case.pk},
        "case-events": {"pk": case.pk},
        "case-transitions": {"pk": case.pk},
        "inbox_mark_read": {"pk": notice.pk},
        "notification-read": {"pk": notice.pk},
    }


def route_names() -> set[str]:
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue  # the admin is walked by tests/governance/test_admin.py
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


@pytest.fixture
def theirs(demo):
    case = report(demo, title=MARKER, grid=demo.grid2, reporter=demo.user("township2")).case
    attachment = Attachment.objects.create(
        case=case,
        kind="document",
        file=SimpleUploadedFile("secret.pdf", b"%PDF-1.4 " + MARKER.encode()),
        name="secret.pdf",
        content_type="application/pdf",
        size=20,
        uploaded_by=demo.user("township2"),
    )
    notice = Notification.objects.create(
        recipient=demo.user("township2"), kind="assigned", case=case, text=NOTICE
    )
    staff = staff_services.staff_create(
        data=staff_services.StaffInput(
            name=STAFF_MARKER,
            phone="13912345678",
            id_number="430521199001011239",
            gender="male",
            area=demo.village2,
        ),
        actor=demo.user("county"),
    )
    post = staff_services.post_add(
        staff=staff,
        kind="grid_worker",
        area=demo.grid2,
        start=timezone.localdate() - timedelta(days=90),
        actor=demo.user("county"),
    )
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    evaluations_compute(month=last_month)
    evaluation = Evaluation.objects.get(staff=staff)
    training_create(
        area=demo.township2,
        day=timezone.localdate(),
        topic=STAFF_MARKER + "培训",
        hours=2,
        attendees=[staff.pk],
        actor=demo.user("county"),
    )
    spot_check_create(
        staff=staff,
        day=timezone.localdate(),
        reached=True,
        problems=STAFF_MARKER,
        fix="",
        actor=demo.user("county"),
    )
    incident = incident_record(
        area=demo.grid2,
        kind=IncidentKind.CRIMINAL_CASE,
        occurred_at=timezone.now() - timedelta(hours=1),
        description=MARKER,
        actor=demo.user("county"),
    )
    return case, attachment, notice, demo.village2, staff, post, evaluation, incident


@pytest.fixture
def their_ranking(demo, theirs):
    """The month ranked and published, township 2's cases and incident in it; and township
    2's resident of concern, whose routes join the object routes."""
    resident = register(demo, grid=demo.grid2, actor="township2", name=MARKER)
    visit_record(
        resident=resident,
        actor=demo.user("township2"),
        data=VisitInput(
            client_uuid=uuid.uuid4(),
            visited_on=timezone.localdate(),
            situation=MARKER,
            photo=SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg"),
        ),
    )
    operations_of(demo, case=theirs[0], township=demo.township2, marker=MARKER)
    snapshot = rankings_compute(county=demo.county, month=timezone.localdate().replace(day=1))
    return ranking_publish(snapshot=snapshot, actor=demo.user("county"))


def operations_of(demo, *, case, township, marker: str) -> None:
    """The township's campaign (one target in its first grid, done with a photo), an
    instruction to its grid workers, a meeting on its case, and the county's inspection of
    its first village with a problem to fix."""
    organiser = demo.user("township1" if township == demo.township1 else "township2")
    village = tree.in_order(township.children.all()).first()
    grid = tree.in_order(village.children.all()).first()
    campaign = campaign_create(
        actor=organiser,
        data=CampaignInput(
            title=marker, instructions=marker, area=township,
            target_mode=TargetMode.ITEMS, starts_at=timezone.now(),
            deadline=timezone.now() + timedelta(days=1), post_kinds=[], member_types=[],
        ),
    )  # fmt: skip
    campaign_targets_set(
        campaign=campaign,
        actor=organiser,
        rows=[TargetRow(line=2, name=marker, grid=grid.code, detail=marker)],
    )
    campaign_launch(campaign=campaign, actor=organiser)
    task_complete(
        task=CampaignTask.objects.select_related("campaign", "staff", "area").get(
            campaign=campaign
        ),
        actor=organiser,
        data=TaskInput(
            client_uuid=uuid.uuid4(),
            result=marker,
            photo=SimpleUploadedFile("pond.jpg", JPEG, content_type="image/jpeg"),
        ),
    )
    instruction_send(
        actor=organiser,
        data=InstructionInput(
            title=marker[:10], body=marker, area=township,
            post_kinds=["grid_worker"], member_types=[],
        ),
    )  # fmt: skip
    meeting_record(
        actor=organiser,
        data=MeetingInput(
            level="township_daily", area=township, held_on=timezone.localdate(),
            chair=marker, summary=marker, items=[MeetingItem(case=case, judgement="attention")],
        ),
    )  # fmt: skip
    inspection_record(
        actor=demo.user("county"),
        data=InspectionInput(
            area=village, inspected_on=timezone.localdate(), inspectors=marker,
            score=90, summary=marker, items=[InspectionItem(text=marker, passed=False)],
            problems=[ProblemInput(description=marker, fix_by=timezone.localdate())],
        ),
    )  # fmt: skip


def test_every_route_has_a_place_in_the_walk(demo, theirs, their_ranking):
    known = PUBLIC | LISTS | SHARED | set(object_routes(theirs, their_ranking)) | RANKING_LISTS
    unplaced = route_names() - known
    assert not unplaced, f"routes missing from the jurisdiction walk: {sorted(unplaced)}"


def probes(demo, theirs) -> dict[str, object]:
    """Query parameters the lists take (search, area, person, case filters), all naming
    township 2. The search is for part of its marker: a page echoes the words searched for,
    a leak would show the whole."""
    case, _attachment, _notice, area, staff, _post, _evaluation, _incident = theirs
    return {
        "q": MARKER[3:], "search": MARKER[3:], "area": area.pk, "township": demo.township2.pk,
        "county": demo.county.pk, "grid": demo.grid2.pk, "roster_area": area.pk,
        "staff": staff.pk, "case": case.pk, "resident": Resident.objects.get().pk,
        "level": "village", "show": "all", "mine": "0",
    }  # fmt: skip


HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# POSTs to a list route that act on the caller's own things only: walked below.
OWN_ACTIONS = {"notification-read-all", "api_resident_lookup"}


@cache
def schema_operations() -> frozenset[tuple[str, str]]:
    """(route name, method) of every operation the OpenAPI schema publishes."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = set()
    for path, item in schema["paths"].items():
        name = resolve(re.sub(r"\{[^}]+\}", "1", path)).url_name
        operations |= {(name, method) for method in item if method in HTTP_METHODS}
    return frozenset(operations)


def schema_methods(name: str) -> list[str]:
    """The methods beyond GET and POST (always sent) that the schema gives a route."""
    return sorted(m for n, m in schema_operations() if n == name and m not in ("get", "post"))


def test_every_api_operation_of_the_schema_has_a_place_in_the_walk(demo, theirs, their_ranking):
    objects = set(object_routes(theirs, their_ranking))
    lists = LISTS | SHARED | RANKING_LISTS
    unplaced = []
    for name, method in sorted(schema_operations()):
        if name in PUBLIC or name in objects:
            continue  # every method of an object route is sent to township 2's object
        if method == "get" and name in lists:
            continue
        if method == "post" and (name in SCOPED_CREATES or name in OWN_ACTIONS):
            continue
        unplaced.append(f"{method.upper()} {name}")
    assert not unplaced, f"API operations missing from the walk: {unplaced}"
    assert len(schema_operations()) > 40  # the generator did see the API


def leaks(body: bytes, demo) -> list[str]:
    """Township 2's data in a body: its objects' texts, and the names and codes of its areas
    and its centre's person (as a filter's choices, an area or a person dropdown, would show
    them; the walk opens every list and form page with its filters)."""
    text = body.decode("utf-8", "replace")
    markers = (
        MARKER, NOTICE, STAFF_MARKER, demo.township2.code, demo.township2.name,
        demo.village2.name, demo.village2.code, demo.grid2.code,
        str(demo.user("township2")),
    )  # fmt: skip
    return [marker for marker in markers if marker in text]


@pytest.mark.parametrize("username", ["township1", "police1", "village1", "grid1", "member1"])
def test_township_one_gets_nothing_of_township_two_on_any_route(
    client, demo, theirs, their_ranking, username
):
    client.force_login(demo.user(username))
    for name, (kwargs, query) in ranking_routes(their_ranking).items():
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content
        if name == "ranking_bulletin_xlsx":
            workbook = load_workbook(BytesIO(body))
            body = repr([list(sheet.values) for sheet in workbook.worksheets]).encode()
        assert not leaks(body, demo), (name, leaks(body, demo))
    for name, kwargs in object_routes(theirs, their_ranking).items():
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url, {"action": "accept", "files": []})
            assert response.status_code in (403, 404, 405), (name, method, response.status_code)
            assert not leaks(response.content, demo), (name, leaks(response.content, demo))
        for method in schema_methods(name):  # PATCH, PUT, DELETE where the API has them
            body = {"name": "改名", "area": demo.township1.pk, "outcome": "excellent"}
            response = client.generic(
                method.upper(), url, json.dumps(body), content_type="application/json"
            )
            assert response.status_code in (403, 404), (name, method, response.status_code)
            assert not leaks(response.content, demo), (name, leaks(response.content, demo))
    for name in OWN_ACTIONS:
        response = client.post(reverse(name), {"id_number": ID_A})  # township 2's resident
        assert response.status_code in (200, 400, 403, 404), (name, response.status_code)
        assert not leaks(response.content, demo), (name, leaks(response.content, demo))
    for name in LISTS:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403, 405), (name, response.status_code)
        assert not leaks(response.content, demo), (name, leaks(response.content, demo))
        # Searched for township 2's texts and filtered by its ids: a filter or a search
        # narrows what one may see, it never widens it.
        response = client.get(reverse(name), probes(demo, theirs))
        assert response.status_code in (200, 302, 400, 403, 404, 405), (name, response.status_code)
        assert not leaks(response.content, demo), (name, "probed", leaks(response.content, demo))
    for name in ("inbox_mark_all_read", "notification-read-all"):
        client.post(reverse(name))
    case, _attachment, notice, _area, staff, post, _evaluation, incident = theirs
    case.refresh_from_db()
    notice.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.events.count() == 1
    assert notice.read_at is None and case.attachments.count() == 1
    post.refresh_from_db()
    staff.refresh_from_db()
    assert post.end is None and staff.name == STAFF_MARKER and staff.user_id is None
    assert Incident.objects.get() == incident
    assert Campaign.objects.get().status == "running"
    assert not InstructionReceipt.objects.filter(read_at__isnull=False).exists()
    assert InspectionProblem.objects.get().status == "open"


def test_anonymous_visitors_are_sent_to_log_in_everywhere_but_the_public_routes(
    client, theirs, their_ranking
):
    routes = {name: {} for name in LISTS} | object_routes(theirs, their_ranking)
    routes |= {name: kwargs for name, (kwargs, _query) in ranking_routes(their_ranking).items()}
    routes |= {"category-detail": {"code": "neighbour"}}
    for name, kwargs in routes.items():
        url = reverse(name, kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            if url.startswith("/api/"):
                assert response.status_code in (401, 403), (name, response.status_code)
            else:
                assert response.status_code in (302, 405), (name, response.status_code)
                if response.status_code == 302:
                    assert response.url.startswith(reverse("login")), (name, response.url)
            assert MARKER not in response.content.decode("utf-8", "replace")
        for method in schema_methods(name):  # PATCH, PUT, DELETE where the API has them
            response = client.generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code in (401, 403), (name, method, response.status_code)


def test_the_walks_markers_do_see_township_two_in_filter_choices_where_it_belongs(
    client, demo, theirs, their_ranking
):
    """The county sees both townships: its list pages' filters offer township 2's areas and
    people, and the markers find them there. So on township 1's pages, where the walk finds
    none, a filter leaking them would be seen."""
    client.force_login(demo.user("county"))
    for name in ("case_report", "staff_list", "resident_create", "spot_check_create", "home"):
        body = client.get(reverse(name)).content.decode()
        choices = " ".join(re.findall(r"<option[^>]*>([^<]*)</option>", body))
        assert leaks(choices.encode(), demo), name
