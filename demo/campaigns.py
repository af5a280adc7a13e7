"""The demo's campaigns 专项行动 and urgent instructions 预警指令.

Per county, last summer's drowning-prevention home visits 防溺水家访: about one pupil per
twenty households (~12,000 in a county), each listed with the grid of their home, uploaded
and launched through the campaign services by the county centre, then completed as it
happened, in four hours: the grid worker on duty that day did each home (the village staff
where a grid had none), about 97 % done along an S-curve, the rest mostly in a few lagging
villages. In the demo accounts' township, a campaign launched this morning by its centre
(each grid worker and volunteer reports once, about 40 % so far, grid1 still to do) and a
draft with a few targets. Then four urgent instructions of the last months, sent through
the instruction service and read as they were: everyone with a login, most within the
hour, the rest by the next days; part of the others confirmed by phone by their township
centre, the others never.

The services stamp the wall clock; the historical times are written afterwards with
queryset updates (and one executemany of a plain UPDATE by primary key where each row has
its own time). Nothing goes out: the inbox rows stay, no SMS is queued.
"""

from __future__ import annotations

import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Replace
from django.utils import timezone, translation

from campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTask,
    Instruction,
    InstructionReceipt,
    TargetMode,
    TaskStatus,
)
from campaigns.services.campaigns import (
    CampaignInput,
    TargetRow,
    campaign_create,
    campaign_launch,
    campaign_targets_set,
)
from campaigns.services.instructions import InstructionInput, instruction_send
from demo.people import People
from demo.roster import counties_under
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from notifications.models import Notification, NotificationKind
from notifications.services import outgoing_paused
from personnel.models import MemberType, Post, PostKind, User
from personnel.selectors import posts_open_on

PUPILS_PER_HOUSEHOLD = 0.048  # ~12,000 pupils' homes in a county of ~250,000 households
CAMPAIGN_HOURS = 4
LAGGING_VILLAGES = 0.1  # of the summer campaign: where most of the homes left undone lie
LEFT_UNDONE = {"lagging": 0.15, "usual": 0.02}  # ~97 % done in all
RUNNING_DONE = 0.4
DRAFT_TARGETS = 24  # the draft's first upload: a few children in as many grids
GRADES = [
    ("一年级", 3),
    ("二年级", 3),
    ("三年级", 3),
    ("四年级", 3),
    ("五年级", 3),
    ("六年级", 3),
    ("初一", 2),
    ("初二", 2),
    ("初三", 1),
]
HOME_VISIT_RESULTS = [
    ("已入户宣讲防溺水“六不”常识，家长签订安全承诺书。", 10),
    ("已入户，发放《致家长的一封信》，提醒暑期监护责任。", 6),
    ("父母在外务工，已向祖父母当面讲解，并电话告知家长。", 4),
    ("学生及家长在家，已讲解防溺水知识，查看屋后水塘警示牌完好。", 3),
    ("家中无人，已电话联系家长完成告知，承诺书次日补签。", 2),
    ("已入户宣讲，发现村口河段缺少警示牌，已报村委会增设。", 1),
]
# The campaign running today and the draft beside it, by season: (months, running
# campaign's title, instructions, results; the draft's title).
SEASONS = [
    (
        range(4, 10),
        "汛期山塘水库安全巡查",
        "请各网格员、志愿者今明两天对网格内山塘、水库、河道和地质灾害隐患点开展一次巡查，"
        "查看坝体渗漏、溢洪道畅通、警示牌和救生设施，发现险情立即报告乡镇防汛办。"
        "每人完成后报送一次巡查情况。",
        [
            ("巡查山塘2处，坝体无渗漏，警示牌完好。", 6),
            ("巡查河道沿线，救生圈、救生绳齐全，无人员下河游泳。", 4),
            ("发现一处溢洪道有杂物堵塞，已通知村组清理。", 2),
            ("地质灾害隐患点无新增裂缝，已提醒住户汛期注意避险。", 3),
        ],
        "暑期留守儿童安全走访",
    ),
    (
        (10, 11, 12, 1, 2, 3),
        "冬春森林防火隐患排查",
        "请各网格员、志愿者今明两天对网格内林区周边、坟山和村庄边缘开展一次森林防火巡查，"
        "劝阻野外用火和烧田埂草，张贴防火通告，发现火情立即报告乡镇森林防火办。"
        "每人完成后报送一次排查情况。",
        [
            ("巡查林区周边2处，未发现野外用火，已张贴防火通告3份。", 6),
            ("劝阻一户村民烧田埂草，已现场熄灭并进行教育。", 2),
            ("入户宣传森林防火知识12户，发放宣传单。", 4),
            ("检查护林员值守点，扑火工具齐全。", 3),
        ],
        "寒假留守儿童安全走访",
    ),
]
VISIT_DETAILS = ["父母在外务工，随祖父母生活", "父亲在外务工，随母亲生活", "随外祖母生活"]

