"""Sample values and request bodies the tests send: valid ID numbers, file bytes, forms
and API payloads."""

from __future__ import annotations

import uuid

from django.utils import timezone

from governance.platform.validators import (
    id_number_check_char,
)
from personnel.models import PostKind

VALID_ID = "11010519491231002" + id_number_check_char("11010519491231002")
# The party of the report form and of the case API's payload.
PARTY_ID = "43122419800101001" + id_number_check_char("43122419800101001")

ID_A = "430521199001011239"


ID_B = "11010519491231002X"


def id_number(serial: int) -> str:
    first17 = f"43122419850101{serial:03d}"
    return first17 + id_number_check_char(first17)


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def visit_form(**overrides) -> dict:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "visited_on": today().isoformat(),
        "met": "yes",
        "situation": "在家，情绪稳定，正在找工作。",
        "risk_after": "",
        "needs": "希望介绍工作",
        "follow_up": "下周联系人社所",
    }
    body.update(overrides)
    return body


def today():
    return timezone.localdate()


def case_payload(demo, **overrides):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "dispute",
        "category": "neighbour",
        "severity": "ordinary",
        "title": "邻里排水纠纷",
        "description": "排水沟堵塞引发争执。",
        "grid": demo.grid1.pk,
        "parties": [{"name": "李某", "phone": "13912345678", "id_number": PARTY_ID}],
    }
    body.update(overrides)
    return body


PDF = b"%PDF-1.4\n%test\n"


def case_form(demo, **overrides):
    body = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "dispute",
        "category": "neighbour",
        "grid": demo.grid1.pk,
        "title": "邻里排水纠纷",
        "description": "排水沟堵塞，两户争执。",
        "severity": "ordinary",
        "party1_name": "李某",
        "party1_phone": "13912345678",
        "party1_id_number": PARTY_ID,
    }
    body.update(overrides)
    return body


YEAR, QUARTER = 2025, 2

API = "/api/v1"


def instruction_form(demo, **overrides):
    data = {
        "title": "协查通告",
        "body": "发现可疑人员请立即报告派出所。",
        "area": demo.township1.pk,
        "post_kinds": [PostKind.MEMBER],
        "member_types": [],
    }
    data.update(overrides)
    return data


SMS_PHONE = "13800138001"
