"""Findings of the second outside probe about residents and the roster (the security issue,
second round): no existence oracle for ID numbers in the register or on the roster, reveals
under the hourly limit, the county alerted whatever was refused before, no prefix search of
masked numbers, and refusals that do the same work whether the object exists or not."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from audit.models import AuditEntry
from governance.platform import personal_data as sensitive
from notifications.models import Notification, NotificationKind
from personnel import selectors
from personnel.models import Staff, User
from personnel.services import staff as services
from residents.models import (
    AccessAction,
    Resident,
    ResidentAccess,
    ResidentCategory,
    RiskLevel,
    Visit,
)
from residents.services.residents import ResidentInput, resident_update
from residents.services.visits import VisitInput, visit_record
from tests.factories import register
from tests.samples import id_number

MASKED_FIELDS = {"phone", "id_number"}


def logged_in(client, demo, username):
    client.force_login(demo.user(username))
    return client


def new_resident(demo, number: str) -> dict:
    return {
        "name": "王某",
        "id_number": number,
        "grid": demo.grid1.pk,
        "category": ResidentCategory.ELDERLY_ALONE,
        "risk": RiskLevel.LOW,
    }


def new_staff(demo, number: str, phone: str = "13812345678") -> dict:
    return {
        "name": "王小明",
        "gender": "male",
        "phone": phone,
        "id_number": number,
        "employer": "",
        "area": demo.village1.pk,
    }


def a_staff_member(demo, *, number: str, area, actor: str, phone="13933334444") -> Staff:
    return services.staff_create(
        data=services.StaffInput(
            name="李二", phone=phone, id_number=number, gender="male", area=area
        ),
        actor=demo.user(actor),
    )


# --- 2. Existence oracles for ID numbers ------------------------------------------------------


def test_registering_someone_of_another_township_answers_as_for_an_unknown_id_and_is_logged(
    client, demo
):
    theirs = register(demo, id_number=id_number(801), grid=demo.grid2, actor="township2")
    logged_in(client, demo, "township1")
    url = reverse("api_resident_list")
    known = client.post(url, new_resident(demo, id_number(801)), content_type="application/json")
    unknown = client.post(url, new_resident(demo, id_number(802)), content_type="application/json")
    assert (known.status_code, sorted(known.json())) == (
        unknown.status_code,
        sorted(unknown.json()),
    )
    assert known.status_code == 201

    # The page's form answers alike: to the new person's page.
    page = reverse("resident_create")
    unknown_page = client.post(page, new_resident(demo, id_number(803)))
    theirs_again = register(demo, id_number=id_number(804), grid=demo.grid2, actor="township2")
    known_page = client.post(page, new_resident(demo, id_number(804)))
    assert known_page.status_code == unknown_page.status_code == 302

    # Correcting someone's ID number to another township's answers alike too.
    third = register(demo, id_number=id_number(805), grid=demo.grid2, actor="township2")
    ours = Resident.objects.get(pk=known.json()["id"])
    data = ResidentInput(
        name="王某", id_number=id_number(805), grid=demo.grid1,
        category=ResidentCategory.ELDERLY_ALONE,
    )  # fmt: skip
    resident_update(resident=ours, data=data, actor=demo.user("township1"))

    township1 = demo.user("township1")
    refused = ResidentAccess.objects.filter(actor=township1, denied=True)
    assert sorted(refused.values_list("resident", "action")) == sorted(
        [
            (theirs.pk, AccessAction.LOOKUP),
            (theirs_again.pk, AccessAction.LOOKUP),
            (third.pk, AccessAction.LOOKUP),
        ]
    )
    # Inside one's jurisdiction the clash keeps its helpful message.
    inside = client.post(url, new_resident(demo, id_number(802)), content_type="application/json")
    assert inside.status_code == 400 and "id_number" in inside.json()


def test_adding_to_the_roster_someone_of_another_township_answers_as_for_an_unknown_id(
    client, demo
):
    theirs = a_staff_member(demo, number=id_number(811), area=demo.village2, actor="township2")
    logged_in(client, demo, "township1")
    url = reverse("api_staff_list")
    known = client.post(url, new_staff(demo, id_number(811)), content_type="application/json")
    unknown = client.post(url, new_staff(demo, id_number(812)), content_type="application/json")
    assert (known.status_code, sorted(known.json())) == (
        unknown.status_code,
        sorted(unknown.json()),
    )
    assert known.status_code == 201
    assert "roster" not in known.content.decode() and "花名册" not in known.content.decode()

    theirs_again = a_staff_member(
        demo, number=id_number(813), area=demo.village2, actor="township2"
    )
    page = client.post(
        reverse("staff_create"),
        new_staff(demo, id_number(813))
        | {"post_kind": "", "post_member_type": "", "post_area": "", "post_start": ""},
    )
    assert page.status_code == 302

    clashes = AuditEntry.objects.filter(actor=demo.user("township1"), action="staff.duplicate")
    assert sorted(clashes.values_list("object_id", flat=True)) == sorted(
        [str(theirs.pk), str(theirs_again.pk)]
    )
    # Inside one's jurisdiction the clash keeps its helpful message.
    inside = client.post(url, new_staff(demo, id_number(812)), content_type="application/json")
    assert inside.status_code == 400 and "id_number" in inside.json()


# --- 3. The hourly limit covers reveals -------------------------------------------------------


def test_reveals_count_against_the_hourly_limit_and_past_it_are_refused_on_the_api_and_the_page(
    client, demo, settings
):
    settings.RESIDENT_VIEWS_PER_HOUR = 4
    resident = register(demo, id_number=id_number(821))
    logged_in(client, demo, "township1")
    detail = reverse("api_resident_detail", args=[resident.pk])
    reveal = reverse("api_resident_reveal", args=[resident.pk])
    reason = {"reason": "上门核实身份信息"}
    for _ in range(2):
        assert client.get(detail).status_code == 200
        assert client.post(reveal, reason, content_type="application/json").status_code == 200

    # Two views and two reveals make the four openings of the hour.
    assert client.get(detail).status_code == 403
    refused = client.post(reveal, reason, content_type="application/json")
    assert refused.status_code == 403 and resident.id_number not in refused.content.decode()
    page_reveal = reverse("resident_reveal", args=[resident.pk])
    for body in (reason, {"reason": ""}):
        page = client.post(page_reveal, body)
        assert page.status_code == 403
        assert resident.id_number not in page.content.decode()
        assert resident.name not in page.content.decode()
    refused_reveals = ResidentAccess.objects.filter(action=AccessAction.REVEAL, denied=True)
    assert refused_reveals.count() == 3
    assert ResidentAccess.objects.filter(action=AccessAction.REVEAL, denied=False).count() == 2


def test_a_reveal_refused_for_its_reason_shows_the_page_only_as_an_opening_within_the_limit(
    client, demo, settings
):
    settings.RESIDENT_VIEWS_PER_HOUR = 2
    resident = register(demo, id_number=id_number(822))
    logged_in(client, demo, "township1")
    page_reveal = reverse("resident_reveal", args=[resident.pk])
    for _ in range(2):
        shown = client.post(page_reveal, {"reason": ""})
        assert shown.status_code == 400 and resident.name in shown.content.decode()
    assert client.get(reverse("resident_detail", args=[resident.pk])).status_code == 403
    assert client.post(page_reveal, {"reason": ""}).status_code == 403


# --- 4. One refusal does not silence the alert ------------------------------------------------


def test_an_outside_refusal_first_does_not_silence_the_alert_which_goes_once_to_the_county(
    client, demo, settings
):
    assert settings.RESIDENT_VIEWS_PER_HOUR == 60
    ours = register(demo, id_number=id_number(831))
    theirs = register(demo, id_number=id_number(832), grid=demo.grid2, actor="township2")
    logged_in(client, demo, "township1")
    assert client.get(reverse("api_resident_detail", args=[theirs.pk])).status_code == 404
    detail = reverse("api_resident_detail", args=[ours.pk])
    answers = [client.get(detail).status_code for _ in range(62)]
    assert answers == [200] * 60 + [403] * 2
    alerts = Notification.objects.filter(kind=NotificationKind.ACCESS_FLAGGED)
    assert [alert.recipient.username for alert in alerts] == ["county"]
    assert {client.get(detail).status_code for _ in range(5)} == {403}
    assert alerts.count() == 1


# --- 8. No prefix search of masked numbers ----------------------------------------------------


def test_the_roster_search_matches_a_masked_phone_or_id_number_only_in_full(client, demo):
    number = id_number(841)
    person = a_staff_member(
        demo, number=number, area=demo.village1, actor="township1", phone="18712344991"
    )
    inspector = demo.user("inspector")

    def found(query: str) -> bool:
        return person in selectors.staff_list(user=inspector, query=query)

    assert found("18712344991") and found(number.lower())
    for prefix in ("187", "1871234", "18712344", number[:10], number[:17]):
        assert not found(prefix), prefix
    logged_in(client, demo, "inspector")
    page = client.get(reverse("staff_list"), {"q": "1871234"})
    assert person.name not in page.content.decode()
    listed = client.get(reverse("api_staff_list"), {"search": "1871234"})
    assert listed.json()["results"] == []


def search_fields_over_masked_data(fields) -> list[str]:
    return [
        field
        for field in fields
        if field.lstrip("^=@").split("__")[-1] in MASKED_FIELDS and not field.startswith("=")
    ]


def api_views(patterns) -> list[type]:
    views = []
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            views += api_views(pattern.url_patterns)
        elif view := getattr(pattern.callback, "cls", None):
            views.append(view)
    return views


def test_no_admin_or_api_search_box_matches_a_masked_field_by_part(admin_client, demo):
    partial = {
        type(model_admin).__name__: found
        for model_admin in admin.site._registry.values()
        if (found := search_fields_over_masked_data(model_admin.search_fields))
    }
    partial |= {
        view.__name__: found
        for view in api_views(get_resolver().url_patterns)
        if (found := search_fields_over_masked_data(getattr(view, "search_fields", None) or []))
    }
    assert partial == {}
    User.objects.filter(pk=demo.user("grid1").pk).update(phone="18712344991")
    changelist = reverse("admin:personnel_user_changelist")
    for query, expected in (("1871234", False), ("4991", False), ("18712344991", True)):
        shown = admin_client.get(changelist, {"q": query}).context["cl"].result_list
        assert (demo.user("grid1") in shown) is expected, query


# --- 10. Refusals take the same path whatever the object ---------------------------------------


def statements(queries) -> list[str]:
    """The SQL run, with every literal (ids, times) blanked out."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", query["sql"]) for query in queries]