INSTRUCTIONS = [
    # (sent on: the last such day at least a month ago, or days ago; to: the county or its
    # first township; posts; member types; title; message; share of those with a login
    # who read it within hours (the others later); share of the others confirmed by phone)
    (
        (3, 31),
        "county",
        [PostKind.GRID_WORKER, PostKind.SECURITY_DIRECTOR, PostKind.MEMBER],
        [MemberType.VOLUNTEER, MemberType.INFORMATION_OFFICER],
        "清明节森林防火紧急通知",
        "清明祭扫进入高峰，全县森林火险等级高。请各网格员、治保主任、志愿者和信息员即日起"
        "在山口、坟山路口值守，劝导群众文明祭扫，严禁上山烧纸、燃放鞭炮，发现火情立即拨打"
        "12119并报告乡镇。",
        0.95,
        0.6,
    ),
    (
        (6, 17),
        "county",
        list(PostKind.values),
        [],
        "暴雨红色预警",
        "县气象台发布暴雨红色预警：今晚20时至明日20时我县大部有大暴雨，局部特大暴雨。请各驻村"
        "民警、辅警、治保主任、交管路长、网格员和N员立即上岗，巡查山塘水库、地质灾害隐患点和"
        "低洼易涝区域，提前转移危险区域群众，严禁涉水通行，发现险情立即报告乡镇防汛办。"
        "各单位24小时值班，保持通讯畅通。",
        0.97,
        0.7,
    ),
    (
        (9, 28),
        "county",
        [
            PostKind.POLICE_OFFICER,
            PostKind.AUXILIARY_POLICE,
            PostKind.SECURITY_DIRECTOR,
            PostKind.TRAFFIC_CHIEF,
            PostKind.GRID_WORKER,
        ],
        [],
        "国庆中秋假期安全防范提示",
        "国庆中秋假期将至，请各单位做好矛盾纠纷排查化解和重点人员稳控，加强道路交通、消防和"
        "防溺水安全巡查，走访独居老人、留守儿童，落实节日值班和信息报告制度，重大情况第一时间"
        "报告乡镇综治中心。",
        0.94,
        0.55,
    ),
    (
        9,
        "township",
        [PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE, PostKind.GRID_WORKER],
        [],
        "协查通报",
        "{day}晚，{village}发生一起入户盗窃案。嫌疑人男性，约30至35岁，身高约170厘米，偏瘦，"
        "平头，身穿黑色连帽外套、蓝色牛仔裤，骑一辆无牌白色电动车。如发现可疑人员，"
        "请勿打草惊蛇，立即报告辖区派出所。",
        0.88,
        0.5,
    ),
]
BATCH = 2000


@dataclass
class Accounts:
    """Who organises, confirms and stands in for the field in one county."""

    county_centre: User
    township_centre: dict[int, User]
    village_staff: dict[int, User]


