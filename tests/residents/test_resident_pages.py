"""The pages of the register of residents of concern: each person seen only within the
jurisdiction, full ID numbers and phones only in the answer to a reveal with a purpose,
every opening, reveal, lookup and export in the access log, a watermarked export by POST
only, the access log for the committee alone and never editable, and the county's visit
cycles."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook

from grids import tree
from notifications.models import Notification
from residents import selectors as access
from residents.models import (
    AccessAction,
    Resident,
    ResidentAccess,
    ResidentCategory,
    ResidentStatus,
    RiskLevel,
)
from residents.services.visits import VisitInput, visit_record
from tests.browser.helpers import log_in as browser_log_in
from tests.browser.helpers import shoot
from tests.factories import register
from tests.samples import id_number

PHONE = "13800138000"
OTHER_PHONE = "13912345678"


def log_in(client, demo, username):
    client.force_login(demo.user(username))
    return client


def another_grid(demo):
    """A grid of township 1 other than grid 1."""
    grids = tree.in_order(demo.village1.children.all())
    return grids[1]


@pytest.fixture
def people(demo):
    """Three people in township 1 (two in grid 1, one in another grid) and one in
    township 2, each with its own ID number."""
    return {
        "grid1": register(demo, id_number=id_number(901), name="李甲"),
        "elder": register(
            demo,
            id_number=id_number(902),
            name="王乙",
            category=ResidentCategory.ELDERLY_ALONE,
        ),
        "other_grid": register(
            demo, id_number=id_number(903), name="赵丙", grid=another_grid(demo)
        ),
        "township2": register(
            demo, id_number=id_number(904), name="孙丁", grid=demo.grid2, actor="county"
        ),
    }


def full_numbers(residents) -> list[str]:
    return [r.id_number for r in residents] + [PHONE]


def names_in(response) -> set[str]:
    """The people listed on the page."""
    return {resident.name for resident in response.context["page"].object_list}


def workbook_values(content: bytes) -> list[str]:
    sheet = load_workbook(BytesIO(content)).active
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value]


# --- Every page, in the jurisdiction only ---------------------------------------------------


def test_every_page_answers_for_a_township_centre(client, demo, people):
    log_in(client, demo, "township1")
    pk = people["grid1"].pk
    for name, args in [
        ("resident_list", []),
        ("resident_create", []),
        ("resident_detail", [pk]),
        ("resident_edit", [pk]),
        ("resident_status", [pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_the_list_shows_only_the_township_s_people_under_management(client, demo, people):
    response = log_in(client, demo, "township1").get(reverse("resident_list"))
    assert names_in(response) == {"李甲", "王乙", "赵丙"}
    assert "孙丁" not in response.content.decode()
    assert log_in(client, demo, "township2").get(reverse("resident_list")).status_code == 200
    assert names_in(client.get(reverse("resident_list"))) == {"孙丁"}


def test_a_grid_worker_lists_only_their_grid(client, demo, people):
    response = log_in(client, demo, "grid1").get(reverse("resident_list"))
    assert names_in(response) == {"李甲", "王乙"}
    assert "赵丙" not in response.content.decode()


def test_the_list_filters_by_category_risk_area_name_and_overdue_visit(client, demo, people):
    log_in(client, demo, "township1")
    url = reverse("resident_list")
    elders = client.get(url, {"category": ResidentCategory.ELDERLY_ALONE})
    assert names_in(elders) == {"王乙"}
    assert names_in(client.get(url, {"risk": RiskLevel.LOW})) == set()
    assert names_in(client.get(url, {"q": "赵"})) == {"赵丙"}
    village = client.get(url, {"area": demo.village1.pk})
    assert names_in(village) == {"李甲", "王乙", "赵丙"}
    # Another township's area is no choice: the form refuses it and lists nobody.
    assert names_in(client.get(url, {"area": demo.township2.pk})) == set()
    Resident.objects.filter(pk=people["elder"].pk).update(
        next_visit_due=timezone.localdate() - timedelta(days=2)
    )
    overdue = client.get(url, {"overdue": "on"})
    assert names_in(overdue) == {"王乙"}
    assert b'class="overdue"' in overdue.content


def test_a_person_of_another_township_is_not_found_and_the_attempt_is_logged(client, demo, people):
    log_in(client, demo, "township1")
    outsider = people["township2"]
    for name in ("resident_detail", "resident_edit", "resident_status"):
        assert client.get(reverse(name, args=[outsider.pk])).status_code == 404, name
    assert ResidentAccess.objects.filter(resident=outsider, denied=True).count() == 3


def test_a_grid_worker_may_not_register_edit_or_change_status(client, demo, people):
    log_in(client, demo, "grid1")
    pk = people["grid1"].pk
    assert client.get(reverse("resident_create")).status_code == 403
    assert client.get(reverse("resident_edit", args=[pk])).status_code == 403
    assert client.get(reverse("resident_status", args=[pk])).status_code == 403
    response = client.post(reverse("resident_status", args=[pk]), {"status": "closed"})
    assert response.status_code == 403
    assert Resident.objects.get(pk=pk).status == ResidentStatus.ACTIVE


# --- Registering and correcting -------------------------------------------------------------


def test_a_centre_registers_a_person_and_lands_on_their_page(client, demo):
    log_in(client, demo, "township1")
    data = {
        "name": "周戊",
        "id_number": id_number(905),
        "phone": PHONE,
        "address": "一组12号",
        "grid": demo.grid1.pk,
        "category": ResidentCategory.PETITION_PRONE,
        "risk": RiskLevel.MEDIUM,
        "situation": "多次越级上访。",
    }
    response = client.post(reverse("resident_create"), data)
    resident = Resident.objects.get(name="周戊")
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_detail", args=[resident.pk])
    assert (resident.id_number, resident.phone, resident.created_by.username) == (
        id_number(905),
        PHONE,
        "township1",
    )


def test_bad_registration_input_is_refused_field_by_field(client, demo, people):
    log_in(client, demo, "township1")
    response = client.post(
        reverse("resident_create"),
        {"name": "", "id_number": "12345", "grid": demo.grid2.pk, "category": "", "risk": "x"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"name", "grid", "category", "risk"}
    duplicate = client.post(
        reverse("resident_create"),
        {
            "name": "李甲",
            "id_number": people["grid1"].id_number,
            "grid": demo.grid1.pk,
            "category": ResidentCategory.RELEASED_PRISONER,
            "risk": RiskLevel.LOW,
        },
    )
    assert duplicate.status_code == 400
    assert "id_number" in duplicate.context["form"].errors
    assert Resident.objects.count() == 4


def test_editing_keeps_the_registered_numbers_unless_new_ones_are_typed(client, demo, people):
    log_in(client, demo, "township1")
    resident = people["grid1"]
    url = reverse("resident_edit", args=[resident.pk])
    form = {
        "name": "李甲",
        "id_number": "",
        "phone": "",
        "address": "新址",
        "grid": demo.grid1.pk,
        "category": resident.category,
        "risk": RiskLevel.LOW,
        "situation": "",
    }
    assert client.post(url, form).status_code == 302
    kept = Resident.objects.get(pk=resident.pk)
    assert (kept.id_number, kept.phone, kept.address) == (resident.id_number, PHONE, "新址")
    assert client.post(url, form | {"id_number": id_number(906), "phone": OTHER_PHONE}).status_code
    changed = Resident.objects.get(pk=resident.pk)
    assert (changed.id_number, changed.phone) == (id_number(906), OTHER_PHONE)
    assert client.post(url, form | {"clear_phone": "on"}).status_code == 302
    assert Resident.objects.get(pk=resident.pk).phone == ""


# --- Masking, reveal and lookup --------------------------------------------------------------


def test_no_page_carries_a_full_id_number_or_phone(client, demo, people):
    log_in(client, demo, "township1")
    pk = people["grid1"].pk
    numbers = full_numbers(people.values())
    for url in [
        reverse("resident_list"),
        reverse("resident_detail", args=[pk]),
        reverse("resident_edit", args=[pk]),
        reverse("resident_status", args=[pk]),
    ]:
        body = client.get(url).content.decode()
        assert not [n for n in numbers if n in body], url
    assert people["grid1"].id_number[:6] in client.get(reverse("resident_list")).content.decode()


def test_a_reveal_with_a_purpose_shows_the_full_numbers_once_and_is_logged(client, demo, people):
    log_in(client, demo, "township1")
    resident = people["grid1"]
    response = client.post(
        reverse("resident_reveal", args=[resident.pk]), {"reason": "上门核实身份信息"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert resident.id_number in body and PHONE in body
    row = ResidentAccess.objects.get(action=AccessAction.REVEAL)
    assert (row.resident, row.actor.username, row.reason, row.denied) == (
        resident,
        "township1",
        "上门核实身份信息",
        False,
    )
    # Nothing kept: the next opening of the page is masked again.
    again = client.get(reverse("resident_detail", args=[resident.pk])).content.decode()
    assert resident.id_number not in again and PHONE not in again
    assert client.get(reverse("resident_reveal", args=[resident.pk])).status_code == 405


def test_a_reveal_without_a_purpose_is_refused_and_logged_as_refused(client, demo, people):
    log_in(client, demo, "township1")
    resident = people["grid1"]
    response = client.post(reverse("resident_reveal", args=[resident.pk]), {"reason": ""})
    assert response.status_code == 400
    assert response.context["reveal_form"].errors["reason"]
    body = response.content.decode()
    assert resident.id_number not in body and PHONE not in body
    row = ResidentAccess.objects.get(action=AccessAction.REVEAL)
    assert row.denied and row.resident == resident


def test_a_reveal_of_someone_outside_the_jurisdiction_is_not_found(client, demo, people):
    log_in(client, demo, "township1")
    response = client.post(
        reverse("resident_reveal", args=[people["township2"].pk]), {"reason": "核实身份信息"}
    )
    assert response.status_code == 404
    assert people["township2"].id_number not in response.content.decode()


def test_the_lookup_by_full_id_number_goes_to_the_person(client, demo, people):
    log_in(client, demo, "township1")
    resident = people["other_grid"]
    response = client.post(reverse("resident_lookup"), {"id_number": resident.id_number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("resident_detail", args=[resident.pk])
    assert ResidentAccess.objects.filter(resident=resident, action=AccessAction.LOOKUP).exists()
    assert client.get(reverse("resident_lookup")).status_code == 405


def test_a_failed_lookup_does_not_send_the_typed_number_back(client, demo, people):
    log_in(client, demo, "township1")
    outsider = people["township2"].id_number  # exists, but not in township 1
    response = client.post(reverse("resident_lookup"), {"id_number": outsider})
    assert response.status_code == 404
    assert outsider not in response.content.decode()
    assert b'id="lookup-error"' in response.content


# --- The export -----------------------------------------------------------------------------


def export(client, reason="季度排查核对", **filters):
    url = reverse("resident_export")
    if filters:
        url += "?" + "&".join(f"{key}={value}" for key, value in filters.items())
    return client.post(url, {"reason": reason})


def test_a_village_may_not_export_and_the_attempt_is_logged(client, demo, people):
    response = export(log_in(client, demo, "village1"))
    assert response.status_code == 403
    row = ResidentAccess.objects.get(action=AccessAction.EXPORT)
    assert (row.actor.username, row.denied, row.resident) == ("village1", True, None)


def test_a_township_exports_its_people_watermarked_masked_and_logged(client, demo, people):
    response = export(log_in(client, demo, "township1"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="residents-')
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.active
    assert "township1" in sheet["A4"].value and "季度排查核对" in sheet["A4"].value
    assert "township1" in sheet.oddHeader.center.text
    assert "township1" in sheet.oddFooter.center.text
    assert workbook.properties.creator == str(demo.user("township1"))
    assert "季度排查核对" in workbook.properties.description
    values = workbook_values(response.content)
    assert {"李甲", "王乙", "赵丙"} <= set(values) and "孙丁" not in values
    assert not [n for n in full_numbers(people.values()) if any(n in v for v in values)]
    logged = ResidentAccess.objects.filter(action=AccessAction.EXPORT, denied=False)
    assert sorted(logged.values_list("resident__name", flat=True)) == ["李甲", "王乙", "赵丙"]
    assert set(logged.values_list("reason", flat=True)) == {"季度排查核对"}


def test_the_export_follows_the_list_filters(client, demo, people):
    response = export(log_in(client, demo, "township1"), category=ResidentCategory.ELDERLY_ALONE)
    values = workbook_values(response.content)
    assert "王乙" in values and "李甲" not in values
    assert ResidentAccess.objects.filter(action=AccessAction.EXPORT).count() == 1


def test_an_export_needs_a_purpose_and_never_answers_a_get(client, demo, people):
    log_in(client, demo, "township1")
    response = export(client, reason="")
    assert response.status_code == 400
    assert response.context["export_form"].errors["reason"]
    assert not ResidentAccess.objects.filter(action=AccessAction.EXPORT, denied=False).exists()
    assert client.get(reverse("resident_export")).status_code == 405


# --- The access log -------------------------------------------------------------------------


def test_only_the_committee_reads_the_access_log(client, demo, people):
    log_in(client, demo, "township1")
    client.get(reverse("resident_detail", args=[people["grid1"].pk]))
    assert client.get(reverse("access_log")).status_code == 403
    assert client.get(reverse("access_log_export")).status_code == 403
    response = log_in(client, demo, "county").get(reverse("access_log"))
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert [(e.actor.username, e.action, e.resident) for e in entries] == [
        ("township1", AccessAction.VIEW, people["grid1"])
    ]
    assert f'data-entry="{entries[0].pk}"'.encode() in response.content


def test_the_access_log_filters_and_exports_watermarked(client, demo, people):
    log_in(client, demo, "township1")
    client.get(reverse("resident_detail", args=[people["grid1"].pk]))
    client.post(reverse("resident_reveal", args=[people["elder"].pk]), {"reason": ""})
    log_in(client, demo, "county")
    refused = client.get(reverse("access_log"), {"refused": "on"}).context["page"].object_list
    assert [e.resident for e in refused] == [people["elder"]]
    by_name = client.get(reverse("access_log"), {"resident": "李"}).context["page"].object_list
    assert [e.resident for e in by_name] == [people["grid1"]]
    response = client.get(reverse("access_log_export"), {"action": AccessAction.REVEAL})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert "county" in sheet["A4"].value and "county" in sheet.oddHeader.center.text
    values = workbook_values(response.content)
    assert "王乙" in values and "李甲" not in values
    assert not [n for n in full_numbers(people.values()) if any(n in v for v in values)]


def test_nothing_changes_or_deletes_the_access_log(client, demo, people):
    log_in(client, demo, "township1")
    client.get(reverse("resident_detail", args=[people["grid1"].pk]))
    before = list(ResidentAccess.objects.values_list("pk", "action", "reason", "denied"))
    log_in(client, demo, "county")
    for method in (client.post, client.put, client.delete):
        assert method(reverse("access_log")).status_code == 405
        assert method(reverse("access_log_export")).status_code == 405
    assert list(ResidentAccess.objects.values_list("pk", "action", "reason", "denied")) == before
    request = RequestFactory().get("/admin/")
    request.user = demo.user("county")
    model_admin = admin.site._registry[ResidentAccess]
    entry = ResidentAccess.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_the_admin_shows_no_full_numbers(admin_client, demo, people):
    resident = people["grid1"]
    listing = admin_client.get(reverse("admin:residents_resident_changelist")).content.decode()
    page = admin_client.get(
        reverse("admin:residents_resident_change", args=[resident.pk])
    ).content.decode()
    for body in (listing, page):
        assert "李甲" in body
        assert resident.id_number not in body and PHONE not in body


# --- The hourly limit -----------------------------------------------------------------------


def test_past_the_hourly_limit_the_page_is_refused_and_the_county_is_told_once(
    client, demo, people, settings
):
    settings.RESIDENT_VIEWS_PER_HOUR = 3
    log_in(client, demo, "township1")
    pks = [people[key].pk for key in ("grid1", "elder", "other_grid")]
    for pk in pks:
        assert client.get(reverse("resident_detail", args=[pk])).status_code == 200
    response = client.get(reverse("resident_detail", args=[pks[0]]))
    assert response.status_code == 403
    with translation.override(settings.LANGUAGE_CODE):
        message = translation.gettext(
            "You have opened %(limit)s residents' details in the last hour; the register "
            "is paused for you and the county's administrators have been told. If your "
            "work needs more, ask them."
        ) % {"limit": 3}
    assert escape(message) in response.content.decode()
    assert people["grid1"].id_number[:6] not in response.content.decode()
    refused = ResidentAccess.objects.filter(action=AccessAction.VIEW, denied=True)
    assert refused.count() == 1
    assert client.get(reverse("resident_detail", args=[pks[1]])).status_code == 403
    assert refused.count() == 2
    flagged = Notification.objects.filter(kind="access_flagged")
    assert [n.recipient.username for n in flagged] == ["county"]


# --- Leaving management ---------------------------------------------------------------------


def test_closing_needs_a_reason_and_a_confirmation_and_leaves_the_default_list(
    client, demo, people
):
    log_in(client, demo, "township1")
    resident = people["grid1"]
    url = reverse("resident_status", args=[resident.pk])
    unconfirmed = client.post(url, {"status": ResidentStatus.CLOSED, "reason": "矫正期满解除"})
    assert unconfirmed.status_code == 400
    assert "confirm" in unconfirmed.context["form"].errors
    no_reason = client.post(url, {"status": ResidentStatus.CLOSED, "confirm": "on"})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.context["form"].errors
    assert Resident.objects.get(pk=resident.pk).status == ResidentStatus.ACTIVE

    done = client.post(
        url, {"status": ResidentStatus.CLOSED, "reason": "矫正期满解除", "confirm": "on"}
    )
    assert done.status_code == 302
    closed = Resident.objects.get(pk=resident.pk)
    assert (closed.status, closed.next_visit_due) == (ResidentStatus.CLOSED, None)
    assert "李甲" not in names_in(client.get(reverse("resident_list")))
    assert "李甲" in names_in(client.get(reverse("resident_list"), {"status": "closed"}))
    assert "李甲" in names_in(client.get(reverse("resident_list"), {"status": ""}))
    detail = client.get(reverse("resident_detail", args=[resident.pk]))
    assert b'data-status="closed"' in detail.content
    assert "矫正期满解除" in detail.content.decode()


def test_back_under_management_needs_no_confirmation(client, demo, people):
    log_in(client, demo, "township1")
    resident = people["grid1"]
    url = reverse("resident_status", args=[resident.pk])
    client.post(url, {"status": ResidentStatus.MOVED, "reason": "迁往外县居住", "confirm": "on"})
    response = client.post(url, {"status": ResidentStatus.ACTIVE, "reason": "迁回本村居住"})
    assert response.status_code == 302
    assert Resident.objects.get(pk=resident.pk).next_visit_due is not None


# --- Visit cycles ---------------------------------------------------------------------------


def test_the_county_shortens_a_cycle_and_next_visits_move(client, demo, people):
    drug_user = register(
        demo, id_number=id_number(907), name="钱己", category=ResidentCategory.DRUG_USER
    )
    assert drug_user.risk == RiskLevel.HIGH
    registered = timezone.localdate(drug_user.created_at)
    assert drug_user.next_visit_due == registered + timedelta(days=7)

    assert log_in(client, demo, "township1").get(reverse("visit_cycles")).status_code == 403
    log_in(client, demo, "county")
    page = client.get(reverse("visit_cycles"))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["days_drug_user_high"] = 3
    response = client.post(reverse("visit_cycles"), data)
    assert response.status_code == 302
    assert Resident.objects.get(pk=drug_user.pk).next_visit_due == registered + timedelta(days=3)
    assert client.get(reverse("visit_cycles")).context["form"]["days_drug_user_high"].value() == 3

    bad = client.post(reverse("visit_cycles"), data | {"days_drug_user_high": 0})
    assert bad.status_code == 400
    assert Resident.objects.get(pk=drug_user.pk).next_visit_due == registered + timedelta(days=3)


def test_the_list_costs_the_same_queries_for_many_people(client, demo, people):
    log_in(client, demo, "township1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("resident_list")).status_code == 200
        return len(captured)

    few = queries()
    for serial in range(910, 916):
        register(demo, id_number=id_number(serial), name=f"张{serial}", grid=another_grid(demo))
    assert queries() == few


# --- In a browser, on a desktop and on a phone ----------------------------------------------


@pytest.mark.browser
def test_a_centre_registers_reveals_and_reads_in_a_browser(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    resident = register(demo, id_number=id_number(920), name="李甲")
    visit_record(
        resident=resident,
        actor=demo.user("township1"),
        data=VisitInput(
            client_uuid=uuid.uuid4(),
            visited_on=timezone.localdate(),
            situation="在家，情绪稳定，已找到临时工作。",
            risk_after=RiskLevel.MEDIUM,
            needs="希望办理低保",
        ),
    )
    elder = register(
        demo, id_number=id_number(921), name="王乙", category=ResidentCategory.ELDERLY_ALONE
    )
    Resident.objects.filter(pk=elder.pk).update(
        next_visit_due=timezone.localdate() - timedelta(days=3)
    )
    for label, device in [
        ("desktop", {"viewport": {"width": 1280, "height": 900}}),
        (
            "phone",
            {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
        ),
    ]:
        page = browser.new_context(**device).new_page()
        browser_log_in(page, live_server.url, "township1")
        page.goto(f"{live_server.url}/residents/")
        assert page.locator("table.residents tbody tr").count() == 2
        shoot(page, f"residents-list-{label}")
        page.goto(f"{live_server.url}/residents/new/")
        shoot(page, f"residents-register-{label}")
        page.goto(f"{live_server.url}/residents/")
        page.click("table.residents a:text-is('李甲')")
        page.click(".reveal-panel summary")
        page.fill("#id_reason", "上门核实身份信息")
        page.click("#reveal-form button[type=submit]")
        page.wait_for_selector("#reveal-notice")
        assert page.locator("#id-number").inner_text() == id_number(920)
        shoot(page, f"residents-detail-revealed-{label}")
        assert page.evaluate("document.documentElement.scrollWidth") <= device["viewport"]["width"]
        page.close()


@pytest.mark.browser
def test_the_committee_reads_the_access_log_and_sets_cycles_in_a_browser(
    browser,
    live_server,
    live_demo,
):
    demo = live_demo
    resident = register(demo, id_number=id_number(922), name="李甲")
    access.resident_detail(user=demo.user("township1"), pk=resident.pk)
    with pytest.raises(ValidationError):
        access.resident_reveal(resident=resident, actor=demo.user("grid1"), reason="")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_log_in(page, live_server.url, "county")
    page.goto(f"{live_server.url}/residents/access-log/")
    assert page.locator("table.access-log tbody tr").count() == 2
    assert page.locator("table.access-log tr.refused").count() == 1
    shoot(page, "residents-access-log-desktop")
    page.goto(f"{live_server.url}/residents/cycles/")
    page.fill("#id_days_drug_user_high", "3")
    page.click("#cycles-form button[type=submit]")
    page.wait_for_selector(".messages li")
    assert page.locator("#id_days_drug_user_high").input_value() == "3"
    shoot(page, "residents-cycles-desktop")
    page.close()
