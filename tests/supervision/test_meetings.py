"""Urgent instructions reaching a whole township, analysis meetings whose decisions move
cases through the workflow, and supervision inspections feeding the assessment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.services.rankings import rankings_compute
from campaigns.models import InstructionReceipt
from campaigns.services.instructions import (
    InstructionInput,
    instruction_read,
    instruction_send,
    receipt_summary,
    receipts_by_area,
    receipts_confirm,
)
from disputes.models import CaseStatus
from governance.platform.validators import id_number_check_char
from grids import tree
from grids.models import Area
from notifications.models import Delivery, DeliveryStatus, Notification
from notifications.services import deliveries_send
from personnel.models import Gender, MemberType, Post, PostKind, Staff
from supervision.models import Decision, MeetingLevel, ProblemStatus
from supervision.services.inspections import (
    DEFAULT_CHECKLIST,
    InspectionInput,
    ItemInput,
    ProblemInput,
    inspection_record,
    inspections_visible_to,
    problem_fix,
)
from supervision.services.meetings import ItemInput as MeetingItem
from supervision.services.meetings import MeetingInput, meeting_record, meetings_visible_to
from tests.factories import reported_case

# --- Urgent instructions ---------------------------------------------------------------


def id_number(n: int) -> str:
    first17 = f"430521{date(1970, 1, 1) + timedelta(days=n):%Y%m%d}999"
    return first17 + id_number_check_char(first17)


def add_members(area: Area, count: int) -> list[Staff]:
    """`count` N members with phones, each with an open post in one of area's villages."""
    villages = list(tree.in_order(area.get_children()))
    people = Staff.objects.bulk_create(
        Staff(
            name=f"成员{n}",
            phone=f"139{n:08d}",
            id_number=id_number(n),
            gender=Gender.FEMALE,
            area=villages[n % len(villages)],
        )
        for n in range(count)
    )
    Post.objects.bulk_create(
        Post(
            staff=person,
            kind=PostKind.MEMBER,
            member_type=MemberType.VOLUNTEER,
            area=person.area,
            start=date(2025, 1, 1),
        )
        for person in people
    )
    return people


def test_an_instruction_to_a_townships_thousand_members_reaches_every_one(demo, roster):
    add_members(demo.township1, 1000)
    members = set(
        Post.objects.filter(
            tree.subtree_q(demo.township1, "area__"), kind=PostKind.MEMBER, end__isnull=True
        ).values_list("staff_id", flat=True)
    )
    assert len(members) >= 1000
    with CaptureQueriesContext(connection) as queries:
        instruction = instruction_send(
            actor=demo.user("township1"),
            data=InstructionInput(
                title="暴雨红色预警",
                body="今夜有特大暴雨，请立即巡查山塘水库和地质灾害点，转移危险区群众。",
                area=demo.township1,
                post_kinds=[PostKind.MEMBER],
                member_types=[],
            ),
        )
    assert len(queries) < 15  # set-based: no statement per recipient
    receipts = InstructionReceipt.objects.filter(instruction=instruction)
    assert set(receipts.values_list("staff_id", flat=True)) == members
    assert instruction.recipient_count == len(members)
    deliveries = Delivery.objects.filter(kind="instruction")
    assert deliveries.count() == len(members)  # one SMS each, login or not
    assert set(deliveries.values_list("phone", flat=True)) == set(
        Staff.objects.filter(pk__in=members).values_list("phone", flat=True)
    )
    result = deliveries_send(ids=list(deliveries.values_list("pk", flat=True)))
    assert result.sent == len(members)
    assert deliveries.filter(status=DeliveryStatus.SENT).count() == len(members)
    summary = receipt_summary(instruction=instruction, user=demo.user("township1"))
    assert (summary.recipients, summary.read, summary.unread) == (len(members), 0, len(members))
    assert sum(
        row["total"] for row in receipts_by_area(instruction=instruction, user=demo.user("county"))
    ) == len(members)