def county_accounts(county: Area) -> Accounts | None:
    """The county centre (else the committee), each township's centre and each village's
    staff: the first account of each, so the demo accounts where they are posted."""
    users = User.objects.filter(
        tree.subtree_q(county, "area__"),
        is_active=True,
        role__in=[Role.COUNTY_CENTRE, Role.COUNTY_ADMIN, Role.TOWNSHIP_CENTRE, Role.VILLAGE_STAFF],
    ).order_by("pk")
    first: dict[tuple[str, int], User] = {}
    for user in users:
        first.setdefault((user.role, user.area_id), user)
    centre = first.get((Role.COUNTY_CENTRE, county.pk)) or first.get((Role.COUNTY_ADMIN, county.pk))
    if centre is None:
        return None
    return Accounts(
        county_centre=centre,
        township_centre={a: u for (role, a), u in first.items() if role == Role.TOWNSHIP_CENTRE},
        village_staff={a: u for (role, a), u in first.items() if role == Role.VILLAGE_STAFF},
    )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock(hour, minute)))


def last_such_day(month: int, day: int, before: date) -> date:
    """The latest `month`/`day` before `before`."""
    candidate = date(before.year, month, day)
    return candidate if candidate < before else date(before.year - 1, month, day)


def update_rows(model, columns: Sequence[str], rows: list[tuple]) -> None:
    """Each row its own values: one executemany of a plain UPDATE by primary key (rows are
    the values of `columns`, then the pk); bulk_update's CASE takes ten times as long."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in columns]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        *(
                            field.get_db_prep_save(value, connection)
                            for field, value in zip(fields, row[:-1], strict=True)
                        ),
                        row[-1],
                    )
                    for row in rows[start : start + BATCH]
                ],
            )


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([text for text, _w in choices], weights=[w for _t, w in choices])[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- Last summer's home visits ----------------------------------------------------------


def _summer_day(today: date) -> date:
    """The first Saturday of the last summer holidays that are over."""
    year = today.year if today >= date(today.year, 8, 1) else today.year - 1
    day = date(year, 7, 6)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _address(rng: random.Random, village: Area) -> str:
    if village.kind == AreaKind.URBAN:
        floor, room = rng.randint(1, 18), rng.randint(1, 4)
        return f"{village.name}{rng.randint(1, 40)}栋{rng.randint(1, 3)}单元{floor}0{room}室"
    return f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"


def _pupils(rng: random.Random, county: Area) -> list[TargetRow]:
    """About one pupil per twenty households, spread over the grids by households (largest
    remainders, so the total is exact), listed grid by grid as the county's merged list
    of the schools' rolls is."""
    villages = {
        a.pk: a
        for a in Area.objects.filter(tree.subtree_q(county), level=AreaLevel.VILLAGE).only(
            "pk", "name", "kind"
        )
    }
    grids = list(
        tree.in_order(
            Area.objects.filter(tree.subtree_q(county), level=AreaLevel.GRID)
        ).values_list("code", "parent_id", "households")
    )
    households = sum(h for _c, _p, h in grids)
    wanted = round(households * PUPILS_PER_HOUSEHOLD)
    shares = [h * wanted / max(households, 1) for _c, _p, h in grids]
    counts = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(grids)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: wanted - sum(counts)]:
        counts[i] += 1
    people = People(rng)
    grades = [g for g, _w in GRADES]
    weights = [w for _g, w in GRADES]
    rows = []
    for (code, village_id, _h), count in zip(grids, counts, strict=True):
        for _n in range(count):
            grade = rng.choices(grades, weights=weights)[0]
            detail = f"{grade} · {_address(rng, villages[village_id])}"
            rows.append(TargetRow(line=len(rows) + 2, name=people.name(), grid=code, detail=detail))
    return rows


def _move_notices(after: int, *, at: datetime, old: str, new: str, read: bool) -> None:
    """The inbox rows a launch wrote (ids after `after`), back to the launch's time."""
    notices = Notification.objects.filter(pk__gt=after, kind=NotificationKind.CAMPAIGN_TASK)
    changes: dict = {"created_at": at}
    if old != new:
        changes["text"] = Replace("text", Value(old), Value(new))
    if read:
        changes["read_at"] = at + timedelta(minutes=9)
    notices.update(**changes)


