"""The demo roster's year: trainings and phone spot checks by each township centre, the
daily coverage records (every 7th day), and twelve months of evaluations, most of them
scored by the township centre, with the follow-ups of some excellent and unfit ones."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from assessment.models import Evaluation, FollowUp, Outcome
from assessment.services.evaluations import evaluations_compute, final_score, outcome_for
from demo.roster import counties_under
from governance.platform.months import add_months, last_month, month_start, month_starts, next_month
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import Post, SpotCheck, Training, User
from personnel.services.coverage import coverage_record

TRAINING_TOPICS = [
    "矛盾纠纷排查化解实务",
    "网格员信息采集与事件上报规范",
    "人民调解法与调解技巧",
    "重点人员服务管理要点",
    "电信网络诈骗防范宣传",
    "防溺水安全教育与巡查",
    "道路交通安全劝导",
    "平安建设“三零”创建",
    "社区矫正对象走访要点",
    "严重精神障碍患者服务管理",
    "消防安全隐患排查",
    "移动端上报系统操作",
    "《信访工作条例》解读",
    "民转刑案件预防与早期处置",
    "禁毒宣传与线索发现",
]
SPOT_PROBLEMS = [
    ("对本网格重点人员底数不清。", "已要求三日内完成重点人员走访并补录台账。"),
    ("近两周未按要求入户走访。", "已约谈提醒，纳入本月考评扣分。"),
    ("不熟悉矛盾纠纷上报流程。", "已电话讲解上报流程，安排参加下期培训。"),
    ("辖区新增出租房屋未登记。", "已督促一周内完成登记。"),
    ("手机端长期未登录系统。", "已协助重置密码，要求每日登录查看待办。"),
]
UNREACHED = [
    ("连续两次电话未接通。", "已通报所在村（社区），要求本人当日回电说明。"),
    ("电话关机。", "已请村（社区）核实，本人因外出培训关机，次日回访已接通。"),
]
SUPERVISOR_COMMENTS = {
    90: ["工作扎实，群众认可度高。", "履职积极主动，矛盾化解成效明显。"],
    75: ["能按要求完成各项工作。", "工作较认真，走访记录需更及时。"],
    60: ["工作主动性不足，需加强走访。", "事件上报不够及时，限期改进。"],
    0: ["履职不到位，群众有反映，需整改。", "多次督办未反馈，责令书面检查。"],
}
RECOMMENDED_NOTE = "工作成绩突出，推荐为村（社区）两委后备人选。"
KEPT_NOTE = "经谈话提醒，本人表示限期整改，暂予留用察看。"
# Township centres score nearly everyone every month, and above what the cases alone show:
# they also see the patrols and visits the system does not count yet.
SUPERVISED_SHARE = 0.9
SUPERVISOR_LIFT = 22
RECOMMENDED_SHARE = 0.4
KEPT_SHARE = 0.6


def _months_before(today: date, count: int) -> list[date]:
    """The `count` whole months before today's, oldest first."""
    return month_starts(add_months(today, -count), last_month(today))


def _month_days(month: date, today: date) -> list[date]:
    end = next_month(month)
    days = range(month.toordinal(), min(end.toordinal(), today.toordinal()))
    return [date.fromordinal(day) for day in days if day >= today.toordinal() - 365]


def _supervisors(county: Area, townships: list[Area]) -> dict[int, User]:
    """Who runs each township's roster work: its centre (a demo account where there is
    one), else a county centre."""
    users = (
        User.objects.filter(tree.subtree_q(county, "area__"), is_active=True)
        .filter(role__in=[Role.TOWNSHIP_CENTRE, Role.COUNTY_ADMIN, Role.COUNTY_CENTRE])
        .order_by("id")
    )
    county_user, by_township = None, {}
    for user in users:
        if user.role != Role.TOWNSHIP_CENTRE:
            county_user = county_user or user
        elif user.area_id not in by_township or user.has_usable_password():
            by_township[user.area_id] = user
    return {t.pk: by_township.get(t.pk, county_user) for t in townships}


@dataclass
class _Span:
    staff_id: int
    area_id: int  # the unit that manages the person
    first: date  # the day their first post started
    last: date | None  # the day their last post ended; None while one is open

    def serves_on(self, day: date) -> bool:
        return self.first <= day and (self.last is None or self.last > day)


def _working(county: Area) -> dict[int, list[_Span]]:
    """Everyone who held a post in the county, per township, and when."""
    spans: dict[int, _Span] = {}
    townships: dict[int, int] = {}
    for staff_id, area_id, level, parent_id, start, end in (
        Post.objects.filter(tree.subtree_q(county, "area__"))
        .values_list(
            "staff_id",
            "staff__area_id",
            "staff__area__level",
            "staff__area__parent_id",
            "start",
            "end",
        )
        .order_by("staff_id", "start", "id")
    ):
        span = spans.get(staff_id)
        if span is None:
            spans[staff_id] = _Span(staff_id, area_id, start, end)
            townships[staff_id] = area_id if level == AreaLevel.TOWNSHIP else parent_id
        elif span.last is not None:
            span.last = None if end is None else max(end, span.last)
    working: dict[int, list[_Span]] = defaultdict(list)
    for staff_id, span in spans.items():
        working[townships[staff_id]].append(span)
    return working


