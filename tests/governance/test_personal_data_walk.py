"""No page, API response, export or log line carries a resident's full ID number or phone,
except the answer to a logged reveal, nor anyone's mobile or ID number in full (a party's,
a staff member's, one used as a username). Every route, discovered from the URL resolver, is
fetched as every demo role with objects that role may see, exports included, with every
log record of the walk captured; a route added without a place here fails by itself. The
walk stands on the demo's roster, whose logins act on the cases it reads."""

from __future__ import annotations

import logging
import re
import uuid
import zipfile
from io import BytesIO

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessment.models import Evaluation
from assessment.services.evaluations import evaluations_compute
from assessment.services.rankings import rankings_compute
from disputes.models import CaseKind, Category
from disputes.services import workflow
from exports.models import ExportJob
from exports.services import export_write
from governance.platform.validators import id_number_is_valid
from grids.jurisdiction import can_see
from notifications.models import Notification
from personnel.models import Staff, User
from residents.models import AccessAction, Resident, ResidentAccess, ResidentCategory, Visit
from residents.selectors import resident_reveal
from residents.services.residents import resident_set_status
from residents.services.visits import CaseDraft, VisitInput, visit_record
from tests.factories import operations_of, register, report
from tests.governance.routes import operation_kwargs, points_routes
from tests.samples import id_number
from tests.support import ID_NUMBER, MOBILE

# Routes that change state or end the session: fetched by GET only (which answers 405, a
# form, or a redirect), never posted in this walk.
LOGOUT = {"logout", "set_language"}


