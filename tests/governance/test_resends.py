"""A form or request sent twice (a double tap on "Send", a resend after the signal dropped)
makes one campaign, instruction, meeting or inspection, and carries out its work once."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import Campaign, CampaignTask, Instruction, InstructionReceipt
from campaigns.services.instructions import InstructionInput, instruction_send
from disputes.models import CaseEvent, CaseStatus
from notifications.models import Delivery
from personnel.models import PostKind
from supervision.models import Decision, Inspection, Meeting
from supervision.services.inspections import InspectionInput, ItemInput, inspection_record
from supervision.services.meetings import ItemInput as MeetingItem
from supervision.services.meetings import MeetingInput, meeting_record
from tests.factories import campaign_body, reported_case
from tests.samples import API, instruction_form
from tests.support import post_json


def uuid_on(page) -> str:
    return re.search(r'name="client_uuid" value="([0-9a-f-]+)"', page.content.decode()).group(1)


def test_confirming_an_instruction_twice_sends_it_once(client, demo, roster):
    client.force_login(demo.user("township1"))
    data = {**instruction_form(demo), "client_uuid": uuid_on(client.get("/instructions/new/"))}
    confirm = client.post("/instructions/new/", data)  # the confirmation step keeps the UUID
    assert uuid_on(confirm) == data["client_uuid"]
    first = client.post("/instructions/new/", {**data, "confirm": "yes"})
    again = client.post("/instructions/new/", {**data, "confirm": "yes"})
    assert first.status_code == again.status_code == 302 and first.url == again.url
    instruction = Instruction.objects.get()
    receipts = InstructionReceipt.objects.filter(instruction=instruction).count()
    assert receipts == instruction.recipient_count
    assert Delivery.objects.filter(kind="instruction").count() <= receipts


def test_a_meeting_sent_twice_is_recorded_and_carried_out_once(demo, roster):
    case = reported_case(demo)
    data = MeetingInput(
        level="township_daily",
        area=demo.township1,
        held_on=timezone.localdate(),
        chair="王镇长",
        items=[MeetingItem(case=case, judgement="attention", decision=Decision.ASSIGN)],
        client_uuid=uuid.uuid4(),
    )
    first = meeting_record(actor=demo.user("township1"), data=data)
    again = meeting_record(actor=demo.user("township1"), data=data)
    case.refresh_from_db()
    assert first == again and Meeting.objects.count() == 1
    assert case.status == CaseStatus.ASSIGNED
    assert CaseEvent.objects.filter(case=case, action="assign").count() == 1
    with pytest.raises(ValidationError) as taken:  # someone else's UUID
        meeting_record(actor=demo.user("county"), data=data)
    assert "client_uuid" in taken.value.message_dict


def test_an_inspection_and_an_instruction_sent_twice_are_made_once(demo, roster):
    key = uuid.uuid4()
    inspection = InspectionInput(
        area=demo.village1,
        inspected_on=timezone.localdate(),
        inspectors="督导组",
        score=Decimal(90),
        items=[ItemInput(text="台账完整", passed=True)],
        client_uuid=key,
    )
    assert inspection_record(actor=demo.user("county"), data=inspection) == inspection_record(
        actor=demo.user("county"), data=inspection
    )
    assert Inspection.objects.count() == 1
    instruction = InstructionInput(
        title="暴雨预警",
        body="今夜有暴雨。",
        area=demo.township1,
        post_kinds=[PostKind.GRID_WORKER],
        member_types=[],
        client_uuid=uuid.uuid4(),
    )
    first = instruction_send(actor=demo.user("township1"), data=instruction)
    assert instruction_send(actor=demo.user("township1"), data=instruction) == first
    assert InstructionReceipt.objects.count() == first.recipient_count


def test_a_campaign_created_and_launched_by_the_api_twice_is_made_and_launched_once(
    client, demo, roster
):
    client.force_login(demo.user("township1"))
    body = {**campaign_body(demo), "client_uuid": str(uuid.uuid4())}
    first = post_json(client, f"{API}/campaigns/", body)
    again = post_json(client, f"{API}/campaigns/", body)
    assert first.json()["id"] == again.json()["id"]
    campaign = Campaign.objects.get()
    assert CampaignTask.objects.filter(campaign=campaign).count() == len(body["targets"])
    assert campaign.deadline > timezone.now() - timedelta(minutes=1)