def _last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _deadline_text(moment: datetime) -> str:
    # As the launch's message writes it (campaigns.services.campaigns._tell_assignees).
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _summer_campaign(
    rng: random.Random, county: Area, accounts: Accounts, today: date, seconds: dict[str, float]
) -> Counter:
    actor = accounts.county_centre
    day = _summer_day(today)
    start = local(day, 8, 30)
    end = start + timedelta(hours=CAMPAIGN_HOURS)
    real_now = timezone.now()
    year = day.year
    campaign = campaign_create(
        actor=actor,
        data=CampaignInput(
            title=f"{year}年暑期防溺水“万师访万家”家访",
            instructions=(
                "暑假第一天，全县网格员对照教育部门提供的中小学生名单逐户上门家访，"
                "宣讲防溺水“六不”常识，提醒家长落实暑期监护责任，签订安全承诺书；"
                "家中无人的电话告知家长并补签。当天12:30前在手机上逐户反馈。"
            ),
            area=county,
            target_mode=TargetMode.ITEMS,
            starts_at=real_now,
            deadline=real_now + timedelta(hours=CAMPAIGN_HOURS),
            post_kinds=[],
            member_types=[],
        ),
    )
    rows = _pupils(rng, county)
    campaign_targets_set(campaign=campaign, actor=actor, rows=rows)
    launched_deadline = campaign.deadline
    last = _last_notification()
    started = time.monotonic()
    launch = campaign_launch(campaign=campaign, actor=actor)
    seconds["campaign_launch"] = max(
        seconds.get("campaign_launch", 0.0), time.monotonic() - started
    )
    _move_notices(
        last, at=start, old=_deadline_text(launched_deadline), new=_deadline_text(end), read=True
    )
    # The launch gave each target to today's grid worker; that summer's was on duty then.
    on_duty = (
        Post.objects.filter(posts_open_on(day), area=OuterRef("area"), kind=PostKind.GRID_WORKER)
        .order_by("-start", "-pk")
        .values("staff_id")[:1]
    )
    campaign.tasks.update(staff_id=Subquery(on_duty), created_at=start)
    tasks = list(
        campaign.tasks.order_by("target__row").values_list("pk", "staff__user_id", "village_id")
    )
    villages = sorted({village for _pk, _user, village in tasks})
    lagging = set(rng.sample(villages, max(1, round(LAGGING_VILLAGES * len(villages)))))
    done = []
    for pk, user_id, village_id in tasks:
        undone = LEFT_UNDONE["lagging" if village_id in lagging else "usual"]
        if rng.random() < undone:
            continue
        by = user_id or getattr(accounts.village_staff.get(village_id), "pk", None)
        if by is None:
            continue  # nobody to have done it: left to do
        # An S-curve: slow in the first hour, most homes in the middle two, a tail.
        minutes = 5 + rng.betavariate(2.0, 2.4) * (CAMPAIGN_HOURS * 60 - 8)
        at = start + timedelta(minutes=minutes)
        result = _weighted(rng, HOME_VISIT_RESULTS)
        done.append((TaskStatus.DONE, result, at, by, _uuid(rng), pk))
    update_rows(CampaignTask, ["status", "result", "done_at", "done_by", "client_uuid"], done)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.FINISHED,
        created_at=start - timedelta(days=3, hours=-7),
        starts_at=start,
        launched_at=start,
        deadline=end,
        # The automatic reminder, a quarter of the four hours before the end.
        deadline_reminded_at=end - timedelta(hours=1),
        finished_at=end,
        updated_at=end,
    )
    return Counter(
        campaigns=1,
        campaign_targets=len(rows),
        summer_campaign_targets=len(rows),
        summer_campaign_done=len(done),
        summer_campaign_unassigned=campaign.tasks.filter(staff__isnull=True).count(),
        campaign_tasks=launch.tasks,
    )


# --- Today's campaign and a draft, in the demo accounts' township ----------------------------