def _sessions_and_checks(
    *, rng: random.Random, townships: list[Area], today: date, county: Area
) -> tuple[int, int, int]:
    """1–2 sessions per township and month with 20–60 of its people, and ~15 phone spot
    checks; in bulk, the attendances through the M2M table."""
    supervisors = _supervisors(county, townships)
    working = _working(county)
    sessions: list[tuple[Training, list[int]]] = []
    checks: list[SpotCheck] = []
    for month in [*_months_before(today, 12), month_start(today)]:
        days = _month_days(month, today)
        for township in townships:
            supervisor = supervisors[township.pk]
            if not days or supervisor is None:
                continue
            people = working[township.pk]
            for _ in range(rng.choice((1, 1, 2))):
                day = rng.choice(days)
                present = [span.staff_id for span in people if span.serves_on(day)]
                if not present:
                    continue
                training = Training(
                    area=township,
                    day=day,
                    topic=rng.choice(TRAINING_TOPICS),
                    hours=Decimal(rng.choice(("1.5", "2", "2", "3", "4"))),
                    created_by=supervisor,
                )
                sessions.append(
                    (training, rng.sample(present, min(len(present), rng.randint(20, 60))))
                )
            for _ in range(rng.randint(12, 18)):
                day = rng.choice(days)
                present = [span for span in people if span.serves_on(day)]
                if not present:
                    continue
                span = rng.choice(present)
                reached = rng.random() < 0.9
                problems, fix = "", ""
                if not reached and rng.random() < 0.7:
                    problems, fix = rng.choice(UNREACHED)
                elif reached and rng.random() < 0.12:
                    problems, fix = rng.choice(SPOT_PROBLEMS)
                checks.append(
                    SpotCheck(
                        staff_id=span.staff_id,
                        area_id=span.area_id,
                        day=day,
                        reached=reached,
                        problems=problems,
                        fix=fix,
                        checked_by=supervisor,
                    )
                )
    Training.objects.bulk_create([training for training, _people in sessions], batch_size=1000)
    Attendance = Training.attendees.through
    attendances = [
        Attendance(training_id=training.pk, staff_id=staff_id)
        for training, people in sessions
        for staff_id in people
    ]
    Attendance.objects.bulk_create(attendances, batch_size=2000)
    SpotCheck.objects.bulk_create(checks, batch_size=1000)
    return len(sessions), len(attendances), len(checks)


def _reviewed_evaluations(*, rng: random.Random, months: list[date], supervisors: dict) -> Counter:
    """The months' evaluations, ~90 % of them scored and commented on by the township
    centre (the score and outcome follow, as evaluation_review sets them); then follow-ups:
    some of the people rated excellent recommended (once, after their latest such month),
    some of the unfit evaluations kept on."""
    for month in months:
        evaluations_compute(month=month)
    townships = dict(Area.objects.filter(level=AreaLevel.VILLAGE).values_list("id", "parent_id"))
    evaluations = list(Evaluation.objects.filter(month__in=months).order_by("month", "id"))
    changed: dict[int, Evaluation] = {}
    for evaluation in evaluations:
        supervisor = supervisors.get(townships.get(evaluation.area_id))
        if supervisor is None or rng.random() >= SUPERVISED_SHARE:
            continue
        score = round(
            min(100.0, max(30.0, rng.gauss(float(evaluation.work_score) + SUPERVISOR_LIFT, 7)))
        )
        band = max(lowest for lowest in SUPERVISOR_COMMENTS if lowest <= score)
        evaluation.supervisor_score = score
        evaluation.supervisor_comment = rng.choice(SUPERVISOR_COMMENTS[band])
        evaluation.supervisor = supervisor
        evaluation.score = final_score(work=evaluation.work_score, supervisor=score)
        evaluation.outcome = outcome_for(evaluation.score)
        changed[evaluation.pk] = evaluation
    reviewed = len(changed)
    excellent = {e.staff_id: e for e in evaluations if e.outcome == Outcome.EXCELLENT}
    unfit = [e for e in evaluations if e.outcome == Outcome.UNFIT]
    for share, chosen, follow_up, note in (
        (RECOMMENDED_SHARE, list(excellent.values()), FollowUp.RECOMMENDED, RECOMMENDED_NOTE),
        (KEPT_SHARE, unfit, FollowUp.KEPT, KEPT_NOTE),
    ):
        for evaluation in rng.sample(chosen, math.ceil(share * len(chosen))):
            evaluation.follow_up, evaluation.follow_up_note = follow_up, note
            changed[evaluation.pk] = evaluation
    # An upsert on the primary key: a statement per thousand rows, where bulk_update's
    # CASE per row and column takes ten times as long.
    Evaluation.objects.bulk_create(
        list(changed.values()),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "supervisor_score",
            "supervisor_comment",
            "supervisor",
            "score",
            "outcome",
            "follow_up",
            "follow_up_note",
        ],
    )
    counts = Counter(evaluation.outcome for evaluation in evaluations)
    counts["reviewed"] = reviewed
    counts["followed_up"] = sum(1 for evaluation in evaluations if evaluation.follow_up)
    return counts


def seed_roster_year(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    """The year after the cases: trainings and spot checks per township, the daily coverage
    record every 7th day and today, and the evaluations of the 12 past months."""
    counts: Counter = Counter()
    supervisors: dict[int, User | None] = {}
    for county in counties_under(root):
        townships = list(tree.in_order(county.children.all()))
        supervisors |= _supervisors(county, townships)
        sessions, attendances, checks = _sessions_and_checks(
            rng=rng, townships=townships, today=today, county=county
        )
        counts.update(trainings=sessions, attendances=attendances, spot_checks=checks)
    for age in range(7 * 52, -1, -7):
        counts["coverage_records"] += coverage_record(day=today - timedelta(days=age))
    evaluations = _reviewed_evaluations(
        rng=rng, months=_months_before(today, 12), supervisors=supervisors
    )
    counts.update({f"evaluations_{key}": n for key, n in evaluations.items()})
    counts["evaluations"] = sum(evaluations[outcome] for outcome in Outcome.values)
    return dict(counts)
