"""The demo's analysis meetings 研判会 and supervision inspections 督导检查.

Meetings: per township a daily analysis meeting on most working days of the last eight
weeks and the leadership's weekly meeting for the last 52 weeks; per county a monthly
meeting for each of the last twelve months. Each discusses a few cases of its area that
were open that morning (reported before, not yet resolved or closed), the serious ones
(civil-to-criminal risk, key attention, under supervision) first, with a judgement, the
risks seen and the units at the table. History is not rewritten: a decision is "keep
watching", unless the case really was assigned or supervised by the meeting's own centre
within two days after it; then the meeting records that decision and links that timeline
entry. This week's daily meeting of the demo accounts' township is recorded through the
meeting service instead, so that one assignment and one supervision carry its name on the
case timeline.

Inspections: the county's inspectors visit each township about every two months and a
sample of villages once or twice a year; the score (mostly 85 to 95) goes with as many
failed checklist items, each failure a problem to fix within two to four weeks. Most
problems of more than a month ago are fixed, a few are still open past their date. They
are seeded before the monthly rankings, whose "督导检查" indicator averages their scores.

Everything historical goes in with `bulk_create` (the records' `created_at` put back
afterwards, as `residents` does).
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from demo.campaigns import Accounts, county_accounts, local
from demo.people import People
from demo.places import DemoNames
from demo.residents import _insert as insert_with_created_at
from demo.roster import counties_under
from disputes.models import (
    OPEN_STATUSES,
    AssignmentLine,
    Case,
    CaseEvent,
    CaseKind,
    CaseLevel,
    CaseStatus,
    Category,
)
from disputes.services import case_report
from governance.platform.months import months_back
from governance.platform.roles import Role
from grids import tree
from grids.jurisdiction import can_act_on_case
from grids.models import Area, AreaLevel
from notifications.services import outgoing_paused
from personnel.models import User
from supervision.models import (
    Decision,
    Inspection,
    InspectionItem,
    InspectionProblem,
    Judgement,
    Meeting,
    MeetingCase,
    MeetingLevel,
    MeetingUnit,
    ProblemStatus,
    RiskFlag,
)
from supervision.services.inspections import DEFAULT_CHECKLIST
from supervision.services.meetings import ItemInput, MeetingInput, meeting_record

DAILY_WEEKS = 8
DAILY_SKIPPED = 0.1  # a working day now and then without the daily meeting
WEEKLY_WEEKS = 52
MONTHS = 12
DECISION_WITHIN = timedelta(days=2)
CASES = {  # how many cases a meeting discusses, at most
    MeetingLevel.TOWNSHIP_DAILY: (2, 6),
    MeetingLevel.LEADERSHIP_WEEKLY: (3, 8),
    MeetingLevel.COUNTY_MONTHLY: (4, 8),
}
HELD_AT = {  # (hour, minute)
    MeetingLevel.TOWNSHIP_DAILY: (8, 30),
    MeetingLevel.LEADERSHIP_WEEKLY: (15, 0),
    MeetingLevel.COUNTY_MONTHLY: (9, 30),
}
# Who carries out a meeting's decisions: its own centre.
DECIDING_ROLES = {
    MeetingLevel.TOWNSHIP_DAILY: {Role.TOWNSHIP_CENTRE},
    MeetingLevel.LEADERSHIP_WEEKLY: {Role.TOWNSHIP_CENTRE},
    MeetingLevel.COUNTY_MONTHLY: {Role.COUNTY_CENTRE, Role.COUNTY_ADMIN},
}
TOWNSHIP_UNITS = [
    MeetingUnit.CENTRE,
    MeetingUnit.COURT,
    MeetingUnit.POLICE_STATION,
    MeetingUnit.JUSTICE_OFFICE,
    MeetingUnit.PETITIONS,
]
COUNTY_UNITS = [*TOWNSHIP_UNITS, MeetingUnit.LEADERSHIP, MeetingUnit.DEPARTMENTS]
CHAIRS = {
    MeetingLevel.TOWNSHIP_DAILY: ("综治中心主任", "综治中心副主任"),
    MeetingLevel.LEADERSHIP_WEEKLY: ("党委副书记、政法委员", "党委书记"),
    MeetingLevel.COUNTY_MONTHLY: ("县委常委、政法委书记", "县委政法委常务副书记"),
}
PARTICIPANTS = {
    MeetingLevel.TOWNSHIP_DAILY: (
        "综治中心、派出所、司法所、信访办值班人员，{court}相关村（社区）党组织书记"
    ),
    MeetingLevel.LEADERSHIP_WEEKLY: (
        "党委书记、政法委员，派出所所长、司法所所长、人民法庭庭长、信访办主任，综治中心全体人员"
    ),
    MeetingLevel.COUNTY_MONTHLY: (
        "县委政法委、县综治中心、县法院、县公安局、县司法局、县信访局、县人社局、县自然资源局"
        "负责人，各乡镇（街道）政法委员"
    ),
}
CLOSINGS = [
    "会议要求各村（社区）落实矛盾纠纷日排查、周研判制度，重大情况及时上报。",
    "会议强调对民转刑苗头要早发现、早介入，落实包案责任。",
    "会议要求责任单位按时限反馈办理进展，下次会议通报。",
    "会议要求加强重点人员动态管控，做好敏感节点稳控工作。",
    "会议要求司法所、派出所协同调处，防止矛盾激化升级。",
]
WATCH_NOTES = [
    "由村调委会继续调解，三日内反馈进展。",
    "包案领导已约谈双方当事人，持续跟踪。",
    "司法所参与调解，下次研判会通报结果。",
    "派出所加强巡逻，防止矛盾激化。",
    "已落实稳控责任人，关注当事人动态。",
    "",
]
DECISION_NOTES = {
    Decision.ASSIGN: ["按职责交办，限期反馈办理情况。", "交派出所、司法所联合处置。"],
    Decision.SUPERVISE: ["列入督办，办理单位按期报告进展。", "挂牌督办，包案领导牵头化解。"],
}
# Civil-to-criminal risk aside, which risks are seen in which categories: (flag, chance).
RISKS = {
    "labour_wages": [(RiskFlag.MASS_INCIDENT, 0.35), (RiskFlag.PETITION, 0.3)],
    "requisition": [(RiskFlag.MASS_INCIDENT, 0.3), (RiskFlag.PETITION, 0.4)],
    "land_forest": [(RiskFlag.PETITION, 0.2), (RiskFlag.MASS_INCIDENT, 0.1)],
    "homestead": [(RiskFlag.PETITION, 0.2)],
    "marriage_family": [(RiskFlag.EXTREME, 0.25)],
    "neighbour": [(RiskFlag.EXTREME, 0.1)],
    "debt": [(RiskFlag.EXTREME, 0.15), (RiskFlag.PETITION, 0.1)],
    "medical": [(RiskFlag.PETITION, 0.35)],
    "key_person": [(RiskFlag.EXTREME, 0.3)],
}

# Reported this morning where no case awaits the meeting: (category, title, description,
# civil-to-criminal risk).
MORNING_REPORTS = [
    (
        "neighbour",
        "两户因排水沟堵塞发生争执",
        "村民{first}与{second}因屋后排水沟堵塞、雨水倒灌问题多次争吵，昨晚双方发生推搡，"
        "经邻居劝开，矛盾尚未化解，需尽快调处。",
        True,
    ),
    (
        "debt",
        "拖欠房屋装修工程款纠纷",
        "{first}反映为{second}装修房屋，尚有工程款2.6万元未结清，多次催要未果，"
        "扬言要到对方家中讨要说法。",
        False,
    ),
]

# Inspections.
TOWNSHIP_EVERY = (50, 70)  # days between two inspections of a township
VILLAGES_INSPECTED = 0.12
SCORE = (70, 100, 91)  # triangular: low, high, mode
FIX_WITHIN = (14, 28)
FIXED_SHARE = 0.88  # of the problems found more than a month ago
INSPECTORS = 4  # the county's pool; two go on each visit
# Per checklist item (DEFAULT_CHECKLIST's order): what failing it looks like, and the fix.
FAILURES = [
    ("综治中心值班表未上墙，检查时值班人员不在岗。", "已制定值班表上墙公示，落实AB岗和值班签到。"),
    ("抽查网格员巡查记录，2名网格员上周巡查次数不足。", "已对相关网格员约谈提醒，纳入月度考评。"),
    ("矛盾纠纷台账有3件未及时录入办结情况。", "已补录办结情况，明确专人每日核对台账。"),
    ("1名社区矫正对象走访记录滞后，超出走访周期。", "已完成补访，调整走访计划并加密提醒。"),
    ("1个村交管路长空缺，未及时补齐。", "已由村两委推选补齐交管路长并录入花名册。"),
    ("研判会议记录不完整，缺少参会单位签到。", "已完善会议记录模板，参会单位逐一签到。"),
    ("部分村防溺水、防诈骗宣传栏内容未及时更新。", "已更新宣传栏内容，增设防溺水警示牌。"),
    ("档案资料未按年度分类归档。", "已按年度、类别重新整理归档。"),
]
FAILURE_WEIGHTS = [2, 3, 3, 2, 2, 2, 2, 3]
VERDICTS = [
    (95, "各项工作扎实，台账规范，成效明显"),
    (88, "整体工作推进有序，个别环节需加强"),
    (80, "基础工作基本到位，存在薄弱环节"),
    (0, "工作推进不平衡，问题较多，须限期整改"),
]


# --- Meetings ---------------------------------------------------------------------------------


@dataclass
class _Case:
    pk: int
    township_id: int
    created_at: datetime
    ended_at: datetime | None  # resolved or closed, whichever came first
    criminal_risk: bool
    severity: str
    category: str
    events: list[tuple] = field(default_factory=list)  # (at, pk, action, role, data)

    def open_at(self, moment: datetime) -> bool:
        return self.created_at < moment and (self.ended_at is None or self.ended_at > moment)

    def supervised_before(self, moment: datetime) -> bool:
        return any(e[2] == "supervise" and e[0] < moment for e in self.events)


@dataclass
class _Planned:
    meeting: Meeting
    items: list[MeetingCase]


class _Meetings:
    """Plans one county's year of meetings in memory."""

    def __init__(self, county: Area, rng: random.Random, accounts: Accounts, today: date) -> None:
        self.county, self.rng, self.accounts, self.today = county, rng, accounts, today
        self.names = DemoNames(rng)
        self.used_events: set[int] = set()
        self.cases: dict[int, list[_Case]] = defaultdict(list)  # by township, as reported
        by_pk: dict[int, _Case] = {}
        rows = (
            Case.objects.filter(county=county)
            .exclude(status=CaseStatus.MERGED)
            .order_by("created_at", "pk")
            .values_list(
                "pk",
                "township_id",
                "created_at",
                "resolved_at",
                "closed_at",
                "criminal_risk",
                "severity",
                "category__code",
            )
        )
        for pk, township, created, resolved, closed, criminal, severity, category in rows:
            ended = min((t for t in (resolved, closed) if t is not None), default=None)
            case = _Case(pk, township, created, ended, criminal, severity, category)
            self.cases[township].append(case)
            by_pk[pk] = case
        self.created = {t: [c.created_at for c in cases] for t, cases in self.cases.items()}
        events = (
            CaseEvent.objects.filter(case__county=county, action__in=["assign", "supervise"])
            .order_by("created_at", "pk")
            .values_list("case_id", "created_at", "pk", "action", "actor__role", "data")
        )
        for case_id, at, pk, action, role, data in events:
            if case_id in by_pk:
                by_pk[case_id].events.append((at, pk, action, role, data))

    def chair(self, level: str) -> tuple[str, str]:
        """The usual chair of a meeting and a deputy."""
        titles = CHAIRS[level]
        return tuple(  # type: ignore[return-value]
            "".join(self.names.person()) + f"（{title}）" for title in titles
        )

    def open_cases(self, township: int | None, moment: datetime) -> list[_Case]:
        townships = [township] if township is not None else list(self.cases)
        found = []
        for t in townships:
            cases = self.cases.get(t, [])
            reported = bisect.bisect_left(self.created[t], moment) if cases else 0
            found += [c for c in cases[:reported] if c.open_at(moment)]
        return found

    def decision_event(self, case: _Case, level: str, moment: datetime) -> tuple | None:
        """The assignment or supervision the meeting's centre really made of the case
        within two days after it, if any and not claimed by another meeting."""
        roles = DECIDING_ROLES[level]
        for event in case.events:
            at, pk, _action, role, _data = event
            # Each decision belongs to one meeting.
            if (
                moment < at <= moment + DECISION_WITHIN
                and role in roles
                and pk not in self.used_events
            ):
                return event
        return None

    def meeting(
        self, level: str, area: Area, day: date, chairs: tuple[str, str], by: User
    ) -> _Planned:
        rng = self.rng
        moment = local(day, *HELD_AT[level])
        township = area.pk if area.level == AreaLevel.TOWNSHIP else None
        candidates = self.open_cases(township, moment)
        decided = {c.pk: e for c in candidates if (e := self.decision_event(c, level, moment))}
        low, high = CASES[level]
        wanted = min(len(candidates), max(rng.randint(low, high), len(decided)))

        def weight(case: _Case) -> float:
            if case.pk in decided:
                return 0.0
            serious = case.criminal_risk or case.severity == "key_attention"
            return rng.random() + (1.0 if serious else 0.0) + (0.5 * case.supervised_before(moment))

        chosen = sorted(candidates, key=weight)[:wanted]
        chosen.sort(key=lambda c: c.created_at)
        items = [self.item(case, decided.get(case.pk), moment) for case in chosen]
        units = list(TOWNSHIP_UNITS if township else COUNTY_UNITS)
        if level == MeetingLevel.LEADERSHIP_WEEKLY:
            units.append(MeetingUnit.LEADERSHIP)
        court_there = level != MeetingLevel.TOWNSHIP_DAILY or rng.random() < 0.6
        if not court_there:
            units.remove(MeetingUnit.COURT)
        participants = PARTICIPANTS[level].format(court="人民法庭法官，" if court_there else "")
        chair = chairs[0] if rng.random() < 0.85 else chairs[1]
        meeting = Meeting(
            level=level,
            area=area,
            held_on=day,
            chair=chair,
            units=sorted(units),
            participants=participants,
            summary=self.summary(items),
            created_by=by,
            created_at=moment + timedelta(hours=1, minutes=rng.randint(10, 80)),
        )
        return _Planned(meeting, items)

    def item(self, case: _Case, event: tuple | None, moment: datetime) -> MeetingCase:
        rng = self.rng
        decision, lines, deadline, event_pk = Decision.WATCH, [], None, None
        if event is not None:
            _at, event_pk, action, _role, data = event
            self.used_events.add(event_pk)
            decision = Decision.ASSIGN if action == "assign" else Decision.SUPERVISE
            if decision == Decision.ASSIGN:
                lines = sorted({line["line"] for line in data.get("lines", [])})
            elif data.get("deadline"):
                deadline = datetime.fromisoformat(data["deadline"])
        supervised = case.supervised_before(moment) or decision == Decision.SUPERVISE
        key = case.criminal_risk or case.severity == "key_attention" or supervised
        if not key and case.severity == "attention" and rng.random() < 0.15:
            key = True
        flags = [RiskFlag.CRIMINAL] if case.criminal_risk else []
        for flag, chance in RISKS.get(case.category, []):
            if rng.random() < chance * (1.5 if key else 0.6):
                flags.append(flag)
        note = rng.choice(DECISION_NOTES.get(decision) or WATCH_NOTES)
        return MeetingCase(
            case_id=case.pk,
            judgement=Judgement.KEY_ATTENTION if key else Judgement.ATTENTION,
            risk_flags=sorted(set(flags)),
            decision=decision,
            lines=lines,
            supervision_deadline=deadline,
            note=note,
            event_id=event_pk,
        )

    def summary(self, items: list[MeetingCase]) -> str:
        return _summary(
            self.rng,
            [(item.judgement, item.decision) for item in items],
        )