def _season(today: date) -> tuple:
    return next(season for season in SEASONS if today.month in season[0])


def _running_campaign(
    rng: random.Random, township: Area, accounts: Accounts, now: datetime
) -> Counter:
    actor = accounts.township_centre[township.pk]
    today = timezone.localdate(now)
    _months, title, instructions, results, _draft = _season(today)
    morning = local(today, 8, 30)
    if now - morning < timedelta(hours=1):  # seeded before the working day: yesterday's
        morning = now - timedelta(hours=3)
    deadline = local(timezone.localdate(morning) + timedelta(days=1), 18)
    campaign = campaign_create(
        actor=actor,
        data=CampaignInput(
            title=title,
            instructions=instructions,
            area=township,
            target_mode=TargetMode.EACH_PARTICIPANT,
            starts_at=morning,
            deadline=deadline,
            post_kinds=[PostKind.GRID_WORKER, PostKind.MEMBER],
            member_types=[MemberType.VOLUNTEER],
        ),
    )
    last = _last_notification()
    launch = campaign_launch(campaign=campaign, actor=actor)
    _move_notices(last, at=morning, old="", new="", read=False)
    campaign.tasks.update(created_at=morning)
    Campaign.objects.filter(pk=campaign.pk).update(
        launched_at=morning, created_at=morning - timedelta(minutes=25), updated_at=morning
    )
    grid1 = User.objects.filter(username="grid1").values_list("pk", flat=True).first()
    tasks = list(
        campaign.tasks.order_by("staff_id").values_list("pk", "staff__user_id", "village_id")
    )
    done = []
    span = max((now - morning).total_seconds() - 600, 60)
    for pk, user_id, village_id in tasks:
        if user_id == grid1 or rng.random() >= RUNNING_DONE:
            continue  # grid1 has it still to do: My tasks shows it
        by = user_id or getattr(accounts.village_staff.get(village_id), "pk", None)
        if by is None:
            continue
        at = morning + timedelta(seconds=300 + rng.betavariate(1.3, 2.0) * span)
        done.append((TaskStatus.DONE, _weighted(rng, results), at, by, _uuid(rng), pk))
    update_rows(CampaignTask, ["status", "result", "done_at", "done_by", "client_uuid"], done)
    return Counter(
        campaigns=1,
        campaign_tasks=launch.tasks,
        running_campaign_tasks=launch.tasks,
        running_campaign_done=len(done),
    )


def _draft_campaign(rng: random.Random, township: Area, accounts: Accounts, today: date) -> Counter:
    actor = accounts.township_centre[township.pk]
    title = _season(today)[4]
    monday = today + timedelta(days=7 - today.weekday())
    campaign = campaign_create(
        actor=actor,
        data=CampaignInput(
            title=title,
            instructions=(
                "对照民政部门留守儿童名册逐户走访，了解监护落实、就学和心理状况，"
                "宣讲假期安全知识；发现监护缺失的当场报告村委会。"
            ),
            area=township,
            target_mode=TargetMode.ITEMS,
            starts_at=local(monday, 8),
            deadline=local(monday + timedelta(days=4), 18),
            post_kinds=[],
            member_types=[],
            needs_photo=True,
        ),
    )
    grids = list(
        tree.in_order(Area.objects.filter(tree.subtree_q(township), level=AreaLevel.GRID))
        .select_related("parent")
        .only("code", "parent__name", "parent__kind")
    )
    people = People(rng)
    picked = sorted(rng.sample(range(len(grids)), min(len(grids), DRAFT_TARGETS)))
    rows = [
        TargetRow(
            line=n + 2,
            name=people.name(),
            grid=grid.code,
            detail=f"{rng.choice(VISIT_DETAILS)} · {_address(rng, grid.parent)}",
        )
        for n, grid in enumerate(grids[i] for i in picked)
    ]
    if rows:
        campaign_targets_set(campaign=campaign, actor=actor, rows=rows)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=F("created_at") - timedelta(hours=2))
    return Counter(campaigns=1, campaign_targets=len(rows))


