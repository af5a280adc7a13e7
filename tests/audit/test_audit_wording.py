"""The audit log in words: who (name and role), what (the action's label), which object
(linked), and the changed fields under their labels with the values people read, masked
where personal; never a raw code, a Python dictionary, None or an English key."""

from __future__ import annotations

import ast
import re
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ACTION_LABELS
from disputes import services
from governance.platform.case_actions import CaseAction
from personnel.services import staff as staff_services
from tests.factories import register, report, roster_person
from tests.samples import ID_A


def audit_table(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<table class="list compact audit-log">')
    return page[start : page.index("</table>", start)]


def test_the_log_names_who_did_what_to_which_object_in_words(client, demo):
    case = report(demo).case
    services.case_accept(case=case, actor=demo.user("township1"), note="联系人 13800138000")
    register(demo, id_number=ID_A)
    person = roster_person(demo, name="王五", area=demo.village1, serial=971)
    staff_services.staff_update(
        staff=person,
        data=staff_services.StaffInput(
            name="王五",
            phone="13912345678",
            id_number=person.id_number,
            gender="male",
            area=demo.village1,
        ),
        actor=demo.user("township1"),
    )
    client.force_login(demo.user("county"))
    table = audit_table(client.get(reverse("audit_log")))
    township1 = demo.user("township1")
    assert str(township1) in table and township1.get_role_display() in table
    assert str(ACTION_LABELS["case.accept"]) in table and str(ACTION_LABELS["case.report"]) in table
    assert f'href="{reverse("case_detail", args=[case.pk])}"' in table
    assert "状态" in table and "已受理" in table  # the field's label, the choice's label
    # No code, no dictionary, no None, no English key, no personal number in full.
    for raw in ("case.accept", "case.report", "{'", "None", "status", "criminal_risk", "user #"):
        assert raw not in table, raw
    assert "13800138000" not in table and "备注" in table  # a note is not kept, only its label
    assert ID_A not in table and person.id_number not in table
    assert "13912345678" not in table and "139****5678" in table  # the changed phone, masked
    assert "手机号" in table or "手机" in table  # under its label


def test_the_export_of_the_log_is_in_the_same_words(client, demo):
    case = report(demo).case
    services.case_accept(case=case, actor=demo.user("township1"))
    client.force_login(demo.user("county"))
    response = client.get(reverse("audit_log_export"), {"action": "case.accept"})
    text = repr(list(load_workbook(BytesIO(response.content)).active.values))
    assert str(ACTION_LABELS["case.accept"]) in text and str(demo.user("township1")) in text
    assert "case.accept" not in text and "'status'" not in text and "None:" not in text


def audited_actions() -> set[str]:
    """Every action code the code writes to the log: the literal `action=` of audit_record and
    AuditInput (both branches of a conditional, a module constant), an admin's audit_action,
    and case.<step> for every step of the case workflow."""
    codes = {f"case.{action}" for action in CaseAction.values}
    skipped = {".venv", "node_modules", "tests", "migrations", ".git", "benchmarks"}
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if skipped & set(path.relative_to(settings.BASE_DIR).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("audit_record", "AuditInput"):
                    values = [k.value for k in node.keywords if k.arg == "action"]
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "audit_action" for t in node.targets
            ):
                values = [node.value]
            while values:
                value = values.pop()
                if isinstance(value, ast.IfExp):
                    values += [value.body, value.orelse]
                elif isinstance(value, ast.Constant):
                    codes.add(value.value)
                elif isinstance(value, ast.Name) and value.id in constants:
                    codes.add(constants[value.id])
    return {code for code in codes if re.fullmatch(r"[a-z_]+\.[a-z_]+", str(code))}


def test_every_action_the_code_writes_has_a_label():
    codes = audited_actions()
    assert {"case.assign", "resident.flagged", "settings.change", "campaign.end"} <= codes
    assert sorted(codes - set(ACTION_LABELS)) == []