def _summary(rng: random.Random, items: list[tuple[str, str]]) -> str:
    """The minutes' summary from (judgement, decision) of each case discussed."""
    if not items:
        return "本期无新增需研判事项，各村（社区）报告辖区总体平稳。" + rng.choice(CLOSINGS)
    key = sum(1 for judgement, _d in items if judgement == Judgement.KEY_ATTENTION)
    assigned = sum(1 for _j, decision in items if decision == Decision.ASSIGN)
    supervised = sum(1 for _j, decision in items if decision == Decision.SUPERVISE)
    text = f"研判矛盾纠纷和风险隐患{len(items)}件，其中重点关注{key}件；"
    parts = [f"交办{assigned}件" if assigned else "", f"督办{supervised}件" if supervised else ""]
    if not assigned and not supervised:
        text += "均持续关注，由责任单位跟进。"
    elif assigned + supervised < len(items):
        text += "、".join(p for p in parts if p) + "，其余持续关注。"
    else:
        text += "、".join(p for p in parts if p) + "。"
    return text + rng.choice(CLOSINGS)


def _working_days(start: date, end: date) -> list[date]:
    """The weekdays from `start` up to, not including, `end`."""
    return [
        start + timedelta(days=n)
        for n in range((end - start).days)
        if (start + timedelta(days=n)).weekday() < 5
    ]