def test_read_receipts_add_up_and_phone_confirmations_count(demo, roster):
    instruction = instruction_send(
        actor=demo.user("county"),
        data=InstructionInput(
            title="协查通报",
            body="协查一名在逃人员，发现线索请立即报告。",
            area=demo.county,
            post_kinds=[PostKind.GRID_WORKER, PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE],
            member_types=[],
        ),
    )
    grid1 = demo.user("grid1")
    inbox = Notification.objects.get(recipient=grid1, instruction=instruction)
    assert "协查通报" in inbox.text
    assert instruction_read(instruction=instruction, user=grid1) is True
    assert instruction_read(instruction=instruction, user=grid1) is False
    inbox.refresh_from_db()
    assert inbox.read_at is not None
    no_login = InstructionReceipt.objects.filter(
        instruction=instruction, user__isnull=True, area__in=demo.township1.get_descendants()
    )
    confirmed = receipts_confirm(
        instruction=instruction,
        actor=demo.user("township1"),
        receipt_ids=list(no_login.values_list("pk", flat=True)[:2]),
    )
    for name in ("county", "township1"):
        summary = receipt_summary(instruction=instruction, user=demo.user(name))
        assert summary.read + summary.unread == summary.recipients
        rows = receipts_by_area(instruction=instruction, user=demo.user(name))
        assert sum(r["read"] for r in rows) == summary.read
        assert sum(r["total"] for r in rows) == summary.recipients
    assert receipt_summary(instruction=instruction, user=demo.user("county")).read == 1 + confirmed
    # Receipts of township 1 are not township 2's to confirm; a grid worker confirms none.
    other = InstructionReceipt.objects.filter(
        instruction=instruction, read_at__isnull=True, area__in=demo.township2.get_descendants()
    ).values_list("pk", flat=True)
    assert receipts_confirm(instruction=instruction, actor=demo.user("township1"),
                            receipt_ids=list(other)) == 0  # fmt: skip
    with pytest.raises(PermissionDenied):
        receipts_confirm(instruction=instruction, actor=grid1, receipt_ids=list(other))


def test_an_instruction_needs_recipients_and_a_short_message(demo, roster):
    data = InstructionInput(title="", body="x" * 401, area=demo.grid1, post_kinds=[],
                            member_types=["nobody"])  # fmt: skip
    with pytest.raises(ValidationError) as error:
        instruction_send(actor=demo.user("township1"), data=data)
    assert set(error.value.message_dict) == {"title", "body", "area", "post_kinds", "member_types"}
    with pytest.raises(PermissionDenied):
        instruction_send(actor=demo.user("grid1"), data=data)


# --- Analysis meetings -------------------------------------------------------------------


def meeting_of(demo, items, *, actor="township1", area=None, level=MeetingLevel.TOWNSHIP_DAILY):
    return meeting_record(
        actor=demo.user(actor),
        data=MeetingInput(
            level=level,
            area=area or demo.township1,
            held_on=timezone.localdate(),
            chair="王镇长",
            units=["centre", "court", "police_station", "justice_office", "petitions"],
            participants="综治中心、法庭、派出所、司法所、信访办",
            summary="研判本周矛盾纠纷。",
            items=items,
        ),
    )


def test_a_meetings_decisions_assign_and_supervise_cases_through_the_workflow(client, demo, roster):
    to_assign = reported_case(demo)
    to_supervise = reported_case(demo, title="土地流转纠纷")
    watched = reported_case(demo, title="噪音扰民")
    deadline = timezone.now() + timedelta(days=3)
    meeting = meeting_of(
        demo,
        [
            MeetingItem(case=to_assign, judgement="key_attention", risk_flags=["criminal"],
                        decision=Decision.ASSIGN, note="由派出所和司法所联合调处"),
            MeetingItem(case=to_supervise, judgement="attention", decision=Decision.SUPERVISE,
                        supervision_deadline=deadline),
            MeetingItem(case=watched, judgement="attention"),
        ],
    )  # fmt: skip
    to_assign.refresh_from_db()
    to_supervise.refresh_from_db()
    assert to_assign.status == CaseStatus.ASSIGNED
    assert to_supervise.supervised and to_supervise.supervision_deadline == deadline
    events = {e.action: e for e in to_assign.events.all()}
    for action in ("accept", "assign"):
        assert events[action].data["source"] == {"meeting": meeting.pk, "label": str(meeting)}
    assert "联合调处" in events["assign"].note
    items = {item.case_id: item for item in meeting.items.all()}
    assert items[to_assign.pk].event == events["assign"]
    assert items[watched.pk].event is None and watched.events.count() == 1
    client.force_login(demo.user("township1"))
    page = client.get(reverse("case_detail", args=[to_assign.pk])).content.decode()
    assert reverse("meeting_detail", args=[meeting.pk]) in page