def test_a_refusal_does_the_same_work_for_someone_elsewhere_as_for_nobody(
    client, demo, monkeypatch
):
    theirs = register(demo, id_number=id_number(851), grid=demo.grid2, actor="township2")
    visit = visit_record(
        resident=theirs,
        actor=demo.user("township2"),
        data=VisitInput(client_uuid=uuid.uuid4(), visited_on=timezone.localdate()),
    ).visit
    Visit.objects.filter(pk=visit.pk).update(photo="visits/photo.jpg")
    nobody, no_visit = theirs.pk + 1000, visit.pk + 1000
    decrypted = []
    real_decrypt = sensitive.decrypt
    monkeypatch.setattr(
        sensitive, "decrypt", lambda token: decrypted.append(token) or real_decrypt(token)
    )
    logged_in(client, demo, "township1")
    pairs = {
        "api detail": ("api_resident_detail", theirs.pk, nobody),
        "api reveal": ("api_resident_reveal", theirs.pk, nobody),
        "page": ("resident_detail", theirs.pk, nobody),
        "visit photo": ("visit_photo", visit.pk, no_visit),
    }
    for what, (name, elsewhere, missing) in pairs.items():
        method = client.post if "reveal" in what else client.get
        method(reverse(name, args=[missing]))  # once before measuring: nothing cached differs
        work = []
        for pk in (elsewhere, missing):
            decrypted.clear()
            with CaptureQueriesContext(connection) as queries:
                assert method(reverse(name, args=[pk])).status_code == 404, what
            work.append((statements(queries.captured_queries), len(decrypted)))
        assert work[0] == work[1], what
        assert work[0][1] == 0, what
    # Still, the attempts at the person elsewhere are in the access log, refused.
    assert ResidentAccess.objects.filter(resident=theirs, denied=True).count() == len(pairs)


@pytest.mark.parametrize("username", ["township1", "grid1"])
def test_a_refused_attempt_at_someone_elsewhere_is_logged_against_that_person(
    client, demo, username
):
    theirs = register(demo, id_number=id_number(861), grid=demo.grid2, actor="township2")
    logged_in(client, demo, username)
    assert client.get(reverse("resident_detail", args=[theirs.pk])).status_code == 404
    row = ResidentAccess.objects.get(denied=True)
    assert (row.resident, row.actor.username, row.action) == (theirs, username, AccessAction.VIEW)
