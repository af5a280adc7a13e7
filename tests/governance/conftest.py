"""Fixtures of the project-wide walks: township 2's objects, one of each kind."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.models import Evaluation, IncidentKind
from assessment.services.evaluations import evaluations_compute
from assessment.services.incidents import incident_record
from assessment.services.rankings import ranking_publish, rankings_compute
from disputes.models import Attachment
from notifications.models import Notification
from personnel.services import staff as staff_services
from personnel.services.training import spot_check_create, training_create
from residents.services.visits import VisitInput, visit_record
from tests.factories import operations_of, register, report
from tests.governance.routes import (
    MARKER,
    NOTICE,
    STAFF_MARKER,
)
from tests.samples import JPEG


@pytest.fixture
def theirs(demo):
    case = report(demo, title=MARKER, grid=demo.grid2, reporter=demo.user("township2")).case
    attachment = Attachment.objects.create(
        case=case,
        kind="document",
        file=SimpleUploadedFile("secret.pdf", b"%PDF-1.4 " + MARKER.encode()),
        name="secret.pdf",
        content_type="application/pdf",
        size=20,
        uploaded_by=demo.user("township2"),
    )
    notice = Notification.objects.create(
        recipient=demo.user("township2"), kind="assigned", case=case, text=NOTICE
    )
    staff = staff_services.staff_create(
        data=staff_services.StaffInput(
            name=STAFF_MARKER,
            phone="13912345678",
            id_number="430521199001011239",
            gender="male",
            area=demo.village2,
        ),
        actor=demo.user("county"),
    )
    post = staff_services.post_add(
        staff=staff,
        kind="grid_worker",
        area=demo.grid2,
        start=timezone.localdate() - timedelta(days=90),
        actor=demo.user("county"),
    )
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    evaluations_compute(month=last_month)
    evaluation = Evaluation.objects.get(staff=staff)
    training_create(
        area=demo.township2,
        day=timezone.localdate(),
        topic=STAFF_MARKER + "培训",
        hours=2,
        attendees=[staff.pk],
        actor=demo.user("county"),
    )
    spot_check_create(
        staff=staff,
        day=timezone.localdate(),
        reached=True,
        problems=STAFF_MARKER,
        fix="",
        actor=demo.user("county"),
    )
    incident = incident_record(
        area=demo.grid2,
        kind=IncidentKind.CRIMINAL_CASE,
        occurred_at=timezone.now() - timedelta(hours=1),
        description=MARKER,
        actor=demo.user("county"),
    )
    return case, attachment, notice, demo.village2, staff, post, evaluation, incident


@pytest.fixture
def their_ranking(demo, theirs):
    """The month ranked and published, township 2's cases and incident in it; and township
    2's resident of concern, whose routes join the object routes."""
    resident = register(demo, grid=demo.grid2, actor="township2", name=MARKER)
    visit_record(
        resident=resident,
        actor=demo.user("township2"),
        data=VisitInput(
            client_uuid=uuid.uuid4(),
            visited_on=timezone.localdate(),
            situation=MARKER,
            photo=SimpleUploadedFile("door.jpg", JPEG, content_type="image/jpeg"),
        ),
    )
    operations_of(demo, case=theirs[0], township=demo.township2, marker=MARKER)
    snapshot = rankings_compute(county=demo.county, month=timezone.localdate().replace(day=1))
    return ranking_publish(snapshot=snapshot, actor=demo.user("county"))