# --- Urgent instructions ------------------------------------------------------------------


def _instruction(
    rng: random.Random,
    spec: tuple,
    county: Area,
    accounts: Accounts,
    now: datetime,
    townships: dict[int, int],
) -> Counter:
    when, to, kinds, member_types, title, body, read_share, confirm_share = spec
    today = timezone.localdate(now)
    first_township = tree.in_order(county.children.all()).first()
    if isinstance(when, int):
        day = today - timedelta(days=when)
    else:
        day = last_such_day(*when, before=today - timedelta(days=30))
    sent = local(day, rng.randint(9, 17), rng.randrange(60))
    if to == "township":
        area = first_township
        actor = accounts.township_centre.get(area.pk)
        village = tree.in_order(area.children.all()).first()
        crime = day - timedelta(days=1)
        body = body.format(day=f"{crime.month}月{crime.day}日", village=village.name)
    else:
        area, actor = county, accounts.county_centre
    if actor is None:
        return Counter()
    with outgoing_paused():
        instruction = instruction_send(
            actor=actor,
            data=InstructionInput(
                title=title, body=body, area=area, post_kinds=kinds, member_types=member_types
            ),
        )
    Instruction.objects.filter(pk=instruction.pk).update(created_at=sent)
    # In the roster's order (the receipts' own ids follow the database's plan).
    receipts = instruction.receipts.order_by("staff_id").values_list("pk", "user_id", "area_id")
    rows = []
    for pk, user_id, area_id in receipts:
        if user_id is not None:
            # Most within the half hour, a few hours later; the rest the next day or two.
            if rng.random() < read_share:
                minutes = 2 + min(rng.lognormvariate(math.log(18), 1.0), 12 * 60)
            else:
                minutes = rng.randint(16 * 60, 60 * 60)
            rows.append((min(sent + timedelta(minutes=minutes), now), None, pk))
            continue
        confirmer = accounts.township_centre.get(townships.get(area_id, area_id))
        if confirmer is not None and rng.random() < confirm_share:
            rows.append((sent + timedelta(minutes=rng.randint(40, 6 * 60)), confirmer.pk, pk))
    rows = [row for row in rows if row[0] <= now]
    update_rows(InstructionReceipt, ["read_at", "confirmed_by"], rows)
    read_at = InstructionReceipt.objects.filter(
        instruction=instruction, user=OuterRef("recipient")
    ).values("read_at")[:1]
    Notification.objects.filter(instruction=instruction).update(
        created_at=sent, read_at=Subquery(read_at)
    )
    return Counter(
        instructions=1,
        instruction_receipts=instruction.recipient_count,
        instruction_receipts_read=len(rows),
    )


# --- All of it ------------------------------------------------------------------------------


def seed_campaigns(
    *, root: Area, rng: random.Random, now: datetime, seconds: dict[str, float]
) -> dict[str, int]:
    """The campaigns and urgent instructions of every county under `root`; the launch of
    the largest campaign's fan-out is timed in `seconds["campaign_launch"]`."""
    counts: Counter = Counter()
    today = timezone.localdate(now)
    township1 = User.objects.filter(username="township1").select_related("area").first()
    with translation.override(settings.LANGUAGE_CODE), outgoing_paused():
        for county in counties_under(root):
            accounts = county_accounts(county)
            if accounts is None:
                continue
            counts += _summer_campaign(rng, county, accounts, today, seconds)
            mine = township1 is not None and tree.is_within(township1.area, county)
            if mine and township1.area_id in accounts.township_centre:
                counts += _running_campaign(rng, township1.area, accounts, now)
                counts += _draft_campaign(rng, township1.area, accounts, today)
            townships = dict(
                Area.objects.filter(tree.subtree_q(county), level=AreaLevel.VILLAGE).values_list(
                    "pk", "parent_id"
                )
            )
            for spec in INSTRUCTIONS:
                counts += _instruction(rng, spec, county, accounts, now, townships)
    return dict(counts)