def _meeting_day(today: date) -> date:
    """Today, or on a weekend the last Friday."""
    return today - timedelta(days=max(0, today.weekday() - 4))


def _plan_county(
    plan: _Meetings, county: Area, accounts: Accounts, skip: set[tuple[int, date]]
) -> list[_Planned]:
    rng, today = plan.rng, plan.today
    planned = []
    townships = list(tree.in_order(county.children.filter(level=AreaLevel.TOWNSHIP)))
    for township in townships:
        by = accounts.township_centre.get(township.pk)
        if by is None:
            continue
        daily, weekly = (
            plan.chair(MeetingLevel.TOWNSHIP_DAILY),
            plan.chair(MeetingLevel.LEADERSHIP_WEEKLY),
        )
        for day in _working_days(today - timedelta(weeks=DAILY_WEEKS), today):
            if (township.pk, day) not in skip and rng.random() >= DAILY_SKIPPED:
                planned.append(plan.meeting(MeetingLevel.TOWNSHIP_DAILY, township, day, daily, by))
        monday = today - timedelta(days=today.weekday())
        for weeks in range(WEEKLY_WEEKS, 0, -1):
            day = monday - timedelta(weeks=weeks) + timedelta(days=rng.choice((0, 0, 0, 1)))
            planned.append(plan.meeting(MeetingLevel.LEADERSHIP_WEEKLY, township, day, weekly, by))
    chairs = plan.chair(MeetingLevel.COUNTY_MONTHLY)
    days = [_weekday(month.replace(day=8)) for month in months_back(today, MONTHS + 1)]
    for day in sorted(d for d in days if d < today)[-MONTHS:]:
        planned.append(
            plan.meeting(MeetingLevel.COUNTY_MONTHLY, county, day, chairs, accounts.county_centre)
        )
    return planned


