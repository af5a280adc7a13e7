"""Every state change of cases, staff, residents, scores and settings leaves an audit entry
with its actor, time, old and new values, written in the transaction of the change: it is
there when the change commits and gone when it rolls back. Personal data stays out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessment.services.rankings import ranking_publish, rankings_compute
from assessment.services.scoring import entered_value_set, scheme_ensure
from audit.models import AuditEntry
from audit.services import audit_verify
from campaigns.models import Campaign
from disputes import services
from disputes.models import DeadlineRule
from disputes.services.sweeps import escalate_overdue
from personnel.models import User
from personnel.services import staff as staff_services
from personnel.services.training import spot_check_create
from residents.services.cycles import visit_cycles_set
from residents.services.residents import ResidentInput, resident_set_status, resident_update
from tests.factories import (
    operations_of,
    overdue_cases,
    register,
    report,
    staff_with_post,
    training_session,
)
from tests.samples import ID_A, VALID_ID

STAFF_ID = "430521199001011239"
STAFF_PHONE = "13912345678"


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def raw_audit_table() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuditEntry._meta.db_table}")
        return repr(cursor.fetchall())


# --- Cases ----------------------------------------------------------------------------------


def test_each_case_transition_is_recorded_with_its_actor_and_states(demo):
    case = report(demo).case
    centre = demo.user("township1")
    case = services.case_accept(case=case, actor=centre, severity="attention")
    services.case_escalate(case=case, actor=centre, reason="镇级无法化解")
    reported, accepted, escalated = (
        entries(f"case.{a}")[0] for a in ("report", "accept", "escalate")
    )
    assert reported.actor == demo.user("grid1") and reported.new_values["status"] == "reported"
    assert (accepted.actor, accepted.old_values, accepted.new_values["status"]) == (
        centre, {"status": "reported"}, "accepted"
    )  # fmt: skip
    assert accepted.new_values["severity"] == "attention"
    assert escalated.old_values == {"status": "accepted", "level": "village"}
    assert (escalated.new_values["status"], escalated.new_values["level"]) == (
        "reported",
        "township",
    )
    assert {e.object_id for e in (reported, accepted, escalated)} == {str(case.pk)}
    assert {e.area_id for e in (reported, accepted, escalated)} == {demo.grid1.pk}
    assert audit_verify().intact


def test_a_refused_transition_leaves_no_entry(demo):
    case = report(demo).case
    before = AuditEntry.objects.count()
    with pytest.raises(services.TransitionError):
        services.case_close(case=case, actor=demo.user("township1"))
    assert AuditEntry.objects.count() == before


def test_the_entry_rolls_back_with_the_change_it_records(demo):
    case = report(demo).case
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_accept(case=case, actor=demo.user("township1"))
        assert AuditEntry.objects.count() == before + 1  # written in the same transaction
        raise RuntimeError("the request fails after the service")
    assert AuditEntry.objects.count() == before


def test_the_overdue_sweep_records_its_cases_set_based_as_the_system(demo):
    ids = overdue_cases(demo, 30)
    assert escalate_overdue()["escalated"] == 30
    swept = entries("case.escalate_overdue")
    assert sorted(int(e.object_id) for e in swept) == sorted(ids)
    assert all(e.actor is None and e.actor_name == "" for e in swept)
    assert {(e.old_values["level"], e.new_values["level"]) for e in swept} == {
        ("village", "township")
    }
    assert audit_verify().intact


def test_case_parties_phones_and_id_numbers_stay_out_of_the_log(demo):
    case = report(demo).case
    services.case_accept(case=case, actor=demo.user("township1"), note="申请人电话13800138000")
    raw = raw_audit_table()
    assert "13800138000" not in raw and VALID_ID not in raw


# --- Staff ----------------------------------------------------------------------------------


def staff_member(demo):
    return staff_services.staff_create(
        data=staff_services.StaffInput(
            name="赵六", phone=STAFF_PHONE, id_number=STAFF_ID, gender="male", area=demo.village1
        ),
        actor=demo.user("township1"),
    )


def test_staff_changes_are_recorded_masked(demo):
    staff = staff_member(demo)
    staff_services.staff_update(
        staff=staff,
        data=staff_services.StaffInput(
            name="赵六", phone="13912340000", id_number=STAFF_ID, gender="male", area=demo.village1
        ),
        actor=demo.user("county"),
    )
    created, updated = entries("staff.create")[0], entries("staff.update")[0]
    assert created.new_values["id_number"] == "430521********1239"
    assert created.new_values["phone"] == "139****5678"
    assert (updated.old_values, updated.new_values) == (
        {"phone": "139****5678"},
        {"phone": "139****0000"},
    )
    assert updated.actor == demo.user("county") and updated.area_id == demo.village1.pk
    raw = raw_audit_table()
    assert STAFF_ID not in raw and STAFF_PHONE not in raw and "13912340000" not in raw


def test_a_post_moves_the_login_and_both_are_recorded(demo):
    staff = staff_member(demo)
    county = demo.user("county")
    post = staff_services.post_add(
        staff=staff, kind="grid_worker", area=demo.grid1, start=date(2026, 1, 5), actor=county
    )
    login = staff_services.staff_grant_login(
        staff=staff, username="zhaoliu", password="a-long-pass-2026", actor=county
    )
    assert login.area == demo.grid1
    staff_services.post_end(post=post, actor=county, reason="other")
    assert entries("post.add")[0].new_values["area"] == demo.grid1.pk
    assert entries("post.end")[0].new_values["end"] == timezone.localdate().isoformat()
    assert entries("user.create")[0].new_values["username"] == "zhaoliu"
    moves = entries("user.update")
    assert moves[0].new_values == {"role": "grid_worker", "area": demo.grid1.pk}
    assert (moves[-1].old_values, moves[-1].new_values) == (
        {"is_active": True},
        {"is_active": False},
    )
    assert all(move.actor == county for move in moves)


# --- Residents ------------------------------------------------------------------------------


def test_resident_changes_are_recorded_without_their_personal_data(demo):
    resident = register(demo)
    resident_update(
        resident=resident,
        data=ResidentInput(
            name="李某某", id_number=ID_A, grid=demo.grid1, category=resident.category,
            risk="low", phone="13700137000", situation="诊断为精神分裂症",
        ),
        actor=demo.user("county"),
    )  # fmt: skip
    resident_set_status(
        resident=resident, actor=demo.user("village1"), status="moved", reason="迁出本县"
    )
    registered = entries("resident.register")[0]
    updated = entries("resident.update")[0]
    moved = entries("resident.status")[0]
    assert registered.new_values["id_number"] == "***" and registered.new_values["risk"] == "high"
    assert updated.old_values["risk"] == "high" and updated.new_values["risk"] == "low"
    assert updated.new_values["name"] == updated.new_values["phone"] == "***"
    assert "id_number" not in updated.new_values  # unchanged
    assert moved.new_values == {"status": "moved", "reason": "迁出本县"}
    raw = raw_audit_table()
    for secret in (ID_A, "13800138000", "13700137000", "精神分裂", "李某", "刑满释放"):
        assert secret not in raw, secret


def test_a_change_of_visit_cycles_is_a_settings_change(demo):
    visit_cycles_set(county=demo.county, days={("drug_user", "high"): 3}, actor=demo.user("county"))
    change = entries("settings.change")[0]
    assert change.object_type == "visitcycle" and change.area_id == demo.county.pk
    assert (change.old_values, change.new_values) == ({"drug_user/high": 7}, {"drug_user/high": 3})


# --- Scores and settings --------------------------------------------------------------------


def test_entered_scores_and_a_published_ranking_are_recorded(demo):
    county = demo.user("county")
    month = timezone.localdate().replace(day=1)
    camera = scheme_ensure(county=demo.county, year=month.year).indicators.get(
        code="camera-online-rate"
    )
    entered_value_set(indicator=camera, area=demo.village1, month=month, value="91.5", actor=county)
    entered_value_set(indicator=camera, area=demo.village1, month=month, value=93, actor=county)
    entered_value_set(indicator=camera, area=demo.village1, month=month, value=93, actor=county)
    first, second = entries("score.enter")  # the third changed nothing
    assert first.old_values == {} and first.new_values["value"] == "91.50"
    assert (second.old_values, second.new_values["value"]) == ({"value": "91.50"}, "93.00")
    snapshot = rankings_compute(county=demo.county, month=month, actor=county)
    ranking_publish(snapshot=snapshot, actor=county)
    assert entries("ranking.compute")[0].object_id == str(snapshot.pk)
    published = entries("ranking.publish")[0]
    assert (published.old_values, published.new_values["status"]) == (
        {"status": "draft"}, "published"
    )  # fmt: skip


def test_a_deadline_rule_changed_in_the_admin_is_recorded(client, demo):
    client.force_login(demo.user("county"))
    client.post(
        reverse("admin:disputes_deadlinerule_add"),
        {"severity": "ordinary", "level": "village", "hours": 48},
    )
    rule = DeadlineRule.objects.get()
    response = client.post(
        reverse("admin:disputes_deadlinerule_change", args=[rule.pk]),
        {"severity": "ordinary", "level": "village", "hours": 24},
    )
    assert response.status_code == 302
    added, changed = entries("settings.change")
    assert added.object_type == "deadlinerule" and added.new_values["hours"] == 48
    assert (changed.old_values, changed.new_values) == ({"hours": 48}, {"hours": 24})
    assert changed.actor == demo.user("county")
    client.post(reverse("admin:disputes_deadlinerule_delete", args=[rule.pk]), {"post": "yes"})
    deleted = entries("settings.change")[-1]
    assert deleted.object_id == str(rule.pk) and deleted.new_values == {"deleted": True}


def test_a_login_moved_in_the_admin_is_recorded(client, demo):
    client.force_login(demo.user("county"))
    user = User.objects.create_user("spare", role="grid_worker", area=demo.grid1)
    form = {
        "username": "spare", "role": "grid_worker", "area": demo.grid2.pk, "is_active": "on",
        "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }  # fmt: skip
    response = client.post(reverse("admin:personnel_user_change", args=[user.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    moved = entries("user.update")[0]
    assert (moved.old_values, moved.new_values) == (
        {"area": demo.grid1.pk}, {"area": demo.grid2.pk}
    )  # fmt: skip


def test_a_campaign_launch_is_one_entry_with_its_counts(demo, roster):
    operations_of(demo, case=report(demo).case, township=demo.township1, marker="防溺水")
    launch = entries("campaign.launch")
    assert len(launch) == 1 and launch[0].object_id == str(Campaign.objects.get().pk)
    assert launch[0].new_values["tasks"] == 1 and launch[0].new_values["status"] == "running"
    assert launch[0].actor == demo.user("township1")


def test_every_change_of_a_busy_day_keeps_the_chain_intact(demo, roster):
    operations_of(demo, case=report(demo).case, township=demo.township1, marker="巡查")
    overdue_cases(demo, 5)
    escalate_overdue(now=timezone.now() + timedelta(days=30))
    report_ = audit_verify()
    assert report_.intact and report_.checked == AuditEntry.objects.count() >= 10


# --- Trainings, spot checks and the area tree -----------------------------------------------


def test_a_training_and_a_spot_check_are_recorded(demo):
    worker = staff_with_post(demo, demo.village1, post_area=demo.grid1)
    training = training_session(demo, "township1", demo.township1, [worker])
    spot_check_create(
        staff=worker,
        day=timezone.localdate(),
        reached=False,
        problems="电话无人接听",
        fix="",
        actor=demo.user("township1"),
    )
    (recorded,) = entries("training.record")
    assert recorded.object_id == str(training.pk) and recorded.area_id == demo.township1.pk
    assert recorded.new_values["attendees"] == 1 and recorded.actor == demo.user("township1")
    (checked,) = entries("training.spot_check")
    assert checked.new_values["reached"] is False and checked.area_id == worker.area_id


def test_an_area_changed_in_the_admin_and_an_import_are_recorded(client, demo):
    client.force_login(demo.user("county"))
    village = demo.village1
    form = {
        "code": village.code, "name": "更名村", "level": "village", "parent": village.parent_id,
        "kind": village.kind or "rural", "households": 120, "residents": village.residents,
    }  # fmt: skip
    response = client.post(reverse("admin:grids_area_change", args=[village.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (renamed,) = entries("area.update")
    assert renamed.object_type == "area" and renamed.area_id == village.pk
    assert renamed.old_values["name"] == village.name and renamed.new_values["name"] == "更名村"
    rows = "code,name,level,parent_code,kind,households,residents\n"
    upload = SimpleUploadedFile(
        "areas.csv",
        (rows + f"{village.code}099,新建网格,grid,{village.code},,10,30\n").encode(),
        content_type="text/csv",
    )
    assert client.post(reverse("admin:grids_area_import"), {"file": upload}).status_code == 302
    summary, created = sorted(entries("area.import"), key=lambda entry: entry.object_type)
    assert summary.new_values == {"created": 1, "updated": 0}
    assert created.object_type == "area" and created.new_values["name"] == "新建网格"
    assert summary.actor == created.actor == demo.user("county")


def test_instructions_campaigns_task_completions_and_meetings_are_audited(demo, roster):
    import uuid

    from campaigns.models import TaskStatus
    from campaigns.services.campaigns import (
        CampaignInput,
        TargetRow,
        TaskInput,
        campaign_create,
        campaign_end,
        campaign_launch,
        campaign_targets_set,
        task_complete,
    )
    from campaigns.services.instructions import InstructionInput, instruction_send
    from personnel.models import PostKind
    from supervision.models import MeetingLevel
    from supervision.services.meetings import MeetingInput, meeting_record

    township = demo.user("township1")
    instruction = instruction_send(
        actor=township,
        data=InstructionInput(
            title="暴雨预警", body="今夜有暴雨，请巡查山塘。", area=demo.township1,
            post_kinds=[PostKind.GRID_WORKER], member_types=[],
        ),
    )  # fmt: skip
    (sent,) = entries("instruction.send")
    assert sent.object_id == str(instruction.pk) and sent.area_id == demo.township1.pk
    assert sent.actor == township and sent.new_values["recipients"] == instruction.recipient_count

    now = timezone.now()
    campaign = campaign_create(
        actor=township,
        data=CampaignInput(
            title="防溺水家访", instructions="逐户宣讲。", area=demo.township1,
            target_mode="items", starts_at=now, deadline=now + timedelta(hours=4),
            post_kinds=[], member_types=[],
        ),
    )  # fmt: skip
    (created,) = entries("campaign.create")
    assert created.new_values["title"] == "防溺水家访" and created.area_id == demo.township1.pk
    campaign_targets_set(
        campaign=campaign,
        actor=township,
        rows=[TargetRow(line=2, name="学生甲", grid=demo.grid1.code)],
    )
    assert entries("campaign.targets")[0].new_values == {"targets": 1}
    campaign_launch(campaign=campaign, actor=township)
    task = type(campaign.tasks.get()).objects.get(campaign_id=campaign.pk)
    task_complete(
        task=task, actor=township, data=TaskInput(client_uuid=uuid.uuid4(), result="已宣讲")
    )
    (done,) = entries("task.complete")
    assert done.object_id == str(task.pk) and done.new_values["status"] == TaskStatus.DONE
    campaign_end(campaign=campaign, actor=township)
    (ended,) = entries("campaign.end")
    assert (ended.old_values, ended.new_values) == ({"status": "running"}, {"status": "finished"})

    case = report(demo).case
    meeting = meeting_record(
        actor=township,
        data=MeetingInput(
            level=MeetingLevel.TOWNSHIP_DAILY, area=demo.township1,
            held_on=timezone.localdate(), chair="王镇长", units=["centre"],
            participants="综治中心", summary="研判。", items=[],
        ),
    )  # fmt: skip
    (recorded,) = entries("meeting.record")
    assert recorded.object_id == str(meeting.pk) and recorded.actor == township
    assert case.pk not in recorded.new_values["cases"]
    assert audit_verify().intact
