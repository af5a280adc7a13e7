"""Monthly evaluations 月度考评 and the quarterly performance pay 绩效补贴: figures computed
from real cases, outcomes, the supervisor's review, follow-ups that change the roster, the
pay sheet, its workbook, and jurisdiction on every page and API."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Evaluation, FollowUp, Outcome, PayRate
from assessment.services.evaluations import (
    evaluation_follow_up,
    evaluation_review,
    evaluations_compute,
    final_score,
    outcome_for,
    work_score,
)
from assessment.services.pay import DEFAULT_ANNUAL_AMOUNT, pay_sheet
from disputes import services as case_services
from disputes.models import Assignment, Case, Category
from disputes.services.sweeps import escalate_overdue
from governance.platform.months import last_month
from grids.models import Area
from personnel.models import EndReason, Post, PostKind, Staff
from tests.factories import staff_with_post
from tests.ledgers import records
from tests.samples import QUARTER, YEAR
from tests.support import chain_statements

THIS_MONTH = timezone.localdate().replace(day=1)


def reported(demo, reporter, grid: Area | None = None) -> Case:
    return case_services.case_report(
        reporter=reporter,
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=Category.objects.get(code="neighbour"),
        title="邻里纠纷",
        description="两户因排水发生争执。",
        grid=grid or demo.grid1,
    ).case


def assigned(demo, case: Case, handler, line: str = "political_legal") -> Case:
    centre = demo.user("township1")
    case = case_services.case_accept(case=case, actor=centre)
    return case_services.case_assign(
        case=case, actor=centre, lines=[{"line": line, "unit": "", "handler": handler}]
    )


def evaluation_of(staff: Staff, month: date = THIS_MONTH) -> Evaluation:
    return Evaluation.objects.get(staff=staff, month=month)


def test_the_figures_come_from_the_months_cases(demo, worker):
    login = worker.user
    on_time, late, returned = (reported(demo, login) for _ in range(3))
    case_services.case_resolve(
        case=assigned(demo, on_time, login), line="political_legal", actor=login, outcome="resolved"
    )
    late = assigned(demo, late, login)
    Assignment.objects.filter(case=late).update(deadline=timezone.now() - timedelta(hours=1))
    case_services.case_resolve(case=late, line="political_legal", actor=login, outcome="resolved")
    case_services.case_return(
        case=assigned(demo, returned, login), line="political_legal", actor=login, reason="不归我管"
    )
    # Someone else's report, assigned to the worker and left to go overdue: the sweep moves
    # it up and cancels the worker's line.
    neglected = assigned(demo, reported(demo, demo.user("grid1")), login)
    Case.objects.filter(pk=neglected.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert escalate_overdue()["escalated"] == 1

    assert evaluations_compute(month=THIS_MONTH) == 1
    evaluation = evaluation_of(worker)
    assert (evaluation.kind, evaluation.area) == (PostKind.GRID_WORKER, demo.village1)
    figures = (
        evaluation.cases_reported,
        evaluation.cases_handled,
        evaluation.cases_on_time,
        evaluation.returns,
        evaluation.delay_escalations,
        evaluation.visits,
    )
    assert figures == (3, 2, 1, 1, 1, 0)
    # 70 + 3 reported + 2 × 2 handled + 10 × ½ on time − 5 returned − 10 delayed
    assert evaluation.work_score == Decimal("67.0") == evaluation.score
    assert evaluation.outcome == Outcome.BASIC
    assert evaluation.supervisor_score is None


def test_a_police_officer_is_evaluated_in_the_village_of_the_post(demo):
    officer = staff_with_post(
        demo,
        demo.township1,
        kind=PostKind.POLICE_OFFICER,
        post_area=demo.village1,
        login="officer1",
    )
    case = assigned(demo, reported(demo, demo.user("grid1")), officer.user, line="police")
    case_services.case_resolve(case=case, line="police", actor=officer.user, outcome="resolved")
    evaluations_compute(month=THIS_MONTH)
    evaluation = evaluation_of(officer)
    assert (evaluation.area, evaluation.kind) == (demo.village1, PostKind.POLICE_OFFICER)
    assert (evaluation.cases_reported, evaluation.cases_handled, evaluation.cases_on_time) == (
        0,
        1,
        1,
    )
    assert evaluation.work_score == Decimal("82.0")  # 70 + 2 handled + 10 all on time


def test_only_posts_open_during_the_month_and_of_evaluated_kinds_count(demo, worker):
    security = staff_with_post(demo, demo.village1, kind=PostKind.SECURITY_DIRECTOR)
    later = staff_with_post(
        demo, demo.village2, post_area=demo.grid2, start=THIS_MONTH + timedelta(40)
    )
    assert evaluations_compute(month=THIS_MONTH) == 1
    assert not Evaluation.objects.filter(staff__in=[security, later]).exists()
    earlier = last_month(THIS_MONTH)
    assert evaluations_compute(month=earlier) == 1
    assert evaluation_of(worker, earlier).cases_reported == 0


def test_outcomes_follow_the_thresholds():
    assert [
        outcome_for(Decimal(s)) for s in ("100", "90.0", "89.9", "75", "74.9", "60", "59.9")
    ] == [
        Outcome.EXCELLENT,
        Outcome.EXCELLENT,
        Outcome.COMPETENT,
        Outcome.COMPETENT,
        Outcome.BASIC,
        Outcome.BASIC,
        Outcome.UNFIT,
    ]
    assert (
        work_score(cases_reported=99, cases_handled=99, cases_on_time=99, returns=0, delays=0)
        == 100
    )
    assert work_score(cases_reported=0, cases_handled=0, cases_on_time=0, returns=9, delays=9) == 0
    assert final_score(work=Decimal("80.0"), supervisor=None) == Decimal("80.0")
    assert final_score(work=Decimal("67.0"), supervisor=95) == Decimal("75.4")  # 46.9 + 28.5


def test_a_second_run_changes_nothing(demo, worker):
    reported(demo, worker.user)
    evaluations_compute(month=THIS_MONTH)
    before = list(Evaluation.objects.values())
    assert evaluations_compute(month=THIS_MONTH) == 1
    assert list(Evaluation.objects.values()) == before


def test_a_new_run_updates_the_figures_and_keeps_the_supervisors_part(demo, worker):
    evaluations_compute(month=THIS_MONTH)
    evaluation_review(
        evaluation=evaluation_of(worker), score=100, comment="认真负责", actor=demo.user("county")
    )
    for _ in range(5):
        reported(demo, worker.user)
    evaluations_compute(month=THIS_MONTH)
    evaluation = evaluation_of(worker)
    assert evaluation.cases_reported == 5 and evaluation.work_score == Decimal("75.0")
    assert (evaluation.supervisor_score, evaluation.supervisor_comment) == (100, "认真负责")
    assert evaluation.score == Decimal("82.5") and evaluation.outcome == Outcome.COMPETENT


@pytest.mark.parametrize("people", [5, 50])
def test_computing_takes_the_same_few_queries_for_5_or_50_people(
    demo, people, django_assert_max_num_queries
):
    for _ in range(people):
        staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE)
    # … and the scores' audit entries, in one INSERT (tests/audit/test_audit.py).
    with django_assert_max_num_queries(8 + chain_statements()):
        assert evaluations_compute(month=THIS_MONTH) == people
    assert Evaluation.objects.count() == people


# --- The supervisor's review and the follow-ups ---------------------------------------


def evaluated(demo, staff: Staff) -> Evaluation:
    evaluations_compute(month=THIS_MONTH)
    return evaluation_of(staff)


def test_the_supervisors_score_changes_score_and_outcome(demo, worker):
    evaluation = evaluated(demo, worker)  # 70.0, basically competent
    township1 = demo.user("township1")
    evaluation = evaluation_review(
        evaluation=evaluation, score=100, comment="  很好 ", actor=township1
    )
    assert evaluation.score == Decimal("79.0") and evaluation.outcome == Outcome.COMPETENT
    assert (evaluation.supervisor_comment, evaluation.supervisor) == ("很好", township1)
    evaluation = evaluation_review(evaluation=evaluation, score=0, comment="", actor=township1)
    assert evaluation.score == Decimal("49.0") and evaluation.outcome == Outcome.UNFIT


def test_a_review_outside_0_to_100_is_refused_with_a_field_message(demo, worker):
    evaluation = evaluated(demo, worker)
    with pytest.raises(ValidationError) as refused:
        evaluation_review(evaluation=evaluation, score=101, comment="", actor=demo.user("county"))
    assert "supervisor_score" in refused.value.message_dict


def test_only_roster_keepers_over_the_village_review(demo, worker):
    evaluation = evaluated(demo, worker)
    for username in ("township2", "village1", "inspector"):
        with pytest.raises(PermissionDenied):
            evaluation_review(
                evaluation=evaluation, score=80, comment="", actor=demo.user(username)
            )


def unfit(demo, staff: Staff) -> Evaluation:
    return evaluation_review(
        evaluation=evaluated(demo, staff), score=0, comment="多次推诿", actor=demo.user("county")
    )


def test_an_excellent_person_is_recommended(demo, worker):
    login = worker.user
    for _ in range(5):  # reported, handled and finished on time: 70 + 5 + 10 + 10
        case = assigned(demo, reported(demo, login), login)
        case_services.case_resolve(
            case=case, line="political_legal", actor=login, outcome="resolved"
        )
    evaluation = evaluated(demo, worker)
    assert (evaluation.score, evaluation.outcome) == (Decimal("95.0"), Outcome.EXCELLENT)
    evaluation = evaluation_follow_up(
        evaluation=evaluation, follow_up=FollowUp.RECOMMENDED, note="", actor=demo.user("township1")
    )
    assert evaluation.follow_up == FollowUp.RECOMMENDED
    assert Post.objects.get(staff=worker).end is None
    with pytest.raises(ValidationError) as refused:
        evaluation_review(evaluation=evaluation, score=50, comment="", actor=demo.user("county"))
    assert "supervisor_score" in refused.value.message_dict


def test_reassigning_an_unfit_grid_worker_moves_the_post_and_records_it(demo, worker):
    evaluation = unfit(demo, worker)
    other_grid = demo.village1.get_children().exclude(pk=demo.grid1.pk).first()
    evaluation_follow_up(
        evaluation=evaluation,
        follow_up=FollowUp.REASSIGNED,
        note="调整网格",
        actor=demo.user("township1"),
        new_area=other_grid,
    )
    old, new = Post.objects.filter(staff=worker).order_by("id")
    assert (old.area, old.end, old.end_reason, old.end_note) == (
        demo.grid1,
        timezone.localdate(),
        EndReason.REASSIGNED,
        "调整网格",
    )
    assert (new.area, new.kind, new.end) == (other_grid, PostKind.GRID_WORKER, None)
    assert evaluation_of(worker).follow_up == FollowUp.REASSIGNED


def test_dismissing_an_unfit_person_ends_the_post_and_the_login(demo, worker):
    evaluation_follow_up(
        evaluation=unfit(demo, worker),
        follow_up=FollowUp.DISMISSED,
        note="考评不称职",
        actor=demo.user("county"),
    )
    post = Post.objects.get(staff=worker)
    assert post.end_reason == EndReason.DISMISSED and post.end is not None
    worker.user.refresh_from_db()
    assert not worker.user.is_active


def test_a_follow_up_that_does_not_fit_the_outcome_is_refused(demo, worker):
    evaluation = unfit(demo, worker)
    county = demo.user("county")
    with pytest.raises(ValidationError) as refused:
        evaluation_follow_up(
            evaluation=evaluation, follow_up=FollowUp.RECOMMENDED, note="x", actor=county
        )
    assert "follow_up" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        evaluation_follow_up(
            evaluation=evaluation, follow_up=FollowUp.REASSIGNED, note="x", actor=county
        )
    assert "new_area" in refused.value.message_dict
    competent = evaluation_review(evaluation=evaluation, score=100, comment="", actor=county)
    with pytest.raises(ValidationError) as refused:
        evaluation_follow_up(evaluation=competent, follow_up=FollowUp.KEPT, note="x", actor=county)
    assert "follow_up" in refused.value.message_dict
    assert Post.objects.get(staff=worker).end is None


def test_a_reassignment_that_fails_leaves_the_post_as_it_was(demo, worker):
    taken = staff_with_post(demo, demo.village1, post_area=demo.village1.get_children().last())
    evaluation_follow_up_refused = pytest.raises(ValidationError)
    with evaluation_follow_up_refused as refused:
        evaluation_follow_up(
            evaluation=unfit(demo, worker),
            follow_up=FollowUp.REASSIGNED,
            note="调整",
            actor=demo.user("county"),
            new_area=taken.posts.get().area,
        )
    assert "new_area" in refused.value.message_dict
    assert Post.objects.get(staff=worker).end is None and evaluation_of(worker).follow_up == ""


# --- The quarterly pay sheet -----------------------------------------------------------


def test_the_pay_sheet_shares_each_villages_amount_by_scores(demo, quarter_evaluated):
    worker, auxiliary, officer, other_village, faraway = quarter_evaluated
    PayRate.objects.create(area=other_village, year=YEAR, annual_amount=Decimal(6000))
    sheet = pay_sheet(township=demo.township1, year=YEAR, quarter=QUARTER)
    by_village = {v.village: v for v in sheet.villages}
    assert set(by_village) == {demo.village1, other_village}  # township 2 is not on it
    village1 = by_village[demo.village1]
    # 3000 / 12 × (74.5 + 70 + 70) / 100 = 536.25
    assert village1.annual_amount == DEFAULT_ANNUAL_AMOUNT and village1.amount == 536
    assert village1.means == [Decimal("74.5"), Decimal("70.0"), Decimal("70.0")]
    rows = {row.staff_id: row for row in village1.rows}
    assert rows[worker.pk].scores == [Decimal("79.0"), Decimal("70.0"), Decimal("70.0")]
    assert rows[worker.pk].total == Decimal("219.0") and rows[auxiliary.pk].total == Decimal(
        "210.0"
    )
    assert sum(row.amount for row in village1.rows) == village1.amount
    assert rows[worker.pk].amount == 274 and rows[auxiliary.pk].amount == 262
    assert sum(row.share for row in village1.rows) == 1
    # The county's own rate: 6000 / 12 × 3 × 0.70
    assert by_village[other_village].amount == 1050
    assert [row.staff_id for row in by_village[other_village].rows] == [officer.pk]
    assert by_village[other_village].rows[0].amount == 1050
    assert faraway.pk not in {row.staff_id for v in sheet.villages for row in v.rows}
    assert sheet.total == 536 + 1050


def test_the_pay_sheet_takes_a_few_queries_whatever_the_townships_size(
    demo, quarter_evaluated, django_assert_max_num_queries
):
    for _ in range(10):
        staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE)
    evaluations_compute(month=date(YEAR, 5, 1))
    with django_assert_max_num_queries(3):
        sheet = pay_sheet(township=demo.township1, year=YEAR, quarter=QUARTER)
    assert sum(len(v.rows) for v in sheet.villages) == 13


def test_the_pay_sheet_workbook_has_its_title_and_rows(client, demo, quarter_evaluated):
    worker = quarter_evaluated[0]
    client.force_login(demo.user("township1"))
    query = {"township": demo.township1.pk, "year": YEAR, "quarter": QUARTER}
    response = client.get(reverse("pay_sheet_export"), query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    title = rows[0][0]
    assert demo.township1.name in title and "2025" in title and "2" in title
    names = [row[1] for row in records(sheet)]
    assert worker.name in names
    assert rows[-1][-1] == 536 + 525  # the other village at the default rate: 250 × 2.1
    page = client.get(reverse("pay_sheet"), query)
    assert page.status_code == 200 and worker.name in page.content.decode()


def test_the_pay_sheet_is_for_roster_keepers_and_their_townships(client, demo, quarter_evaluated):
    query = {"township": demo.township1.pk, "year": YEAR, "quarter": QUARTER}
    client.force_login(demo.user("township2"))
    assert client.get(reverse("pay_sheet"), query).status_code == 400
    assert quarter_evaluated[0].name not in client.get(reverse("pay_sheet")).content.decode()
    assert client.get(reverse("pay_sheet_export"), query).status_code == 404
    client.force_login(demo.user("village1"))
    assert client.get(reverse("pay_sheet"), query).status_code == 403
    assert client.get(reverse("pay_sheet_export"), query).status_code == 403


# --- Task, command and pages -----------------------------------------------------------


def test_the_command_prints_counts_per_outcome(demo, worker):
    out = io.StringIO()
    call_command("evaluate_staff", month=f"{THIS_MONTH:%Y-%m}", stdout=out)
    assert out.getvalue().strip() == (
        f"{THIS_MONTH:%Y-%m}: 1 people evaluated (0 excellent, 0 competent, 1 basic, 0 unfit)."
    )
    with pytest.raises(CommandError):
        call_command("evaluate_staff", month="2025-13")


def test_the_monthly_task_evaluates_last_month_on_the_1st(demo, worker, settings):
    from assessment.tasks import evaluate_staff_task

    assert evaluate_staff_task() == 1
    assert Evaluation.objects.get().month == last_month()
    entry = settings.CELERY_BEAT_SCHEDULE["evaluate-staff"]
    assert entry["task"] == "personnel.evaluate_staff"
    assert (entry["schedule"].day_of_month, entry["schedule"].hour, entry["schedule"].minute) == (
        {1},
        {1},
        {0},
    )
    # The ranking reads the evaluations, so it runs after them.
    ranking = settings.CELERY_BEAT_SCHEDULE["compute-rankings"]
    assert ranking["task"] == "governance.compute_rankings"
    assert (ranking["schedule"].day_of_month, ranking["schedule"].hour) == ({1}, {2})


def test_the_list_shows_the_distribution_and_the_follow_ups_due(client, demo, worker):
    bad = staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE)
    unfit(demo, bad)
    client.force_login(demo.user("township1"))
    page = client.get(reverse("evaluation_list"), {"month": f"{THIS_MONTH:%Y-%m}"})
    html = page.content.decode()
    assert page.status_code == 200
    assert worker.name in html and bad.name in html
    assert page.context["distribution"][2]["count"] == 1  # basic: the worker
    assert page.context["distribution"][3]["share"] == 50  # unfit: half
    assert [e.staff for e in page.context["due"]] == [bad]
    only_unfit = client.get(
        reverse("evaluation_list"), {"month": f"{THIS_MONTH:%Y-%m}", "outcome": "unfit"}
    )
    assert [e.staff for e in only_unfit.context["page"].object_list] == [bad]


@pytest.mark.parametrize("people", [3, 30])
def test_the_list_page_takes_the_same_queries_for_3_or_30_people(
    client, demo, people, django_assert_max_num_queries
):
    for _ in range(people):
        staff_with_post(demo, demo.village1, kind=PostKind.AUXILIARY_POLICE)
    evaluations_compute(month=THIS_MONTH)
    client.force_login(demo.user("county"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evaluation_list"), {"month": f"{THIS_MONTH:%Y-%m}"})
    assert page.status_code == 200


def test_a_supervisor_reviews_on_the_detail_page(client, demo, worker):
    evaluation = evaluated(demo, worker)
    client.force_login(demo.user("township1"))
    url = reverse("evaluation_detail", args=[evaluation.pk])
    assert 'name="supervisor_score"' in client.get(url).content.decode()
    review = reverse("evaluation_review", args=[evaluation.pk])
    refused = client.post(review, {"supervisor_score": "120", "supervisor_comment": ""})
    assert (
        refused.status_code == 400 and "supervisor_score" in refused.context["review_form"].errors
    )
    saved = client.post(review, {"supervisor_score": "100", "supervisor_comment": "好"})
    assert saved.status_code == 302
    assert evaluation_of(worker).score == Decimal("79.0")


def test_the_detail_page_is_read_only_for_other_roles(client, demo, worker):
    evaluation = evaluated(demo, worker)
    client.force_login(demo.user("village1"))
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk]))
    assert page.status_code == 200 and 'name="supervisor_score"' not in page.content.decode()
    review = client.post(
        reverse("evaluation_review", args=[evaluation.pk]), {"supervisor_score": "100"}
    )
    assert review.status_code == 403


def test_dismissal_on_the_page_asks_for_confirmation_first(client, demo, worker):
    evaluation = unfit(demo, worker)
    client.force_login(demo.user("township1"))
    url = reverse("evaluation_follow_up", args=[evaluation.pk])
    body = {"follow_up": "dismissed", "note": "考评不称职"}
    asked = client.post(url, body)
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    assert Post.objects.get(staff=worker).end is None
    done = client.post(url, {**body, "confirmed": "yes"})
    assert done.status_code == 302
    assert Post.objects.get(staff=worker).end_reason == EndReason.DISMISSED


def test_reassignment_on_the_page_confirms_where_to_and_moves_the_post(client, demo, worker):
    evaluation = unfit(demo, worker)
    other_grid = demo.village1.get_children().exclude(pk=demo.grid1.pk).first()
    client.force_login(demo.user("township1"))
    detail = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert f'<option value="{other_grid.pk}">' in detail
    assert f'<option value="{demo.grid2.pk}">' not in detail
    url = reverse("evaluation_follow_up", args=[evaluation.pk])
    body = {"follow_up": "reassigned", "note": "调整网格", "new_area": other_grid.pk}
    asked = client.post(url, body)
    assert asked.status_code == 200 and other_grid.name in asked.content.decode()
    assert client.post(url, {**body, "confirmed": "yes"}).status_code == 302
    assert Post.objects.get(staff=worker, end__isnull=True).area == other_grid


def test_a_wrong_follow_up_on_the_page_says_why(client, demo, worker):
    evaluation = unfit(demo, worker)
    client.force_login(demo.user("township1"))
    response = client.post(
        reverse("evaluation_follow_up", args=[evaluation.pk]),
        {"follow_up": "reassigned", "note": "x", "confirmed": "yes"},
    )
    assert response.status_code == 400
    assert "new_area" in response.context["follow_up_form"].errors


# --- Jurisdiction ----------------------------------------------------------------------


def test_township2_sees_no_evaluation_of_township1(client, demo, worker):
    evaluation = evaluated(demo, worker)
    client.force_login(demo.user("township2"))
    page = client.get(reverse("evaluation_list"), {"month": f"{THIS_MONTH:%Y-%m}"})
    assert worker.name not in page.content.decode()
    assert page.context["page"].paginator.count == 0
    for name in ("evaluation_detail",):
        assert client.get(reverse(name, args=[evaluation.pk])).status_code == 404
    for name in ("evaluation_review", "evaluation_follow_up"):
        assert client.post(reverse(name, args=[evaluation.pk]), {}).status_code == 404
    listed = client.get(reverse("evaluation-list"), {"month": f"{THIS_MONTH:%Y-%m}"}).json()
    assert listed["count"] == 0
    detail = reverse("evaluation-detail", args=[evaluation.pk])
    assert client.get(detail).status_code == 404
    assert (
        client.patch(detail, {"supervisor_score": 90}, content_type="application/json").status_code
        == 404
    )
    follow_up = reverse("evaluation-follow-up", args=[evaluation.pk])
    assert client.post(follow_up, {"follow_up": "kept"}).status_code == 404


def test_township1_sees_no_training_or_spot_check_of_township2(client, demo):
    from personnel.services.training import spot_check_create, training_create

    far = staff_with_post(demo, demo.village2, post_area=demo.grid2)
    township2 = demo.user("township2")
    training_create(
        area=demo.village2,
        day=THIS_MONTH,
        topic="二镇培训",
        hours=2,
        attendees=[far.pk],
        actor=township2,
    )
    spot_check_create(
        staff=far, day=THIS_MONTH, reached=True, problems="二镇问题", fix="", actor=township2
    )
    client.force_login(demo.user("township1"))
    for name in ("training_list", "spot_check_list"):
        page = client.get(reverse(name))
        assert "二镇" not in page.content.decode() and page.context["page"].paginator.count == 0
        assert page.context["counts"] == []
    for name in ("training-list", "spot-check-list"):
        assert client.get(reverse(name)).json()["count"] == 0
    client.force_login(township2)
    assert client.get(reverse("spot-check-list")).json()["count"] == 1


# --- API -------------------------------------------------------------------------------


def test_the_api_lists_a_months_evaluations_with_filters(client, demo, worker):
    evaluated(demo, worker)
    client.force_login(demo.user("county"))
    url = reverse("evaluation-list")
    listed = client.get(url, {"month": f"{THIS_MONTH:%Y-%m}", "area": demo.township1.pk}).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["staff"], row["month"], row["kind"], row["score"], row["outcome"]) == (
        worker.pk,
        f"{THIS_MONTH:%Y-%m}",
        "grid_worker",
        "70.0",
        "basic",
    )
    assert (
        client.get(url, {"month": f"{THIS_MONTH:%Y-%m}", "outcome": "unfit"}).json()["count"] == 0
    )
    assert client.get(url).json()["count"] == 0  # last month by default
    bad = client.get(url, {"month": "March", "kind": "mayor", "area": demo.township1.pk + 10_000})
    assert bad.status_code == 400 and set(bad.json()) == {"month", "kind", "area"}


def test_the_api_takes_the_supervisors_review_and_the_follow_up(client, demo, worker):
    evaluation = evaluated(demo, worker)
    client.force_login(demo.user("township1"))
    detail = reverse("evaluation-detail", args=[evaluation.pk])
    bad = client.patch(detail, {"supervisor_score": 101}, content_type="application/json")
    assert bad.status_code == 400 and "supervisor_score" in bad.json()
    done = client.patch(
        detail,
        {"supervisor_score": 0, "supervisor_comment": "推诿"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["outcome"] == "unfit"
    assert done.json()["score"] == "49.0"
    follow_up = reverse("evaluation-follow-up", args=[evaluation.pk])
    wrong = client.post(follow_up, {"follow_up": "recommended"}, content_type="application/json")
    assert wrong.status_code == 400 and "follow_up" in wrong.json()
    kept = client.post(
        follow_up, {"follow_up": "kept", "note": "已谈话"}, content_type="application/json"
    )
    assert kept.status_code == 200 and kept.json()["follow_up"] == "kept"


def test_the_api_refuses_writes_to_other_roles(client, demo, worker):
    evaluation = evaluated(demo, worker)
    client.force_login(demo.user("village1"))
    detail = reverse("evaluation-detail", args=[evaluation.pk])
    assert client.get(detail).status_code == 200
    response = client.patch(detail, {"supervisor_score": 90}, content_type="application/json")
    assert response.status_code == 403