def _open_cases(township: Area) -> list[Case]:
    return list(
        Case.objects.filter(township=township, status__in=OPEN_STATUSES)
        .select_related("grid", "category")
        .order_by("created_at", "pk")
    )


def _assignable(actor: User, cases: list[Case]) -> Case | None:
    """The latest case awaiting assignment, the township's own first."""
    waiting = [
        c
        for c in cases
        if c.status in (CaseStatus.REPORTED, CaseStatus.ACCEPTED)
        and can_act_on_case(actor, c, "assign")
    ]
    waiting.sort(key=lambda c: (c.level != CaseLevel.TOWNSHIP, -c.created_at.timestamp()))
    return waiting[0] if waiting else None


def _supervisable(actor: User, cases: list[Case], assign: Case | None) -> Case | None:
    """A village case for the township to supervise: one not yet supervised, with a
    civil-to-criminal risk and already in hand if there is one."""
    village = [
        c
        for c in cases
        if c != assign and c.level == CaseLevel.VILLAGE and can_act_on_case(actor, c, "supervise")
    ]
    village.sort(
        key=lambda c: (c.supervised, not c.criminal_risk, c.status == CaseStatus.REPORTED, c.pk)
    )
    return village[0] if village else None


def _report(rng: random.Random, township: Area, report: tuple) -> Case:
    """A case reported this morning by grid1 (or the first village's staff)."""
    category, title, description, criminal_risk = report
    reporter = User.objects.filter(username="grid1", is_active=True).select_related("area").first()
    if reporter is None or not tree.is_within(reporter.area, township):
        village = tree.in_order(township.children.all()).first()
        reporter = User.objects.filter(role=Role.VILLAGE_STAFF, area=village).order_by("pk")[0]
    grid = reporter.area
    if grid.level != AreaLevel.GRID:
        grid = tree.in_order(grid.children.filter(level=AreaLevel.GRID)).first()
    people = People(rng)
    first, second = people.name(), people.name()
    with outgoing_paused():
        return case_report(
            reporter=reporter,
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            kind=CaseKind.DISPUTE,
            category=Category.objects.get(county_id=township.parent_id, code=category),
            title=title,
            description=description.format(first=first, second=second),
            grid=grid,
            criminal_risk=criminal_risk,
            parties=[
                {"name": first, "role": "当事人", "phone": people.mobile()},
                {"name": second, "role": "当事人"},
            ],
        ).case


