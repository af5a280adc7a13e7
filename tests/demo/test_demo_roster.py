"""The demo roster 一警三专N员 (demo.roster) at tiny scale: exactly the deliberate
gaps, only what the roster services allow, logins as login_sync keeps them, and case lines
routed by it."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

from django.utils import timezone, translation

from assessment.models import Evaluation, FollowUp
from assessment.services.evaluations import final_score, outcome_for
from demo.roster import seed_roster
from demo.seed import seed_cases
from demo.staffwork import seed_roster_year
from disputes.models import Assignment, Case, CaseEvent, Category
from disputes.services import case_accept, case_assign, case_report
from governance.platform.roles import Role
from governance.platform.validators import id_number_is_valid, mobile_is_valid
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import (
    CoverageRecord,
    Gender,
    Post,
    PostKind,
    SpotCheck,
    Staff,
    Training,
    User,
)
from personnel.selectors import posts_open_on
from personnel.services.coverage import coverage_report
from personnel.services.staff import StaffInput, login_sync, post_errors, staff_errors


def open_holders(area: Area, kind: str) -> list[Staff]:
    today = timezone.localdate()
    posts = Post.objects.filter(posts_open_on(today), area=area, kind=kind)
    return [post.staff for post in posts.select_related("staff__user")]


def test_the_coverage_report_lists_exactly_the_deliberate_gaps(demo, roster):
    report = coverage_report(root=demo.county)
    assert {(gap.area_id, gap.post) for gap in report.gaps} == roster.gaps
    codes = Counter(code for _area, code in roster.gaps)
    assert codes["grid_worker"] >= 1 and codes["security_director"] >= 1
    assert codes["traffic_chief"] >= 1 and codes["auxiliary_police"] >= 2
    # Some gaps come from a post that ended during the year, others were never filled.
    since = {(gap.area_id, gap.post): gap.since for gap in report.gaps}
    assert any(since.values()) and not all(since.values())


def test_the_vacant_police_village_is_in_the_first_township_and_has_no_police(demo, roster):
    vacant = Area.objects.get(pk=roster.vacant_police_village)
    assert vacant.parent_id == demo.township1.pk and vacant != demo.village1
    assert not open_holders(vacant, PostKind.POLICE_OFFICER)
    assert not open_holders(vacant, PostKind.AUXILIARY_POLICE)
    ended = Post.objects.filter(area=vacant, kind__in=["police_officer", "auxiliary_police"])
    assert ended.exists() and all(post.end and post.end_reason for post in ended)
    # The other villages all have their police.
    report = coverage_report(root=demo.county)
    police_gaps = {gap.area_id for gap in report.gaps if gap.post in ("police", "police_officer")}
    assert police_gaps == {vacant.pk}


def test_every_person_and_post_keeps_the_roster_services_rules(demo, roster):
    actor = demo.user("county")
    staff = list(Staff.objects.select_related("area", "user"))
    assert len({person.id_number for person in staff}) == len(staff) == roster.people
    for person in staff:
        data = StaffInput(
            name=person.name,
            phone=person.phone,
            id_number=person.id_number,
            gender=person.gender,
            area=person.area,
            employer=person.employer,
        )
        assert staff_errors(data=data, actor=actor, staff=person) == {}, person
        assert id_number_is_valid(person.id_number) and mobile_is_valid(person.phone)
        # GB 11643: the sequence's last digit is odd for men, even for women.
        assert (int(person.id_number[16]) % 2 == 1) == (person.gender == Gender.MALE)
        assert person.id_number.startswith(demo.county.code[:6])
    terms = defaultdict(list)
    for post in Post.objects.select_related("staff__area", "area").order_by("start", "id"):
        with translation.override("en"):
            errors = post_errors(
                staff=post.staff,
                kind=post.kind,
                member_type=post.member_type,
                area=post.area,
                start=post.start,
                actor=actor,
            )
        # What the service checks against today's roster fires for the posts themselves
        # (an open post "is held already", a grid "already has a grid worker"): the terms
        # of each grid's workers are checked apart, below.
        if post.end is None:
            errors.pop("kind", None)
        if post.kind == PostKind.GRID_WORKER:
            terms[post.area_id].append((post.start, post.end))
            if "already has a grid worker" in str(errors.get("area")):
                errors.pop("area")
        assert errors == {}, (post, errors)
        assert post.end is None or (post.start < post.end and post.end_reason)
    assert not Post.objects.filter(end=None).exclude(end_reason="").exists()
    for grid, held in terms.items():  # one grid worker at a time, the successor after
        for (_start, end), (start, _end) in pairwise(held):
            assert end is not None and end < start, grid


def test_demo_accounts_hold_their_posts_and_every_login_is_as_login_sync_keeps_it(demo, roster):
    expected = {
        "grid1": (PostKind.GRID_WORKER, demo.grid1),
        "police1": (PostKind.POLICE_OFFICER, demo.village1),
        "village1": (PostKind.SECURITY_DIRECTOR, demo.village1),
        "member1": (PostKind.MEMBER, demo.grid1),
    }
    for username, (kind, area) in expected.items():
        staff = Staff.objects.get(user__username=username)
        assert [(p.kind, p.area) for p in staff.posts.all()] == [(kind, area)]
        assert staff.name == str(staff.user) and staff.user.phone == staff.phone
        assert staff.user.has_usable_password()
    assert Staff.objects.get(user__username="member1").posts.get().member_type == (
        "information_officer"
    )
    logins = list(Staff.objects.exclude(user=None).select_related("user"))
    assert len(logins) == roster.logins + len(expected)
    for staff in logins:
        before = (staff.user.role, staff.user.area_id, staff.user.is_active)
        login_sync(staff=staff)
        staff.user.refresh_from_db()
        assert (staff.user.role, staff.user.area_id, staff.user.is_active) == before, staff
    # Grid workers and police have logins (no usable password); the others have none.
    for staff in Staff.objects.filter(user=None).prefetch_related("posts"):
        assert not {post.kind for post in staff.posts.all()} & {"grid_worker", "police_officer"}
    bulk = [s.user for s in logins if s.user.username not in expected]
    assert bulk and not any(user.has_usable_password() for user in bulk)
    assert {user.role for user in bulk} == {Role.GRID_WORKER, Role.POLICE}


def test_every_grid_has_one_open_grid_worker_but_the_gaps(demo, roster):
    today = timezone.localdate()
    grids = Area.objects.filter(tree.subtree_q(demo.county), level=AreaLevel.GRID)
    workers = Counter(
        Post.objects.filter(posts_open_on(today), kind="grid_worker").values_list(
            "area_id", flat=True
        )
    )
    empty = {area for area, code in roster.gaps if code == "grid_worker"}
    assert {grid.pk for grid in grids if workers[grid.pk] != 1} == empty
    assert set(workers.values()) == {1}


def report_and_accept(demo, grid: Area) -> Case:
    category = Category.objects.filter(kind="dispute", is_active=True).first()
    result = case_report(
        reporter=demo.user("county"),
        client_uuid=uuid.uuid4(),
        kind="dispute",
        category=category,
        title="邻里纠纷",
        description="两户因排水沟堵塞发生争执。",
        grid=grid,
    )
    return case_accept(case=result.case, actor=demo.user("centre"))


def test_a_police_line_in_the_vacant_village_goes_to_the_township_centre_saying_why(demo, roster):
    vacant = Area.objects.get(pk=roster.vacant_police_village)
    case = report_and_accept(demo, vacant.children.first())
    with translation.override("en"):
        case_assign(case=case, actor=demo.user("township1"), lines=[{"line": "police"}])
    line = Assignment.objects.get(case=case)
    assert (line.handler, line.staff) == (None, None)
    assert demo.township1.name in line.unit
    assert vacant.name in line.routing_note and "vacant" in line.routing_note


def test_a_police_line_in_a_staffed_village_goes_to_the_post_holders_login(demo, roster):
    case = report_and_accept(demo, demo.grid2)
    officer = open_holders(demo.village2, PostKind.POLICE_OFFICER)[0]
    case_assign(case=case, actor=demo.user("township2"), lines=[{"line": "police"}])
    line = Assignment.objects.get(case=case)
    assert (line.handler, line.staff) == (officer.user, officer)
    assert officer.user.role == Role.POLICE and officer.user.is_active
    # A rural village's auxiliary police (一村一辅警) takes it there.
    aux = Post.objects.filter(kind="auxiliary_police", end=None, area__kind="rural")[0]
    case = report_and_accept(demo, aux.area.children.first())
    case_assign(case=case, actor=demo.user("county"), lines=[{"line": "police"}])
    line = Assignment.objects.get(case=case)
    assert (line.handler, line.staff) == (aux.staff.user, aux.staff)


def test_the_political_legal_line_goes_to_the_security_director_or_else_the_grid_worker(
    demo, roster
):
    director = Post.objects.filter(kind="security_director", end=None, area__kind="rural")[0]
    case = report_and_accept(demo, director.area.children.first())
    case_assign(case=case, actor=demo.user("county"), lines=[{"line": "political_legal"}])
    line = Assignment.objects.get(case=case)
    assert (line.staff, line.handler) == (director.staff, None)  # no login: a centre records
    # In an urban community without a security director: the grid's worker, with a login.
    worker = (
        Post.objects.filter(kind="grid_worker", end=None, area__parent__kind="urban")
        .exclude(area__parent__posts__kind="security_director")
        .select_related("staff__user")[0]
    )
    case = report_and_accept(demo, worker.area)
    case_assign(case=case, actor=demo.user("county"), lines=[{"line": "political_legal"}])
    line = Assignment.objects.get(case=case)
    assert (line.staff, line.handler) == (worker.staff, worker.staff.user)


def roster_snapshot() -> list[tuple]:
    return sorted(
        Post.objects.values_list(
            "staff__name", "staff__id_number", "kind", "member_type", "area__code", "start", "end"
        )
    )


def test_the_same_seed_gives_the_same_roster(demo, roster):
    first = roster_snapshot()
    logins = list(Staff.objects.exclude(user=None).values_list("user_id", flat=True))
    Post.objects.all().delete()
    Staff.objects.all().delete()
    User.objects.filter(pk__in=logins, password__startswith="!").delete()
    again = seed_roster(root=demo.county, rng=random.Random(7), today=timezone.localdate())
    assert roster_snapshot() == first and again.gaps == roster.gaps


def test_the_roster_year_trains_checks_records_coverage_and_evaluates(demo, roster):
    today = timezone.localdate()
    counts = seed_roster_year(root=demo.county, rng=random.Random(7), today=today)
    townships = list(demo.county.children.all())
    for training in Training.objects.prefetch_related("attendees__area"):
        assert training.area in townships and training.day <= today
        assert 1 <= training.attendees.count() <= 60
        for person in training.attendees.all():
            assert tree.is_within(person.area, training.area)
    assert counts["trainings"] >= 12 * len(townships)
    checks = SpotCheck.objects.select_related("staff")
    assert checks.count() >= 12 * 12 * len(townships)
    assert 0.8 < checks.filter(reached=True).count() / checks.count() < 0.97
    assert all(check.area_id == check.staff.area_id for check in checks)
    assert CoverageRecord.objects.filter(day=today).exists()
    assert CoverageRecord.objects.values("day").distinct().count() == 53
    assert CoverageRecord.objects.filter(day=today - timedelta(days=364)).exists()
    evaluations = Evaluation.objects.all()
    assert evaluations.values("month").distinct().count() == 12
    reviewed = evaluations.exclude(supervisor_score=None)
    assert 0.8 < reviewed.count() / evaluations.count() < 0.97
    for evaluation in reviewed:
        score = final_score(work=evaluation.work_score, supervisor=evaluation.supervisor_score)
        assert (evaluation.score, evaluation.outcome) == (score, outcome_for(score))
        assert evaluation.supervisor.role in (Role.TOWNSHIP_CENTRE, Role.COUNTY_ADMIN)
    for evaluation in evaluations.exclude(follow_up=FollowUp.NONE):
        assert (evaluation.outcome, evaluation.follow_up) in (
            ("excellent", FollowUp.RECOMMENDED),
            ("unfit", FollowUp.KEPT),
        )


def test_the_demo_cases_are_reported_and_handled_by_the_roster(demo, roster):
    seed_cases(scale="tiny", seed=2026)
    today = timezone.localdate()
    starts = dict(
        Post.objects.filter(kind="grid_worker", end=None).values_list("staff__user", "start")
    )
    by_workers = Case.objects.filter(reporter__role=Role.GRID_WORKER).exclude(
        reporter__username="grid1"
    )
    assert by_workers.exists()
    for case in by_workers:  # only once they held the post
        assert starts[case.reporter_id] <= timezone.localdate(case.created_at) <= today
    village_lines = Assignment.objects.filter(level="village").exclude(
        unit__endswith="人民调解委员会"  # given by the centre after a handler returned it
    )
    assert village_lines.exists()
    assert all(line.routing_note for line in village_lines)
    assert village_lines.exclude(handler=None).exists()
    # A line with a handler is resolved by that handler; any other by a centre.
    handled = {
        (line.case_id, line.line, line.handler_id)
        for line in Assignment.objects.filter(status="done").exclude(handler=None)
    }
    centres = {Role.VILLAGE_STAFF, Role.TOWNSHIP_CENTRE, Role.COUNTY_CENTRE, Role.COUNTY_ADMIN}
    resolved = CaseEvent.objects.filter(action="resolve").select_related("actor")
    for event in resolved:
        mine = (event.case_id, event.data["line"], event.actor_id) in handled
        assert mine or event.actor.role in centres, event
    assert {(e.case_id, e.data["line"], e.actor_id) for e in resolved} >= handled