def routes() -> dict[str, tuple[str, ...]]:
    """Every named route outside the admin, with the names of its URL parameters."""

    def walk(patterns, params=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                yield from walk(
                    pattern.url_patterns, params + tuple(pattern.pattern.regex.groupindex)
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield pattern.name, params + tuple(pattern.pattern.regex.groupindex)

    return dict(walk(get_resolver().url_patterns))


@pytest.fixture
def world(demo, roster):
    """The demo's roster; township 1's and township 2's residents (one of a health
    category), visits, a case raised from a visit and handled by one of the roster's logins,
    a status change, a reveal by the committee, a ranking."""
    staff = Staff.objects.get(user=demo.user("grid1"))  # the roster's grid worker of grid 1
    ours = register(demo, responsible=staff, name="甲某")
    sensitive = register(
        demo, id_number=id_number(31), category=ResidentCategory.MENTAL_DISORDER, name="乙某"
    )
    closed = register(demo, id_number=id_number(32), name="丙某")
    theirs = register(demo, grid=demo.grid2, actor="township2", id_number=id_number(33))
    category = Category.objects.filter(kind=CaseKind.KEY_PERSON, is_active=True).first()
    visit = visit_record(
        resident=ours,
        actor=demo.user("grid1"),
        data=VisitInput(
            client_uuid=uuid.uuid4(),
            visited_on=timezone.localdate(),
            situation="情绪稳定",
            raise_case=CaseDraft(
                kind=CaseKind.KEY_PERSON, category=category, title="走访发现", description="需关注"
            ),
        ),
    ).visit
    resident_set_status(
        resident=closed, actor=demo.user("village1"), status="moved", reason="迁出本县"
    )
    resident_reveal(resident=ours, actor=demo.user("county"), reason="核实身份信息")
    case = report(demo).case  # its party has an ID number too, shown masked
    evaluations_compute(
        month=(timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    )
    snapshot = rankings_compute(county=demo.county, month=timezone.localdate().replace(day=1))
    notice = Notification.objects.create(recipient=demo.user("grid1"), kind="assigned", text="x")
    # A login of the roster as the demo makes them (the thousands a county has) handles the
    # case: its username is shown wherever the case's timeline is.
    handler = next(
        user
        for user in User.objects.filter(staff__isnull=False, is_active=True)
        .exclude(username__in=list(demo.users))
        .select_related("area")
        if can_see(user, visit.case.grid)
    )
    workflow.case_accept(case=visit.case, actor=demo.user("township1"))
    workflow.case_assign(
        case=visit.case,
        actor=demo.user("township1"),
        lines=[{"line": "police", "handler": handler}],
    )
    workflow.case_record_action(
        case=visit.case, actor=handler, action_kind="visit", note="上门了解情况"
    )
    operations_of(demo, case=case, township=demo.township1, marker="一号镇专项行动")
    secrets = set()
    for resident in Resident.objects.all():
        secrets |= {resident.id_number, resident.phone}
    return {
        "resident": ours,
        "sensitive": sensitive,
        "theirs": theirs,
        "visit": visit,
        "case": visit.case,
        "party_case": case,
        "staff": staff,
        "snapshot": snapshot,
        "notice": notice,
        "secrets": secrets - {""},
    }


def object_kwargs(world, demo) -> dict[str, dict]:
    """How each route with parameters names one object of township 1."""
    resident, staff, case = world["resident"], world["staff"], world["case"]
    post = staff.posts.first()
    evaluation = Evaluation.objects.filter(staff=staff).first()
    snapshot = world["snapshot"]
    staff_routes = [
        "staff_detail",
        "staff_edit",
        "staff_call",
        "api_staff_reveal",
        "post_create",
        "staff_login",
        "api_staff_detail",
        "api_staff_posts",
    ]
    kwargs = {name: {"pk": staff.pk} for name in staff_routes}
    kwargs |= {name: {"pk": post.pk if post else 0} for name in ("post_end", "api_post_end")}
    kwargs |= {
        name: {"pk": evaluation.pk if evaluation else 0}
        for name in (
            "evaluation_detail",
            "evaluation_review",
            "evaluation_follow_up",
            "evaluation-detail",
            "evaluation-follow-up",
        )
    }
    kwargs |= {
        name: {"pk": demo.village1.pk}
        for name in (
            "area_detail",
            "area_children",
            "area_export",
            "area-detail",
            "area-boundaries",
            "area-stats",
        )
    }
    kwargs |= {
        name: {"pk": case.pk}
        for name in (
            "case_detail",
            "case_act",
            "case_call",
            "case-detail",
            "case-attachments",
            "case-events",
            "case-transitions",
        )
    }
    kwargs |= {"case_attachment": {"pk": case.pk, "attachment_pk": 0}}
    kwargs |= {"case-party-reveal": {"pk": case.pk, "index": 0}}
    kwargs |= {
        name: {"pk": snapshot.pk}
        for name in ("ranking_publish", "ranking_bulletin", "ranking_bulletin_xlsx")
    }
    kwargs |= {"ranking_area": {"pk": snapshot.pk, "area_id": demo.village1.pk}}
    kwargs |= {
        name: {"pk": world["notice"].pk} for name in ("inbox_mark_read", "notification-read")
    }
    kwargs |= {"category-detail": {"code": "homestead"}}
    # Township 1's roster, written in the background: its page, state, file and retry.
    job = ExportJob.objects.create(
        requester=demo.user("township1"), kind="roster", title="花名册", total=1
    )
    export_write(job_id=job.pk)
    kwargs |= {
        name: {"pk": job.pk}
        for name in ("export_job", "export_job_state", "export_download", "export_job_retry")
    }
    kwargs |= operation_kwargs()
    kwargs |= points_routes(demo.village1, demo.user("village1"))
    kwargs |= {
        "visit_record": {"resident_pk": resident.pk},
        "visit_photo": {"visit_pk": world["visit"].pk},
    }
    for name, params in routes().items():
        if params == ("pk",) and (name.startswith("resident_") or name.startswith("api_resident_")):
            kwargs[name] = {"pk": resident.pk}
    return kwargs


def admin_urls(world) -> list[str]:
    urls = []
    for model in admin.site._registry:
        if model._meta.app_label != "grids" or model.__name__ == "Area":
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        row = model.objects.first()
        if row is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[row.pk]))
    return urls


def readable(response) -> str:
    """The body as text; a workbook's XML parts unzipped."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(body)) as archive:
            return "".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return body.decode("utf-8", "replace")


def found(text: str, secrets: set[str]) -> list[str]:
    """The residents' numbers in `text`, and any other full mobile or ID number."""
    numbers = MOBILE.findall(text)
    numbers += [number for number in ID_NUMBER.findall(text) if id_number_is_valid(number)]
    return sorted({secret for secret in secrets if secret in text} | set(numbers))


def test_every_route_with_parameters_has_an_object_in_the_walk(demo, world):
    missing = {name for name, params in routes().items() if params} - set(
        object_kwargs(world, demo)
    )
    assert not missing, f"routes missing from the personal-data walk: {sorted(missing)}"


@pytest.mark.parametrize(
    "username",
    [
        "county",
        "centre",
        "township1",
        "township2",
        "police1",
        "village1",
        "grid1",
        "member1",
        "inspector",
    ],
)
def test_no_response_or_log_line_of_a_full_walk_carries_a_full_id_number_or_phone(
    client, demo, world, username, caplog
):
    caplog.set_level(logging.DEBUG)
    client.force_login(demo.user(username))
    secrets = world["secrets"]
    kwargs = object_kwargs(world, demo)
    fetched = 0
    for name, params in routes().items():
        if name in LOGOUT:
            continue
        url = reverse(name, kwargs=kwargs[name] if params else None)
        response = client.get(url)
        assert response.status_code < 500, (name, response.status_code)
        assert not found(readable(response), secrets), (name, found(readable(response), secrets))
        fetched += 1
    # The exports that only answer a POST, with their filters and a purpose.
    for name in ("resident_export", "access_log_export"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        response = client.post(url, {"reason": "月度核查工作需要"})
        assert response.status_code < 500, (name, response.status_code)
        assert not found(readable(response), secrets), (name, found(readable(response), secrets))
    for url in admin_urls(world):
        response = client.get(url)
        assert not found(readable(response), secrets), (url, found(readable(response), secrets))
    # Search and lookup by the full ID number: sent in the body; the answer stays masked.
    resident = world["resident"]
    for name in ("api_resident_lookup", "resident_lookup"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        response = client.post(url, {"id_number": resident.id_number})
        assert response.status_code < 500
        assert not found(readable(response), secrets), (name, found(readable(response), secrets))
    assert fetched >= 80  # the walk did not quietly skip the routes
    assert not found(caplog.text, secrets), found(caplog.text, secrets)


def test_a_reveal_answers_the_full_values_only_to_a_logged_purpose(client, demo, world):
    resident = world["resident"]
    client.force_login(demo.user("village1"))
    for name in ("api_resident_reveal", "resident_reveal"):
        try:
            url = reverse(name, args=[resident.pk])
        except NoReverseMatch:
            continue
        before = ResidentAccess.objects.filter(action=AccessAction.REVEAL, denied=False).count()
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 400 and resident.id_number not in readable(refused)
        shown = client.post(url, {"reason": "上门核实身份"})
        assert shown.status_code == 200 and resident.id_number in readable(shown), name
        assert shown["Cache-Control"] == "no-store"
        logged = ResidentAccess.objects.filter(action=AccessAction.REVEAL, denied=False)
        assert logged.count() == before + 1
        assert logged.order_by("-id").first().reason == "上门核实身份"


def test_the_raw_tables_hold_no_plaintext_id_number_phone_or_diagnosis(demo, world):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, situation, name FROM grids_resident")
        rows = cursor.fetchall()
        cursor.execute("SELECT situation FROM grids_visit")
        visits = cursor.fetchall()
    dump = repr(rows) + repr(visits)
    assert not re.search(r"\d{17}[\dX]", dump.replace("gAAAA", ""))
    assert not found(dump, world["secrets"]) and "情绪稳定" not in dump
    assert "2024年刑满释放" not in dump  # the situation written at registration
    assert "甲某" in dump  # names are not encrypted: they are how a person is found
    assert Visit.objects.get().situation == "情绪稳定"
