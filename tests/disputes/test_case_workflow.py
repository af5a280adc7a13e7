"""The closed loop 研-交-办-督-结-评 through its services: guarded, atomic, recorded."""

import itertools
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from disputes import services
from disputes.models import Case, CaseEvent, CaseLevel, CaseStatus, Category, DeadlineRule
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from tests.factories import report
from tests.samples import VALID_ID


def test_id_numbers_and_mobiles_are_checked():
    assert id_number_is_valid(VALID_ID)
    assert not id_number_is_valid(VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"))
    assert not id_number_is_valid("11010519491331002X")
    assert mobile_is_valid("13800138000") and mobile_is_valid("+86 138-0013-8000")
    assert not mobile_is_valid("12800138000") and not mobile_is_valid("1380013800")


def test_a_report_stores_its_place_in_the_tree_and_a_deadline(demo):
    result = report(demo)
    case = result.case
    assert result.created
    assert (case.grid, case.village, case.township, case.county) == (
        demo.grid1,
        demo.village1,
        demo.township1,
        demo.county,
    )
    assert case.level == CaseLevel.VILLAGE and case.status == CaseStatus.REPORTED
    assert timedelta(hours=71) < case.deadline - timezone.now() <= timedelta(hours=72)
    assert list(case.events.values_list("action", flat=True)) == ["report"]


def test_the_same_client_uuid_twenty_times_leaves_one_case(demo):
    key = uuid.uuid4()
    results = [report(demo, client_uuid=key) for _ in range(20)]
    assert [r.created for r in results].count(True) == 1
    assert Case.objects.filter(client_uuid=key).count() == 1
    assert CaseEvent.objects.filter(case__client_uuid=key).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_concurrent_resends_leave_one_case():
    from tests.factories import build_demo

    demo = build_demo()
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def send():
        try:
            barrier.wait()
            outcomes.append(report(demo, client_uuid=key).created)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and outcomes.count(True) == 1
    assert Case.objects.filter(client_uuid=key).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parties": [{"name": "王某", "id_number": "110105194912310021"}]}, "parties"),
        ({"parties": [{"name": "王某", "phone": "1234"}]}, "parties"),
        ({"parties": [{"phone": "13800138000"}]}, "parties"),
        ({"category": "neighbour", "kind": "hazard"}, "category"),
    ],
)
def test_bad_reports_are_refused_by_field_and_write_nothing(demo, overrides, field):
    if overrides.get("category"):
        overrides["category"] = Category.objects.get(code=overrides["category"])
    with pytest.raises(ValidationError) as caught:
        report(demo, **overrides)
    assert field in caught.value.message_dict
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_grid_outside_the_reporters_jurisdiction_is_refused(demo):
    with pytest.raises(ValidationError) as caught:
        report(demo, grid=demo.grid2)
    assert "grid" in caught.value.message_dict
    with pytest.raises(ValidationError):
        report(demo, grid=demo.village1)


def test_the_whole_loop_on_two_lines(demo):
    centre, police, village = demo.user("township1"), demo.user("police1"), demo.user("village1")
    case = report(demo).case
    case = services.case_accept(case=case, actor=centre, severity="attention", criminal_risk=True)
    case = services.case_assign(
        case=case,
        actor=centre,
        lines=[
            {"line": "political_legal", "unit": "村综治中心", "handler": village},
            {"line": "police", "unit": "驻村警务室", "handler": police},
        ],
    )
    case = services.case_record_action(
        case=case, actor=village, action_kind="mediation", note="组织双方调解，达成调解协议。"
    )
    case = services.case_resolve(
        case=case, line="political_legal", actor=village, outcome="resolved"
    )
    assert case.status == CaseStatus.IN_PROGRESS  # the police line is still open
    case = services.case_resolve(case=case, line="police", actor=police, outcome="resolved")
    assert case.status == CaseStatus.RESOLVED and case.resolved_at
    case = services.case_close(case=case, actor=centre)
    case = services.case_evaluate(case=case, actor=centre, satisfaction=5, review="处置及时")
    assert case.status == CaseStatus.EVALUATED
    timeline = list(case.events.values_list("action", "from_status", "to_status"))
    assert [t[0] for t in timeline] == [
        "report",
        "accept",
        "assign",
        "record",
        "resolve",
        "resolve",
        "close",
        "evaluate",
    ]
    assert all(a[2] == b[1] for a, b in itertools.pairwise(timeline) if b[0] != "resolve")


def test_illegal_transitions_are_refused_and_change_nothing(demo):
    centre = demo.user("township1")
    case = report(demo).case
    for attempt in (
        lambda: services.case_close(case=case, actor=centre),
        lambda: services.case_assign(
            case=case, actor=centre, lines=[{"line": "police", "unit": "x"}]
        ),
        lambda: services.case_evaluate(case=case, actor=centre, satisfaction=3),
        lambda: services.case_resolve(case=case, line="police", actor=centre, outcome="resolved"),
    ):
        with pytest.raises(ValidationError):
            attempt()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and case.events.count() == 1


def test_returning_the_only_line_sends_the_case_back_to_the_centre(demo):
    centre = demo.user("township1")
    case = services.case_accept(case=report(demo).case, actor=centre)
    case = services.case_assign(
        case=case,
        actor=centre,
        lines=[{"line": "police", "unit": "警务室", "handler": demo.user("police1")}],
    )
    with pytest.raises(ValidationError):
        services.case_return(case=case, line="police", actor=demo.user("police1"), reason=" ")
    case = services.case_return(
        case=case, line="police", actor=demo.user("police1"), reason="不属于本单位职责"
    )
    assert case.status == CaseStatus.ACCEPTED


def test_a_handler_outside_the_cases_area_cannot_be_assigned(demo):
    centre = demo.user("township1")
    case = services.case_accept(case=report(demo).case, actor=centre)
    with pytest.raises(ValidationError):
        services.case_assign(
            case=case,
            actor=centre,
            lines=[{"line": "police", "unit": "外乡", "handler": demo.user("township2")}],
        )
    assert not case.assignments.exists()


def test_escalation_by_decision_restarts_the_deadline_and_reopen_works(demo):
    centre = demo.user("township1")
    case = services.case_accept(case=report(demo).case, actor=centre)
    case = services.case_escalate(case=case, actor=centre, reason="涉及多个村，村级无法化解")
    assert case.level == CaseLevel.TOWNSHIP and case.status == CaseStatus.REPORTED
    assert case.deadline - timezone.now() > timedelta(hours=160)
    case = services.case_escalate(case=case, actor=centre, reason="需县级协调")
    with pytest.raises(ValidationError):
        services.case_escalate(case=case, actor=centre, reason="再上报")
    case = services.case_supervise(
        case=case,
        actor=demo.user("county"),
        deadline=timezone.now() + timedelta(days=3),
        note="限期化解",
    )
    assert case.supervised


def test_county_deadline_rules_override_the_defaults(demo):
    category = Category.objects.get(code="homestead")

    def hours(level: str) -> int:
        return services.deadline_hours(
            county_id=demo.county.pk, category_id=category.pk, severity="ordinary", level=level
        )

    DeadlineRule.objects.create(
        county=demo.county, category=None, severity="ordinary", level="village", hours=48
    )
    assert hours("village") == 48
    DeadlineRule.objects.create(
        county=demo.county, category=category, severity="ordinary", level="village", hours=12
    )
    assert hours("village") == 12
    assert hours("township") == 168