def _flags(case: Case) -> list[str]:
    """The risk a supervised case is most known for."""
    if case.criminal_risk:
        return [RiskFlag.CRIMINAL]
    return [flag for flag, _chance in RISKS.get(case.category.code, [])][:1]


def _todays_meeting(
    rng: random.Random, township: Area, accounts: Accounts, now: datetime, chair: str
) -> Meeting | None:
    """This week's daily meeting of the demo accounts' township, through the service: one
    case assigned, one supervised, a few kept in view."""
    actor = accounts.township_centre[township.pk]
    held = _meeting_day(timezone.localdate(now))
    cases = _open_cases(township)
    assign = _assignable(actor, cases)
    if assign is None:  # none waiting (a small demo): grid1 reported one this morning
        _report(rng, township, MORNING_REPORTS[0])
        cases = _open_cases(township)
        assign = _assignable(actor, cases)
    supervise = _supervisable(actor, cases, assign)
    if supervise is None:
        _report(rng, township, MORNING_REPORTS[1])
        cases = _open_cases(township)
        supervise = _supervisable(actor, cases, assign)
    others = [c for c in cases if c not in (assign, supervise)]
    others.sort(key=lambda c: (not (c.criminal_risk or c.supervised), -c.created_at.timestamp()))
    items = []
    if assign is not None:
        lines = (
            [AssignmentLine.POLICE, AssignmentLine.POLITICAL_LEGAL] if assign.criminal_risk else []
        )
        items.append(
            ItemInput(
                case=assign,
                judgement=Judgement.KEY_ATTENTION if assign.criminal_risk else Judgement.ATTENTION,
                risk_flags=[RiskFlag.CRIMINAL] if assign.criminal_risk else [],
                decision=Decision.ASSIGN,
                lines=lines,
                note="限三日内反馈办理情况。",
            )
        )
    if supervise is not None:
        items.append(
            ItemInput(
                case=supervise,
                judgement=Judgement.KEY_ATTENTION,
                risk_flags=_flags(supervise),
                decision=Decision.SUPERVISE,
                supervision_deadline=local(timezone.localdate(now) + timedelta(days=5), 18),
                note="包案领导牵头，五日内化解。",
            )
        )
    for case in others[: rng.randint(2, 4)]:
        serious = case.criminal_risk or case.supervised
        items.append(
            ItemInput(
                case=case,
                judgement=Judgement.KEY_ATTENTION if serious else Judgement.ATTENTION,
                risk_flags=[RiskFlag.CRIMINAL] if case.criminal_risk else [],
                note=rng.choice(WATCH_NOTES),
            )
        )
    summary = _summary(rng, [(item.judgement, item.decision) for item in items])
    with outgoing_paused():
        return meeting_record(
            actor=actor,
            data=MeetingInput(
                level=MeetingLevel.TOWNSHIP_DAILY,
                area=township,
                held_on=held,
                chair=chair,
                units=TOWNSHIP_UNITS,
                participants=PARTICIPANTS[MeetingLevel.TOWNSHIP_DAILY].format(court=""),
                summary=summary,
                items=items,
            ),
        )


