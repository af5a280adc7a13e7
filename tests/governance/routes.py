"""What the route walk, the personal-data walk and the hardening tests share: the list
routes, the object routes named with township 2's objects, and the scoped creates."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from assessment.models import Incident
from cameras.models import Camera, MaintenanceTask
from campaigns.models import Campaign, CampaignTask, Instruction
from disputes.models import Case
from exports.models import ExportJob
from governance.platform.validators import id_number_check_char
from personnel.models import SpotCheck, Staff, Training
from points.models import (
    Donation,
    Household,
    ItemKind,
    Objection,
    PointRecord,
    Redemption,
    RuleItem,
    RuleSet,
)
from residents.models import Resident, Visit
from supervision.models import Inspection, InspectionProblem, Meeting

TODAY = timezone.localdate()


def deadline() -> str:
    return (timezone.now() + timedelta(days=2)).isoformat()


def case_body(mine) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "kind": "dispute",
        "category": "neighbour",
        "title": "邻里排水纠纷",
        "description": "排水沟堵塞引发争执。",
        "grid": mine["grid"].pk,
    }


def valid_id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


# Route name → (the body naming one side's objects, the model whose rows must not grow).
SCOPED_CREATES = {
    "case-list": (case_body, Case),
    "api_campaign_list": (
        lambda side: {
            "title": "防溺水宣讲", "instructions": "逐户宣讲。", "area": side["township"].pk,
            "target_mode": "items", "deadline": deadline(), "client_uuid": str(uuid.uuid4()),
        },
        Campaign,
    ),
    "api_instruction_list": (
        lambda side: {
            "title": "紧急通知", "body": "今晚加强巡查。", "area": side["township"].pk,
            "post_kinds": ["grid_worker"], "client_uuid": str(uuid.uuid4()),
        },
        Instruction,
    ),
    "api_meeting_list": (
        lambda side: {
            "level": "township_daily", "area": side["meeting_area"].pk, "chair": "镇长",
            "items": [{"case": side["case"].pk, "judgement": "attention"}],
            "client_uuid": str(uuid.uuid4()),
        },
        Meeting,
    ),
    "api_inspection_list": (
        lambda side: {
            "area": side["village"].pk, "inspectors": "督导组", "score": "90",
            "items": [{"text": "台账齐全", "passed": True}], "client_uuid": str(uuid.uuid4()),
        },
        Inspection,
    ),
    "api_incident_list": (
        lambda side: {
            "area": side["grid"].pk, "kind": "criminal_case",
            "occurred_at": timezone.now().isoformat(), "description": "盗窃",
        },
        Incident,
    ),
    "api_resident_list": (
        lambda side: {
            "name": "赵某", "id_number": "430521199001011239", "grid": side["grid"].pk,
            "category": "released_prisoner", "responsible": side["staff"].pk,
        },
        Resident,
    ),
    "api_staff_list": (
        lambda side: {
            "name": "周某", "gender": "female", "phone": "13912345671",
            "id_number": valid_id("43052119850302001"), "area": side["village"].pk,
        },
        Staff,
    ),
    "spot-check-list": (
        lambda side: {"staff": side["staff"].pk, "day": TODAY.isoformat(), "reached": True},
        SpotCheck,
    ),
    "training-list": (
        lambda side: {
            "area": side["village"].pk, "day": TODAY.isoformat(), "topic": "调解技巧",
            "hours": "2", "attendees": [side["staff"].pk],
        },
        Training,
    ),
}  # fmt: skip


MARKER = "二号镇机密事项"

NOTICE = "发给二号镇的消息"


STAFF_MARKER = "二号镇网格员甲"

# Routes without an object id: lists, forms, counts. Their bodies must not carry
# township 2's data.
LISTS = {
    "home",
    "dashboard",
    "overview",
    "password_change",
    "area_tree",
    "inbox",
    "inbox_mark_all_read",
    "case_list",
    "case_report",
    "my_cases",
    "case_export",
    "case_batch_assign",
    "me",
    "field_work",
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
    "camera_list",
    "camera_import",
    "camera_rates",
    "camera_inspection",
    "camera_task_list",
    "api_camera_list",
    "api_camera_rates",
    "choose_areas",
    "choose_grids",
    "choose_staff",
    "points_home",
    "points_bank_list",
}


def operation_kwargs() -> dict[str, dict]:
    """How to name the one campaign, task, instruction, meeting, inspection and problem."""
    campaign, task = Campaign.objects.get(), CampaignTask.objects.get()
    instruction, meeting = Instruction.objects.get(), Meeting.objects.get()
    inspection, problem = Inspection.objects.get(), InspectionProblem.objects.get()
    camera, camera_task = Camera.objects.get(), MaintenanceTask.objects.get()
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
        "camera_detail": {"pk": camera.pk},
        "api_camera_detail": {"pk": camera.pk},
        "camera_task_close": {"pk": camera_task.pk},
    }


def points_routes(village, actor) -> dict[str, dict]:
    """Township 2's village points (its village's rules, a household, an item on notice with
    an objection, a donation and a redemption), made once, and the routes naming them."""
    household = Household.objects.filter(village=village, head_name=MARKER).first()
    if household is None:
        grid = village.get_children().first()
        household = Household.objects.create(
            village=village, grid=grid, head_name=MARKER, address=MARKER, members=3
        )
        rules = RuleSet.objects.create(area=village, version=1, note=MARKER)
        item = RuleItem.objects.create(
            rule_set=rules, kind=ItemKind.POSITIVE, text=MARKER, points=5
        )
        record = PointRecord.objects.create(
            household=household,
            village=village,
            item=item,
            kind=item.kind,
            points=5,
            occurred_on=TODAY,
            status="published",
            notice_ends_at=timezone.now() + timedelta(days=7),
            note=MARKER,
            photo="points/secret.jpg",
            created_by=actor,
        )
        Objection.objects.create(
            record=record, text=MARKER, raised_by_name=MARKER, created_by=actor
        )
        Donation.objects.create(
            village=village,
            donor=MARKER,
            amount_fen=10000,
            receipt="R1",
            received_on=TODAY,
            created_by=actor,
        )
        Redemption.objects.create(
            village=village,
            household=household,
            points=1,
            goods=MARKER,
            amount_fen=100,
            redeemed_on=TODAY,
            created_by=actor,
        )
    record = PointRecord.objects.get(household=household)
    objection = Objection.objects.get(record=record)
    return {
        **{
            name: {"pk": village.pk}
            for name in (
                "points_village", "points_rules", "points_rules_adopt",
                "points_household_create", "points_approve", "points_board", "points_fund",
                "points_donation_create", "points_award_all",
            )
        },
        "points_township": {"pk": village.parent_id},
        "points_household": {"pk": household.pk},
        "points_record_create": {"pk": household.pk},
        "points_redemption_create": {"pk": household.pk},
        "points_record_photo": {"pk": record.pk},
        "points_objection_create": {"pk": record.pk},
        "points_record_reject": {"pk": record.pk},
        "points_objection_decide": {"pk": objection.pk},
        "points_rule_item_edit": {"pk": record.item_id},
    }  # fmt: skip


def object_routes(theirs, snapshot) -> dict[str, dict]:
    """How to name township 2's object in each route with an id."""
    case, attachment, notice, area, staff, post, evaluation, _incident = theirs
    resident = Resident.objects.get()
    visit = Visit.objects.get()
    # An export township 2's centre asked for (its requester's alone).
    job, _made = ExportJob.objects.get_or_create(
        requester=case.reporter, kind="cases", defaults={"title": "事件台账"}
    )
    return {
        **operation_kwargs(),
        **points_routes(area, case.reporter),
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
        "staff_call": {"pk": staff.pk},
        "api_staff_reveal": {"pk": staff.pk},
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
        "case_call": {"pk": case.pk},
        "case-party-reveal": {"pk": case.pk, "index": 0},
        "case_attachment": {"pk": case.pk, "attachment_pk": attachment.pk},
        "case-detail": {"pk": case.pk},
        "case-attachments": {"pk": case.pk},
        "case-events": {"pk": case.pk},
        "case-transitions": {"pk": case.pk},
        "inbox_mark_read": {"pk": notice.pk},
        "notification-read": {"pk": notice.pk},
        "export_job": {"pk": job.pk},
        "export_job_state": {"pk": job.pk},
        "export_download": {"pk": job.pk},
        "export_job_retry": {"pk": job.pk},
    }


def ranking_routes(snapshot) -> dict[str, tuple[dict, dict]]:
    """Route name → (path kwargs, query) for the county's published month."""
    month = {"month": f"{snapshot.month:%Y-%m}"}
    return {
        "ranking_list": ({}, {**month, "level": "village"}),
        "ranking_bulletin": ({"pk": snapshot.pk}, {}),
        "ranking_bulletin_xlsx": ({"pk": snapshot.pk}, {}),
        "api_ranking_list": ({}, {**month, "level": "village"}),
    }


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