def test_a_meeting_is_all_or_nothing_and_keeps_to_its_area(demo, roster):
    theirs = reported_case(demo, grid=demo.grid2, reporter="township2")
    mine = reported_case(demo)
    with pytest.raises(ValidationError) as error:
        meeting_of(
            demo,
            [
                MeetingItem(case=mine, judgement="attention", decision=Decision.ASSIGN),
                MeetingItem(case=theirs, judgement="attention"),
            ],
        )
    assert list(error.value.message_dict) == ["items-1"]
    mine.refresh_from_db()
    assert mine.status == CaseStatus.REPORTED and not meetings_visible_to(demo.user("county"))
    with pytest.raises(ValidationError) as error:  # a township meeting is not the county's
        meeting_of(demo, [], area=demo.county)
    assert "area" in error.value.message_dict
    with pytest.raises(ValidationError) as error:  # supervision of a township case is above it
        mine.level = "township"
        mine.save(update_fields=["level"])
        tomorrow = timezone.now() + timedelta(days=1)
        item = MeetingItem(
            case=mine, judgement="attention", decision="supervise", supervision_deadline=tomorrow
        )
        meeting_of(demo, [item])
    assert "items-0" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        meeting_of(demo, [], actor="grid1")
    meeting = meeting_of(demo, [])
    assert not meetings_visible_to(demo.user("township2")).filter(pk=meeting.pk).exists()


# --- Supervision inspections -------------------------------------------------------------


def inspect(demo, area, score, *, on=None, problems=()):
    return inspection_record(
        actor=demo.user("county"),
        data=InspectionInput(
            area=area,
            inspected_on=on or timezone.localdate(),
            inspectors="县委政法委督导组",
            score=Decimal(score),
            items=[ItemInput(text=str(text), passed=True) for text in DEFAULT_CHECKLIST],
            problems=list(problems),
        ),
    )


def test_inspection_scores_feed_the_assessments_inspection_indicator(demo):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    on = last_month + timedelta(days=9)
    if (timezone.localdate() - on).days > 92:
        pytest.skip("last month lies beyond the back-dating window")
    inspect(demo, demo.village1, "80", on=on)
    inspect(demo, demo.village1, "90", on=on)
    inspect(demo, demo.township1, "70", on=on)
    snapshot = rankings_compute(county=demo.county, month=last_month)
    village = snapshot.rows.get(area=demo.village1).values["supervision-inspection"]
    township = snapshot.rows.get(area=demo.township1).values["supervision-inspection"]
    assert Decimal(village["value"]) == 85 and village["denominator"] == 2
    assert Decimal(township["value"]) == 80 and township["denominator"] == 3


def test_a_problem_is_fixed_once_by_the_inspected_area(demo):
    inspection = inspect(
        demo, demo.village1, "75",
        problems=[ProblemInput("台账缺失", timezone.localdate() + timedelta(days=14))],
    )  # fmt: skip
    problem = inspection.problems.get()
    with pytest.raises(PermissionDenied):
        problem_fix(problem=problem, actor=demo.user("township2"), note="x")
    with pytest.raises(ValidationError):
        problem_fix(problem=problem, actor=demo.user("village1"), note="")
    fixed = problem_fix(problem=problem, actor=demo.user("village1"), note="已补齐台账")
    assert fixed.status == ProblemStatus.FIXED and fixed.fixed_by == demo.user("village1")
    with pytest.raises(ValidationError):
        problem_fix(problem=problem, actor=demo.user("township1"), note="again")
    with pytest.raises(PermissionDenied):  # inspections are the county's
        inspection_record(
            actor=demo.user("township1"),
            data=InspectionInput(
                area=demo.village1,
                inspected_on=timezone.localdate(),
                inspectors="x",
                score=Decimal(90),
                items=[],
            ),
        )
    assert not inspections_visible_to(demo.user("township2")).exists()
    with pytest.raises(ValidationError) as error:
        inspect(demo, demo.grid1, "101", problems=[ProblemInput("", date(2000, 1, 1))])
    assert {"area", "score", "problems-0"} <= set(error.value.message_dict)


def test_an_instruction_for_the_police_is_not_every_members_to_read(demo, roster):
    from campaigns.services.instructions import instructions_visible_to

    instruction = instruction_send(
        actor=demo.user("township1"),
        data=InstructionInput(
            title="协查通报",
            body="仅限公安内部：在逃人员特征……",
            area=demo.township1,
            post_kinds=[PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE],
            member_types=[],
        ),
    )
    sees = {
        name: instructions_visible_to(demo.user(name)).filter(pk=instruction.pk).exists()
        for name in ("county", "township1", "village1", "police1", "grid1", "member1", "township2")
    }
    assert sees == {
        "county": True,
        "township1": True,
        "village1": True,  # confirms phone calls for its village
        "police1": True,  # a recipient
        "grid1": False,
        "member1": False,
        "township2": False,
    }