def seed_meetings(*, root: Area, rng: random.Random, now: datetime) -> dict[str, int]:
    """A year of analysis meetings in every county under `root`, and this week's daily
    meeting of the demo accounts' township through the service."""
    counts: Counter = Counter()
    today = timezone.localdate(now)
    township1 = User.objects.filter(username="township1").select_related("area").first()
    for county in counties_under(root):
        accounts = county_accounts(county)
        if accounts is None:
            continue
        mine = (
            township1 is not None
            and tree.is_within(township1.area, county)
            and township1.area_id in accounts.township_centre
        )
        held = _meeting_day(today)
        skip = {(township1.area_id, held)} if mine else set()
        plan = _Meetings(county, rng, accounts, today)
        planned = _plan_county(plan, county, accounts, skip)
        insert_with_created_at(Meeting, [p.meeting for p in planned])
        items = []
        for p in planned:
            for item in p.items:
                item.meeting = p.meeting
                items.append(item)
        MeetingCase.objects.bulk_create(items, batch_size=2000)
        counts.update(
            meetings=len(planned),
            meeting_cases=len(items),
            meeting_decisions=sum(1 for i in items if i.decision != Decision.WATCH),
        )
        if mine:
            chair = "".join(plan.names.person()) + "（综治中心主任）"
            with translation.override(settings.LANGUAGE_CODE):
                meeting = _todays_meeting(rng, township1.area, accounts, now, chair)
            if meeting is not None:
                decided = meeting.items.exclude(decision=Decision.WATCH).count()
                counts.update(
                    meetings=1,
                    meeting_cases=meeting.items.count(),
                    meeting_decisions=decided,
                    meeting_decisions_today=decided,
                )
    return dict(counts)


