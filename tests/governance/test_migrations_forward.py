"""A database built at the head before the layout (issue 21) migrates forward with every row
kept: the moved models keep their tables, their content types (with the same ids, so every
permission grant holds), and the audit chain holds.

At that head (commit 0c49eb8) the models of today's residents, assessment, campaigns and
supervision apps lived in grids, governance and personnel. The test goes back there with
the migration executor, fills every moved table through the historical models, writes
audit entries as the audit app writes them, then migrates to today's head and reads it all
back through the new models and raw SQL. It runs on SQLite and, in CI, on PostgreSQL.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEntry
from audit.services import AuditInput, audit_record, audit_record_many
from campaigns.models import CampaignTask, Instruction
from disputes.models import Case, Category
from disputes.services import case_report
from governance.platform.roles import Role
from notifications.models import Notification
from personnel.models import User
from residents.models import Resident, Visit

# The last migration of each of our apps at the head before the layout. The apps the layout
# added (residents, assessment, campaigns, supervision) had none.
PREVIOUS_HEAD = {
    "audit": "0001_initial",
    "disputes": "0013_county_settings_tighten",
    "governance": "0005_client_uuids",
    "grids": "0007_resident_id_number_unique_per_register",
    "notifications": "0004_campaigns_meetings_inspections",
    "personnel": "0005_usernames_not_personal",
}
NEW_APPS = ("residents", "assessment", "campaigns", "supervision")
# Apps made after the layout: unapplied at the previous head too, but nothing moved into them.
LATER_APPS = ("cameras", "points")
# Where each moved model went.
MOVED_TO = {
    **dict.fromkeys(
        ["resident", "residentaccess", "residentstatuschange", "visit", "visitcycle"],
        "residents",
    ),
    **dict.fromkeys(
        ["incident", "scoringscheme", "indicator", "enteredvalue", "rankingsnapshot"],
        "assessment",
    ),
    "rankingrow": "assessment",
    "evaluation": "assessment",
    "payrate": "assessment",
    **dict.fromkeys(
        ["campaign", "campaigntarget", "campaigntask", "instruction", "instructionreceipt"],
        "campaigns",
    ),
    **dict.fromkeys(
        ["meeting", "meetingcase", "inspection", "inspectionitem", "inspectionproblem"],
        "supervision",
    ),
}
# The grants checked after the move, one per new app: (old label, codename).
GRANTS = [
    ("grids", "change_visit"),
    ("governance", "view_rankingsnapshot"),
    ("personnel", "view_evaluation"),
    ("governance", "add_campaign"),
    ("governance", "delete_meeting"),
]
AT = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)


def previous_head(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """Today's graph cut back to the previous head: our apps at their old last migration,
    the new apps unapplied, Django's and third-party apps where they are."""
    nodes: list[tuple[str, str | None]] = []
    for app, name in executor.loader.graph.leaf_nodes():
        if app in PREVIOUS_HEAD:
            nodes.append((app, PREVIOUS_HEAD[app]))
        elif app in NEW_APPS or app in LATER_APPS:
            nodes.append((app, None))
        else:
            nodes.append((app, name))
    return nodes


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def raw_rows(table: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def fill_every_moved_table(old, demo, case: Case, user: User) -> dict[tuple[str, str], object]:
    """One row (or more) in every moved table, through the historical models; returns the
    first row of each, keyed by its old (app label, model name)."""

    def model(label: str, name: str):
        return old.get_model(label, name)

    county, grid, village, township = demo.county, demo.grid1, demo.village1, demo.township1
    staff = model("personnel", "Staff").objects.create(
        name="赵敏", phone="13900001111", id_number="110105194912310029", gender="female",
        area_id=village.pk,
    )  # fmt: skip
    event = case.events.order_by("id").first()
    rows: dict[tuple[str, str], object] = {}

    def add(label: str, name: str, /, **values):
        obj = model(label, name).objects.create(**values)
        rows.setdefault((label, name), obj)
        return obj

    # Residents of concern (grids then, residents now).
    resident = add(
        "grids", "resident", name="钱某", id_number="110105194912310029",
        id_number_hash="a" * 64, phone="13800138000", address="东街 3 号",
        category="petition_prone", risk="high", status="active", situation="长期上访",
        created_by_id=user.pk, grid_id=grid.pk, responsible_id=staff.pk,
        last_visited_on=date(2026, 10, 1), next_visit_due=date(2026, 11, 1),
        reminded_for=date(2026, 11, 1),
    )  # fmt: skip
    add("grids", "resident", name="孙某", id_number="11010519491231002X",
        id_number_hash="b" * 64, category="hardship", status="closed",
        closed_on=date(2026, 9, 30), erased_on=date(2026, 10, 30),
        created_by_id=user.pk, grid_id=grid.pk)  # fmt: skip
    add("grids", "residentaccess", action="reveal", reason="核实身份", denied=True,
        actor_id=user.pk, resident_id=resident.pk)  # fmt: skip
    add("grids", "residentstatuschange", from_status="active", to_status="moved",
        reason="外出务工", actor_id=user.pk, resident_id=resident.pk)  # fmt: skip
    add("grids", "visit", client_uuid=uuid.uuid4(), visited_on=date(2026, 10, 1), met=True,
        situation="情绪稳定", risk_before="high", risk_after="medium", needs="就业帮扶",
        follow_up="继续关注", due_on=date(2026, 11, 1), photo="visits/1.jpg",
        location_lat=Decimal("28.123456"), location_lng=Decimal("112.654321"),
        case_id=case.pk, recorded_by_id=user.pk, resident_id=resident.pk)  # fmt: skip
    add("grids", "visitcycle", category="petition_prone", risk="high", days=7,
        county_id=county.pk)  # fmt: skip

    # Assessment (governance and personnel then).
    add("governance", "incident", kind="criminal", occurred_at=AT, description="盗窃",
        area_id=village.pk, recorded_by_id=user.pk)  # fmt: skip
    scheme = add("governance", "scoringscheme", year=2026, min_cases=3,
                 below_min_rule="exclude", note="县考核方案", county_id=county.pk,
                 safe_village_score=Decimal("90.5"))  # fmt: skip
    indicator = add(
        "governance", "indicator", code="on-time", name="按期办结率", source="computed",
        formula="on_time_rate", weight=Decimal("20.00"), direction="higher",
        full_marks_at=Decimal("95.00"), zero_at=Decimal("60.00"), is_percentage=True,
        applies_to_township=True, applies_to_village=False, sort_order=2, scheme_id=scheme.pk,
    )  # fmt: skip
    add("governance", "enteredvalue", month=date(2026, 10, 1), value=Decimal("87.50"),
        area_id=township.pk, entered_by_id=user.pk, indicator_id=indicator.pk)  # fmt: skip
    snapshot = add(
        "governance", "rankingsnapshot", month=date(2026, 10, 1), version=2,
        status="published", reason="更正数据", indicators=[{"code": "on-time", "weight": "20"}],
        min_cases=3, below_min_rule="exclude", computed_at=AT, published_at=AT,
        computed_by_id=user.pk, county_id=county.pk, published_by_id=user.pk,
        scheme_id=scheme.pk,
    )  # fmt: skip
    add("governance", "rankingrow", level="village", score=Decimal("88.25"), rank=1,
        rank_in_township=1, previous_rank=3, score_change=Decimal("2.50"), veto=True,
        veto_kinds=["criminal"], safe_candidate=False, cases=4, below_minimum=False,
        values={"on-time": "87.5"}, figures={"cases": 4}, area_id=village.pk,
        township_id=township.pk, snapshot_id=snapshot.pk)  # fmt: skip
    add("personnel", "evaluation", month=date(2026, 10, 1), kind="grid_worker",
        cases_reported=5, cases_handled=4, cases_on_time=3, visits=6, returns=1,
        delay_escalations=1, work_score=Decimal("81.5"), supervisor_score=90,
        supervisor_comment="认真负责", score=Decimal("84.1"), outcome="competent",
        follow_up="kept", follow_up_note="留任", computed_at=AT, area_id=village.pk,
        supervisor_id=user.pk, staff_id=staff.pk)  # fmt: skip
    add("personnel", "payrate", year=2026, annual_amount=Decimal("12000.00"),
        area_id=township.pk)  # fmt: skip

    # Campaigns and instructions (governance then).
    campaign = add(
        "governance", "campaign", title="防汛排查", instructions="逐户排查", target_mode="list",
        post_kinds=["grid_worker"], member_types=["party"], needs_photo=True,
        needs_location=True, starts_at=AT, deadline=AT, status="running", launched_at=AT,
        deadline_reminded_at=AT, area_id=township.pk, created_by_id=user.pk,
        client_uuid=uuid.uuid4(),
    )  # fmt: skip
    target = add("governance", "campaigntarget", row=1, name="危房户李某", detail="东街",
                 campaign_id=campaign.pk, grid_id=grid.pk)  # fmt: skip
    add("governance", "campaigntask", status="done", result="已排查", photo="tasks/1.jpg",
        location_lat=Decimal("28.1"), location_lng=Decimal("112.6"), client_uuid=uuid.uuid4(),
        done_at=AT, area_id=grid.pk, campaign_id=campaign.pk, case_id=case.pk,
        done_by_id=user.pk, staff_id=staff.pk, target_id=target.pk, township_id=township.pk,
        village_id=village.pk)  # fmt: skip
    instruction = add(
        "governance", "instruction", title="寒潮预警", body="请立即转移", post_kinds=["police"],
        member_types=[], recipient_count=1, area_id=township.pk, created_by_id=user.pk,
        client_uuid=uuid.uuid4(),
    )  # fmt: skip
    add("governance", "instructionreceipt", read_at=AT, area_id=village.pk,
        confirmed_by_id=user.pk, instruction_id=instruction.pk, staff_id=staff.pk,
        user_id=user.pk)  # fmt: skip

    # Meetings and inspections (governance then).
    meeting = add(
        "governance", "meeting", level="township_daily", held_on=date(2026, 10, 2),
        chair="镇长", units=["派出所"], participants="张三、李四", summary="研判三件",
        area_id=township.pk, created_by_id=user.pk, client_uuid=uuid.uuid4(),
    )  # fmt: skip
    add("governance", "meetingcase", judgement="key_attention", risk_flags=["escalation"],
        decision="assign", lines=[{"unit": "司法所"}], supervision_deadline=AT, note="限期化解",
        case_id=case.pk, event_id=event.pk, meeting_id=meeting.pk)  # fmt: skip
    inspection = add(
        "governance", "inspection", inspected_on=date(2026, 10, 3), inspectors="督查组",
        score=Decimal("92.5"), summary="总体良好", area_id=village.pk, created_by_id=user.pk,
        client_uuid=uuid.uuid4(),
    )  # fmt: skip
    add("governance", "inspectionitem", position=1, text="台账齐全", passed=False,
        note="缺两月", inspection_id=inspection.pk)  # fmt: skip
    add("governance", "inspectionproblem", description="台账缺失", fix_by=date(2026, 10, 20),
        status="fixed", fixed_on=date(2026, 10, 15), fix_note="已补齐", fixed_by_id=user.pk,
        inspection_id=inspection.pk)  # fmt: skip

    # A table that stayed, pointing at one that moved.
    model("notifications", "Notification").objects.create(
        recipient_id=user.pk, kind="instruction", instruction_id=instruction.pk, text="寒潮预警"
    )
    return rows


@pytest.mark.django_db(transaction=True)
def test_a_database_at_the_previous_head_migrates_forward_with_every_row_kept(demo):
    county_user = demo.user("county")
    case = case_report(
        reporter=demo.user("grid1"), client_uuid=uuid.uuid4(), kind="dispute",
        category=Category.objects.get(code="homestead", county=demo.county),
        title="宅基地边界争议", description="两户因宅基地边界发生争执。", grid=demo.grid1,
    ).case  # fmt: skip
    executor = MigrationExecutor(connection)
    before = previous_head(executor)
    try:
        executor.migrate(before)
        state = executor.loader.project_state([node for node in before if node[1]])
        old = state.apps
        latest = executor.loader.project_state(executor.loader.graph.leaf_nodes())
        moved = {key for key in state.models if key[0] in PREVIOUS_HEAD} - set(latest.models)
        assert {name for _label, name in moved} == set(MOVED_TO)

        rows = fill_every_moved_table(old, demo, case, county_user)
        assert set(rows) == moved  # a row in every moved table

        # Content types as the old head had them (post_migrate made them), and a group
        # granted a permission on a model of each new app.
        OldContentType = old.get_model("contenttypes", "ContentType")
        OldPermission = old.get_model("auth", "Permission")
        content_type_ids = {
            key: OldContentType.objects.get_or_create(app_label=key[0], model=key[1])[0].pk
            for key in moved
        }
        group = old.get_model("auth", "Group").objects.create(name="迁移检查组")
        for label, codename in GRANTS:
            permission, _created = OldPermission.objects.get_or_create(
                content_type_id=content_type_ids[(label, codename.split("_", 1)[1])],
                codename=codename,
                defaults={"name": codename},
            )
            group.permissions.add(permission)
        member = User.objects.create_user("migration-check", area=demo.county, role=Role.INSPECTOR)
        old.get_model("personnel", "User").objects.get(pk=member.pk).groups.add(group.pk)

        # Audit entries as the services write them, one at a time and a batch.
        resident = rows[("grids", "resident")]
        audit_record(action="resident.create", actor=county_user, obj=resident,
                     new={"name": resident.name, "id_number": "110105194912310029"})  # fmt: skip
        audit_record_many([
            AuditInput(action="campaign.launch", object_type="campaign",
                       object_id=str(rows[("governance", "campaign")].pk), actor=county_user,
                       new={"status": "running"}),
            AuditInput(action="evaluation.review", object_type="evaluation",
                       object_id=str(rows[("personnel", "evaluation")].pk),
                       old={"supervisor_score": None}, new={"supervisor_score": 90}),
        ])  # fmt: skip

        tables = {key: old.get_model(*key)._meta.db_table for key in moved}
        tables["notification"] = "notifications_notification"
        tables["audit"] = AuditEntry._meta.db_table
        raw_before = {key: raw_rows(table) for key, table in tables.items()}
        values_before = {
            key: list(old.get_model(*key).objects.order_by("pk").values()) for key in moved
        }
        audit_entries = AuditEntry.objects.count()

        migrate_to_latest()
        ContentType.objects.clear_cache()

        # Every row where it was, the same to the byte (raw SQL) and read by the new models.
        # (Columns added by later migrations are not compared: they did not exist before.)
        for key, table in tables.items():
            after = [
                {column: row[column] for column in before}
                for row, before in zip(raw_rows(table), raw_before[key], strict=True)
            ]
            assert after == raw_before[key], table
            assert raw_before[key], f"{table} was left empty"
        task = CampaignTask.objects.get()
        assert (task.county_id, task.grid_id) == (demo.county.pk, demo.grid1.pk)
        for (label, name), values in values_before.items():
            new_model = current_apps.get_model(MOVED_TO[name], name)
            assert new_model._meta.db_table == tables[(label, name)]
            fields = list(values[0])
            assert list(new_model.objects.order_by("pk").values(*fields)) == values, name
        assert AuditEntry.objects.count() == audit_entries

        # Foreign keys across the move resolve through the new models.
        moved_resident = Resident.objects.get(pk=resident.pk)
        assert moved_resident.id_number == "110105194912310029"  # still decrypts
        assert moved_resident.phone == "13800138000"
        assert Visit.objects.get(resident=moved_resident).case_id == case.pk
        notification = Notification.objects.get(instruction__isnull=False)
        assert isinstance(notification.instruction, Instruction)
        assert notification.instruction.pk == rows[("governance", "instruction")].pk

        # The content types carry the new labels and keep their ids: grants hold.
        for (label, name), pk in content_type_ids.items():
            content_type = ContentType.objects.get(pk=pk)
            assert (content_type.app_label, content_type.model) == (MOVED_TO[name], name)
            assert not ContentType.objects.filter(app_label=label, model=name).exists()
        member = User.objects.get(pk=member.pk)
        for label, codename in GRANTS:
            new_label = MOVED_TO[codename.split("_", 1)[1]]
            assert member.has_perm(f"{new_label}.{codename}"), codename
            assert not member.has_perm(f"{label}.{codename}"), codename
        assert set(Group.objects.get(pk=group.pk).permissions.values_list(
            "content_type__app_label", flat=True)) == set(NEW_APPS)  # fmt: skip

        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        assert f"The audit chain holds: {audit_entries} entries checked" in out.getvalue()
    finally:
        migrate_to_latest()
        ContentType.objects.clear_cache()