# --- Inspections --------------------------------------------------------------------------


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def _inspection_days(rng: random.Random, today: date, township: bool) -> list[date]:
    start = today - timedelta(days=365)
    if township:
        days = []
        day = start + timedelta(days=rng.randint(0, TOWNSHIP_EVERY[1]))
        while day < today:
            days.append(day)
            day += timedelta(days=rng.randint(*TOWNSHIP_EVERY))
    else:
        days = sorted(
            start + timedelta(days=rng.randint(0, 364)) for _n in range(rng.choice((1, 1, 2)))
        )
    return [d for d in (_weekday(d) for d in days) if d < today]


def _failed_items(rng: random.Random, score: float) -> list[int]:
    """Which checklist items failed: one for each of 95, 88 and 80 the score falls short
    of, the items drawn by how often they fail."""
    wanted = sum(score < floor for floor in (95, 88, 80))
    positions = list(range(len(FAILURES)))
    weights = list(FAILURE_WEIGHTS)
    failed = []
    for _n in range(wanted):
        index = rng.choices(range(len(positions)), weights)[0]
        failed.append(positions.pop(index))
        weights.pop(index)
    return sorted(failed)


def seed_inspections(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    """A year of supervision inspections in every county under `root`."""
    counts: Counter = Counter()
    names = DemoNames(rng)
    with translation.override(settings.LANGUAGE_CODE):
        checklist = [str(text) for text in DEFAULT_CHECKLIST]
    for county in counties_under(root):
        accounts = county_accounts(county)
        committee = (
            User.objects.filter(role=Role.COUNTY_ADMIN, area=county, is_active=True)
            .order_by("pk")
            .first()
        )
        if accounts is None and committee is None:
            continue
        by = committee or accounts.county_centre
        township_centre = accounts.township_centre if accounts else {}
        inspectors = ["".join(names.person()) for _n in range(INSPECTORS)]
        areas = list(
            tree.in_order(
                Area.objects.filter(
                    tree.subtree_q(county), level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
                )
            ).only("pk", "name", "level", "parent_id")
        )
        villages = [a for a in areas if a.level == AreaLevel.VILLAGE]
        sample = set(rng.sample(villages, max(2, round(VILLAGES_INSPECTED * len(villages)))))
        planned: list[tuple[Inspection, list[int]]] = []
        for area in areas:
            if area.level == AreaLevel.VILLAGE and area not in sample:
                continue
            for day in _inspection_days(rng, today, area.level == AreaLevel.TOWNSHIP):
                score = round(rng.triangular(*SCORE), 1)
                failed = _failed_items(rng, score)
                verdict = next(text for floor, text in VERDICTS if score >= floor)
                summary = (
                    f"督导组对{area.name}综治中心规范化建设、网格化管理等工作进行督导检查，"
                    f"{verdict}。"
                )
                if failed:
                    summary += f"发现问题{len(failed)}个，已当场反馈并明确整改时限。"
                pair = rng.sample(inspectors, 2)
                planned.append(
                    (
                        Inspection(
                            area=area,
                            inspected_on=day,
                            inspectors=f"县委政法委 {pair[0]}、{pair[1]}",
                            score=Decimal(str(score)),
                            summary=summary,
                            created_by=by,
                            created_at=local(day, 17, rng.randint(0, 59)),
                        ),
                        failed,
                    )
                )
        insert_with_created_at(Inspection, [inspection for inspection, _f in planned])
        items, problems = [], []
        for inspection, failed in planned:
            for position, text in enumerate(checklist, start=1):
                fails = position - 1 in failed
                items.append(
                    InspectionItem(
                        inspection=inspection,
                        position=position,
                        text=text,
                        passed=not fails,
                        note=FAILURES[position - 1][0] if fails else "",
                    )
                )
            area = inspection.area
            township = area.pk if area.level == AreaLevel.TOWNSHIP else area.parent_id
            for index in failed:
                problems.append(
                    _problem(rng, inspection, index, township_centre.get(township), today)
                )
        InspectionItem.objects.bulk_create(items, batch_size=2000)
        InspectionProblem.objects.bulk_create(problems, batch_size=2000)
        counts.update(
            inspections=len(planned),
            inspection_problems=len(problems),
            inspection_problems_overdue=sum(
                1 for p in problems if p.status == ProblemStatus.OPEN and p.fix_by < today
            ),
        )
    return dict(counts)


def _problem(
    rng: random.Random, inspection: Inspection, index: int, fixer: User | None, today: date
) -> InspectionProblem:
    found, fix = FAILURES[index]
    day = inspection.inspected_on
    fix_by = day + timedelta(days=rng.randint(*FIX_WITHIN))
    problem = InspectionProblem(inspection=inspection, description=found, fix_by=fix_by)
    old = (today - day).days > 30
    if fixer is None or rng.random() >= (FIXED_SHARE if old else 0.3):
        return problem
    fixed_on = day + timedelta(days=rng.randint(5, (fix_by - day).days + 6))
    if fixed_on >= today:
        return problem
    problem.status = ProblemStatus.FIXED
    problem.fixed_on = fixed_on
    problem.fix_note = fix
    problem.fixed_by = fixer
    return problem
