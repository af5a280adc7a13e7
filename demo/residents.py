"""The demo's residents of concern 重点人员与特殊人群 and their year of visits 走访.

Per county, about one key person and four to five people of the care groups per village,
spread over the grids by households (children and the elderly alone mostly in rural
villages), each with a valid ID number of the county, a responsible grid worker (for a few
key persons the village police or security director) and a short situation. Their visits
follow the visit cycle of their category and risk from a cycle before the first ranked
month until yesterday; a few change the risk, a few leave management during the year.
Villages differ: in most every visit is on time or nearly, in a few ("lagging") visits
slip and most of the county's overdue visits lie there, so the overdue report and the
ranking's visit completion differ between villages.

Everything goes in with `bulk_create`, as the services would leave it: ID number, phone and
situations encrypted by the model fields, the ID number's lookup hash, the next visit one
cycle after the last visit (or the registration), a status change row for each person who
left management. The historical timestamps are set afterwards (`auto_now_add` overrides
them on insert).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from demo.people import People
from demo.roster import counties_under
from governance.platform.months import add_months
from governance.platform.personal_data import lookup_hash
from governance.platform.roles import Role
from governance.platform.validators import id_number_check_char
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from personnel.models import Post, PostKind, User
from personnel.selectors import posts_open_on
from residents.models import (
    KEY_PERSON_CATEGORIES,
    Resident,
    ResidentStatus,
    ResidentStatusChange,
    RiskLevel,
    Visit,
)
from residents.models import ResidentCategory as C
from residents.services.cycles import visit_cycles
from residents.services.residents import ID_NUMBER

KEY_PER_VILLAGE = 0.85  # ~300 key persons in a county of ~350 villages
CARE_PER_VILLAGE = 4.3  # ~1,500 in the care groups
# Category: (share of its group, weight per household in (rural, urban) villages, share of
# men, ages today, share with a mobile phone).
PROFILES: dict[str, tuple[float, tuple[float, float], float, tuple[int, int], float]] = {
    C.RELEASED_PRISONER: (0.30, (1.1, 0.9), 0.9, (22, 70), 0.9),
    C.COMMUNITY_CORRECTION: (0.20, (1.0, 1.0), 0.85, (19, 68), 0.95),
    C.DRUG_USER: (0.15, (0.8, 1.3), 0.8, (20, 58), 0.9),
    C.PETITION_PRONE: (0.15, (1.2, 0.8), 0.65, (35, 75), 0.9),
    C.MENTAL_DISORDER: (0.15, (1.1, 0.9), 0.55, (18, 72), 0.6),
    C.OTHER_KEY: (0.05, (1.0, 1.0), 0.8, (20, 65), 0.9),
    C.LEFT_BEHIND_CHILD: (0.35, (1.6, 0.25), 0.52, (4, 15), 0.0),
    C.ELDERLY_ALONE: (0.35, (1.4, 0.6), 0.45, (70, 92), 0.6),
    C.HARDSHIP: (0.20, (1.1, 0.9), 0.55, (25, 75), 0.85),
    C.DISABLED: (0.10, (1.1, 0.9), 0.58, (18, 75), 0.7),
}
# Risk at registration (low, medium, high): key persons and the care groups.
KEY_RISKS = (0.50, 0.35, 0.15)
CARE_RISKS = (0.62, 0.35, 0.03)
# Where a risk moves to on a visit that changes it, with weights.
RISK_MOVES = {
    RiskLevel.LOW: ((RiskLevel.MEDIUM,), (1,)),
    RiskLevel.MEDIUM: ((RiskLevel.LOW, RiskLevel.HIGH), (3, 1)),
    RiskLevel.HIGH: ((RiskLevel.MEDIUM, RiskLevel.LOW), (4, 1)),
}
RISK_CHANGES_PER_YEAR = 0.2
MET_SHARE = 0.92
NEEDS_SHARE = 0.08
LEFT_SHARE = 0.03  # moved away, died or closed during the year
REGISTERED_THIS_YEAR = 0.15
POLICE_RESPONSIBLE = 0.15  # of the key persons below: the village police or security director
POLICE_CATEGORIES = (
    C.COMMUNITY_CORRECTION,
    C.RELEASED_PRISONER,
    C.DRUG_USER,
    C.MENTAL_DISORDER,
)
# Villages: a few lag (late visits, most of the overdue), a quarter are exemplary.
LAGGING_VILLAGES, EXEMPLARY_VILLAGES = 0.08, 0.25
# The people of grid1's own grid (besides those the households draw there).
HOME_GRID_PEOPLE = (
    C.RELEASED_PRISONER,
    C.COMMUNITY_CORRECTION,
    C.PETITION_PRONE,
    C.ELDERLY_ALONE,
    C.LEFT_BEHIND_CHILD,
)
LATE_SHARE = {"lagging": 0.25, "usual": 0.06, "exemplary": 0.0}
# How late a late visit is, at most, as a share of the cycle.
USUAL_SLIP, LAGGING_SLIP = 0.2, 0.6
OVERDUE_SHARE = (0.055, 0.075)  # of the people under management, overdue today
OVERDUE_IN_LAGGING = 0.7
BATCH = 2000

OFFENCES = [
    "盗窃罪",
    "危险驾驶罪",
    "故意伤害罪",
    "诈骗罪",
    "交通肇事罪",
    "开设赌场罪",
    "寻衅滋事罪",
]
WORK = ["在本地务工", "在家务农", "在县城个体经营", "暂无固定工作", "在外地建筑工地务工"]
DRUGS = ["冰毒", "海洛因", "氯胺酮"]
TESTS = ["定期尿检均为阴性", "最近一次毛发检测阴性", "曾有一次尿检阳性，已加密检测频次"]
ISSUES = ["土地征收补偿", "宅基地界址", "工伤赔偿", "拖欠工资", "退役安置待遇", "医疗纠纷"]
DIAGNOSES = [
    "精神分裂症",
    "双相情感障碍",
    "偏执性精神病",
    "癫痫所致精神障碍",
    "精神发育迟滞伴发精神障碍",
]
MEDICATION = [
    "规律服用利培酮",
    "服用奥氮平，偶有漏服",
    "每月在乡镇卫生院领取免费基本药物",
    "已接受长效针剂治疗",
]
GUARDIANS = ["父亲", "母亲", "配偶", "兄长", "姐姐"]
DISABILITIES = ["肢体", "视力", "听力", "言语", "智力", "精神"]
GRADES = "一二三四"
SITUATIONS: dict[str, list[str]] = {
    C.COMMUNITY_CORRECTION: [
        "因{offence}被判处有期徒刑{n}年、缓刑{m}年，{year}年起在司法所接受社区矫正，{work}。",
        "因{offence}被判处拘役{k}个月、缓刑{m}年，矫正期间{work}，每月按时到司法所报到。",
        "因{offence}获假释，剩余刑期{m}年，接受社区矫正，{work}。",
    ],
    C.RELEASED_PRISONER: [
        "因{offence}服刑{n}年，{year}年刑满释放，{work}，家人支持其回归社会。",
        "{year}年刑满释放回村，纳入安置帮教，{work}。",
        "曾因{offence}两次入狱，{year}年刑满释放，{work}，与邻里偶有口角。",
    ],
    C.DRUG_USER: [
        "{year}年因吸食{drug}被强制隔离戒毒二年，现处社区康复期，{test}。",
        "{year}年因吸食{drug}被责令社区戒毒，{test}，{work}。",
        "有{drug}吸食史{n}年，社区康复中，{test}，{work}。",
    ],
    C.PETITION_PRONE: [
        "因{issue}问题多次到县信访局上访，乡镇已明确包案领导。",
        "因{issue}问题反复信访，诉求部分已解决，情绪有所缓和。",
        "因{issue}问题曾到市里越级上访，需重点关注敏感节点动向。",
    ],
    C.MENTAL_DISORDER: [
        "诊断为{diagnosis}，{medication}，监护人为其{guardian}，近一年病情稳定。",
        "诊断为{diagnosis}，{medication}，监护人为其{guardian}，已落实以奖代补监护。",
        "诊断为{diagnosis}，曾有肇事肇祸行为，{medication}，由{guardian}看护。",
    ],
    C.OTHER_KEY: [
        "有涉赌前科，近期与社会闲散人员交往较多。",
        "因家庭矛盾曾扬言报复，经调解后情绪平稳。",
        "长期酗酒，酒后易与人发生冲突。",
        "因债务纠纷情绪低落，有个人极端倾向，需关注。",
    ],
    C.LEFT_BEHIND_CHILD: [
        "父母均在{place}务工，{carer}，{school}。",
        "父亲在{place}务工，母亲离家多年，{carer}，{school}。",
    ],
    C.ELDERLY_ALONE: [
        "{age}岁，子女均在外地，独居，{health}。",
        "{age}岁，无子女，五保供养对象，{health}。",
        "{age}岁，老伴已去世，儿子在{place}务工，独居，{health}。",
    ],
    C.HARDSHIP: [
        "因病致贫，家中主要劳动力患尿毒症需长期透析，{support}。",
        "单亲家庭，独自抚养两个孩子，收入不稳定，{support}。",
        "房屋老旧，汛期受损，家庭收入低，{support}。",
        "家中主要劳动力车祸致残，收入骤减，{support}。",
    ],
    C.DISABLED: [
        "{disability}{grade}级残疾，持第二代残疾人证，与父母同住，生活基本自理。",
        "{disability}{grade}级残疾，享受困难残疾人生活补贴和重度残疾人护理补贴。",
        "{disability}{grade}级残疾，在社区康复站参加康复训练。",
    ],
}
PLACES = ["广东", "浙江", "福建", "长沙", "上海", "江苏"]
CARERS = ["随祖父母生活", "由外祖母照看", "随叔叔一家生活"]
HEALTH = ["患高血压，行动尚可", "患慢性支气管炎", "腿脚不便，需人照看", "身体尚好，能自理"]
SUPPORT = ["已纳入低保", "已享受临时救助", "已申请医疗救助", "已纳入防返贫监测"]
VISIT_NOTES: dict[str, list[str]] = {
    C.COMMUNITY_CORRECTION: [
        "本人在家，近期表现良好，按时到司法所报到，无违规行为。",
        "在本地务工，电话核实工作情况属实，思想稳定。",
        "与家人关系融洽，按要求参加公益活动和集中教育。",
        "提醒遵守外出请假规定，本人表示清楚。",
    ],
    C.RELEASED_PRISONER: [
        "本人在家务农，生活稳定，与邻里相处正常。",
        "已在县城找到工作，收入稳定，思想状况良好。",
        "家庭关系和睦，无异常情况。",
        "了解就业需求，告知县人社局技能培训报名方式。",
    ],
    C.DRUG_USER: [
        "本人在家，精神状态正常，近期尿检阴性。",
        "按要求到社区戒毒康复站报到，未发现复吸迹象。",
        "家属反映其作息规律，已在本地务工。",
        "本月尿检阴性，与家属交流，了解近期交往情况。",
    ],
    C.PETITION_PRONE: [
        "本人情绪平稳，表示相信村里和乡镇能解决问题。",
        "反映的问题已有书面答复，本人基本认可。",
        "近期无上访意向，已告知依法逐级反映诉求。",
        "对处理结果仍有异议，已做好解释疏导。",
    ],
    C.MENTAL_DISORDER: [
        "按时服药，病情稳定，监护人看护到位。",
        "近期睡眠不好，已提醒家属督促服药，联系乡镇卫生院精防医生随访。",
        "情绪平稳，能参加简单劳动，监护补贴已发放。",
        "家属反映偶有漏服药物，已再次讲解规律服药的重要性。",
    ],
    C.OTHER_KEY: [
        "本人在家，情绪稳定，无异常。",
        "近期在外务工，与家属沟通，未发现异常情况。",
        "经谈心谈话，本人表示会遵纪守法。",
    ],
    C.LEFT_BEHIND_CHILD: [
        "孩子在家，学习生活正常，与祖父母相处融洽。",
        "与其父母视频通话，了解孩子在校表现良好。",
        "开展防溺水安全教育，提醒监护人加强看护。",
        "孩子身体健康，学习用品齐全。",
    ],
    C.ELDERLY_ALONE: [
        "老人身体状况尚可，家中水电安全，生活能自理。",
        "老人患有高血压，已提醒按时服药，检查了家中用电安全。",
        "帮助老人打扫卫生，了解生活需求。",
        "天气转凉，提醒老人注意保暖，检查了取暖设施。",
    ],
    C.HARDSHIP: [
        "家庭生活基本稳定，低保金按时到账。",
        "了解家庭收入情况，主要劳动力已外出务工。",
        "家中有病人住院，已告知医疗救助申请流程。",
        "房屋维修已完成，生活状况改善。",
    ],
    C.DISABLED: [
        "生活基本自理，残疾人补贴已按时发放。",
        "康复训练坚持较好，身体状况稳定。",
        "家属照料到位，无特殊困难。",
        "辅具老旧，已登记更换需求。",
    ],
}
NOT_MET = [
    "本人外出务工，电话联系本人，了解近况正常。",
    "家中无人，向邻居了解情况，近期无异常，已约定下次走访时间。",
    "本人在县城医院住院，电话联系家属了解病情。",
    "本人外出走亲戚，与其家属交流了解情况。",
]
RISK_UP = "近期情绪波动较大，经研判提高风险等级，加密走访。"
RISK_DOWN = "近期表现稳定，经研判降低风险等级。"
KEY_NEEDS = [
    ("希望推荐就业岗位", "已推荐参加县人社局技能培训。"),
    ("申请低保", "已指导准备申请材料，报乡镇审核。"),
    ("诉求需乡镇答复", "已报乡镇综治中心，由包案领导答复。"),
    ("需调整药物", "已联系乡镇卫生院精防医生上门随访。"),
]
CARE_NEEDS = [
    ("申请临时救助", "已报乡镇民政办审核。"),
    ("需要办理残疾证换证", "已联系县残联，下月集中办理。"),
    ("房屋漏雨需维修", "已报村委会安排维修。"),
    ("希望孩子参加暑期托管", "已登记，推荐参加乡镇“希望家园”活动。"),
    ("需要帮助就医", "已联系乡镇卫生院上门随访。"),
]
# How people of each category leave management during the year: (status, reason).
ENDINGS: dict[str, list[tuple[str, str]]] = {
    C.COMMUNITY_CORRECTION: [(ResidentStatus.CLOSED, "社区矫正期满，依法解除矫正。")],
    C.RELEASED_PRISONER: [
        (ResidentStatus.CLOSED, "刑满释放满五年，经评估解除安置帮教。"),
        (ResidentStatus.MOVED, "全家迁往外省务工定居，已与迁入地交接。"),
    ],
    C.DRUG_USER: [(ResidentStatus.CLOSED, "戒断三年未复吸，经评估解除社区康复。")],
    C.PETITION_PRONE: [(ResidentStatus.CLOSED, "诉求已依法化解，本人签字息诉罢访。")],
    C.MENTAL_DISORDER: [
        (ResidentStatus.MOVED, "随监护人迁往县城居住，已与迁入社区交接。"),
        (ResidentStatus.DECEASED, "因病去世，家属已办理户籍注销。"),
    ],
    C.OTHER_KEY: [(ResidentStatus.CLOSED, "经研判已无现实危险，解除重点关注。")],
    C.LEFT_BEHIND_CHILD: [
        (ResidentStatus.CLOSED, "父母返乡就业，不再属于留守儿童。"),
        (ResidentStatus.MOVED, "随父母迁往务工地就读。"),
    ],
    C.ELDERLY_ALONE: [
        (ResidentStatus.DECEASED, "老人因病去世，已协助办理后事。"),
        (ResidentStatus.MOVED, "由子女接往外地共同生活。"),
    ],
    C.HARDSHIP: [(ResidentStatus.CLOSED, "家庭收入已稳定，经评估退出困难群众帮扶。")],
    C.DISABLED: [
        (ResidentStatus.MOVED, "入住县社会福利院集中供养。"),
        (ResidentStatus.DECEASED, "因病去世，家属已办理残疾证注销。"),
    ],
}


@dataclass
class _Village:
    area: Area
    township: int  # the township's place in the county, from 0
    late_share: float
    lagging: bool


@dataclass
class _Person:
    resident: Resident
    village: _Village
    registered: datetime
    recorder: int | None  # the responsible staff member's login, when not the grid worker's
    visits: list[Visit] = field(default_factory=list)
    closed: tuple[str, str] | None = None  # the status they left for, and why


class _County:
    """Plans one county's residents and visits in memory."""

    def __init__(self, county: Area, rng: random.Random, today: date, ids: set[str]) -> None:
        self.county, self.rng, self.today, self.ids = county, rng, today, ids
        self.people = People(rng)
        self.region = county.code[:6]
        self.cycles = visit_cycles(county=county)
        self.tz = timezone.get_default_timezone()
        self.first_month = add_months(today, -12)  # of the twelve ranked months
        areas = list(
            tree.in_order(
                Area.objects.filter(
                    tree.subtree_q(county),
                    level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID],
                )
            ).only("id", "code", "name", "level", "kind", "parent_id", "households")
        )
        townships = [a.pk for a in areas if a.level == AreaLevel.TOWNSHIP]
        self.villages = {
            a.pk: _Village(a, townships.index(a.parent_id), 0.0, False)
            for a in areas
            if a.level == AreaLevel.VILLAGE
        }
        self.grids = [a for a in areas if a.level == AreaLevel.GRID]
        # The demo account grid1's own grid: it gets a handful of people, one of them
        # overdue, so that My visits has something to show when one logs in as grid1.
        home = User.objects.filter(username="grid1").values_list("area_id", flat=True).first()
        self.home_grid = next((grid for grid in self.grids if grid.pk == home), None)
        self.first_lagging: _Village | None = None
        self.creators = self._creators(townships)
        self._staff()

    # --- who is where -----------------------------------------------------------------

    def _creators(self, townships: list[int]) -> dict[int, User | None]:
        """Who registers in each township: its centre (a demo account where there is one),
        else the county's centre or committee, else the city's."""
        users = User.objects.filter(
            is_active=True,
            role__in=[Role.TOWNSHIP_CENTRE, Role.COUNTY_CENTRE, Role.COUNTY_ADMIN],
        ).order_by("id")
        mine = list(users.filter(tree.subtree_q(self.county, "area__")))
        county_user = next((u for u in mine if u.role == Role.COUNTY_CENTRE), None) or next(
            (u for u in mine if u.role == Role.COUNTY_ADMIN), None
        )
        if county_user is None:
            county_user = users.filter(area__in=tree.ancestors(self.county)).first()
        by_township: dict[int, User] = {}
        for user in mine:
            if user.role == Role.TOWNSHIP_CENTRE and (
                user.area_id not in by_township or user.has_usable_password()
            ):
                by_township[user.area_id] = user
        return {pk: by_township.get(pk, county_user) for pk in townships}

    def _staff(self) -> None:
        """Today's grid worker of each grid and the village police and security directors
        with a login; every grid worker post of the year, for who recorded which visit."""
        posts = Post.objects.filter(tree.subtree_q(self.county, "area__")).filter(
            kind__in=[
                PostKind.GRID_WORKER,
                PostKind.POLICE_OFFICER,
                PostKind.AUXILIARY_POLICE,
                PostKind.SECURITY_DIRECTOR,
            ]
        )
        open_ids = set(posts.filter(posts_open_on(self.today)).values_list("pk", flat=True))
        self.grid_worker: dict[int, tuple[int, int | None]] = {}
        self.village_officers: dict[int, list[tuple[str, int, int]]] = {}
        self.grid_spans: dict[int, list[tuple[date, date | None, int]]] = {}
        rows = posts.values_list(
            "pk", "kind", "area_id", "staff_id", "staff__user_id", "staff__user__is_active"
        )
        for pk, kind, area_id, staff_id, user_id, active in rows.order_by("area_id", "start", "pk"):
            if kind == PostKind.GRID_WORKER:
                if pk in open_ids:
                    self.grid_worker[area_id] = (staff_id, user_id)
            elif pk in open_ids and user_id is not None and active:
                self.village_officers.setdefault(area_id, []).append((kind, staff_id, user_id))
        for area_id, start, end, user_id in (
            posts.filter(kind=PostKind.GRID_WORKER, staff__user__isnull=False)
            .values_list("area_id", "start", "end", "staff__user_id")
            .order_by("area_id", "start", "pk")
        ):
            self.grid_spans.setdefault(area_id, []).append((start, end, user_id))

    def recorder_on(self, person: _Person, day: date) -> int:
        """Who recorded a visit: the person's own officer; else the grid worker of that day;
        else today's responsible grid worker or whoever registered the person."""
        if person.recorder is not None:
            return person.recorder
        for start, end, user_id in self.grid_spans.get(person.resident.grid_id, ()):
            if start <= day and (end is None or end > day):
                return user_id
        worker = self.grid_worker.get(person.resident.grid_id)
        return worker[1] if worker and worker[1] else person.resident.created_by_id

    # --- the plan ---------------------------------------------------------------------

    def plan(self) -> list[_Person]:
        rng = self.rng
        noise = {grid.pk: rng.lognormvariate(0, 0.5) for grid in self.grids}
        size = len(self.villages)
        people: list[_Person] = []
        for group, per_village in (
            ([c for c in PROFILES if c in KEY_PERSON_CATEGORIES], KEY_PER_VILLAGE),
            ([c for c in PROFILES if c not in KEY_PERSON_CATEGORIES], CARE_PER_VILLAGE),
        ):
            for category in group:
                share, (rural, urban) = PROFILES[category][:2]
                weights = [
                    grid.households
                    * noise[grid.pk]
                    * (
                        urban
                        if self.villages[grid.parent_id].area.kind == AreaKind.URBAN
                        else rural
                    )
                    for grid in self.grids
                ]
                count = max(1, round(share * per_village * size))
                for grid in rng.choices(self.grids, weights=weights, k=count):
                    people.append(self.person(category, grid))
        if self.home_grid is not None:
            people += [self.person(category, self.home_grid) for category in HOME_GRID_PEOPLE]
        self._villages_differ({person.village.area.pk for person in people})
        self._leave(people)
        for person in people:
            self._visits(person)
        self._fall_behind(people)
        for person in people:
            self._settle(person)
        return people

    def _villages_differ(self, inhabited: set[int]) -> None:
        """A few lagging villages, the first of them in the first township (and with people
        to visit); a quarter exemplary."""
        rng = self.rng
        villages = list(self.villages.values())
        first = [v for v in villages if v.township == 0 and v.area.pk in inhabited]
        home = self.home_grid.parent_id if self.home_grid is not None else None
        first = [v for v in first if v.area.pk == home] or first
        self.first_lagging = rng.choice(first or villages)
        lagging = [self.first_lagging]
        rest = [v for v in villages if v not in lagging]
        lagging += rng.sample(rest, max(0, round(LAGGING_VILLAGES * len(villages)) - 1))
        rest = [v for v in rest if v not in lagging]
        wanted = max(1, round(EXEMPLARY_VILLAGES * len(villages)))
        exemplary = rng.sample(rest, min(len(rest), wanted))
        for village in villages:
            village.lagging = village in lagging
            village.late_share = LATE_SHARE[
                "lagging" if village.lagging else "exemplary" if village in exemplary else "usual"
            ]

    def person(self, category: str, grid: Area) -> _Person:
        rng = self.rng
        _share, _where, men, (youngest, oldest), phones = PROFILES[category]
        village = self.villages[grid.parent_id]
        male = rng.random() < men
        born = date.fromordinal(
            rng.randint(
                self.today.toordinal() - round(365.25 * (oldest + 1)) + 1,
                self.today.toordinal() - round(365.25 * youngest),
            )
        )
        key = category in KEY_PERSON_CATEGORIES
        risk = rng.choices(RiskLevel.values, weights=KEY_RISKS if key else CARE_RISKS)[0]
        ago = (
            rng.randint(2, 365)
            if rng.random() < REGISTERED_THIS_YEAR
            else rng.randint(366, 3 * 365)
        )
        # A child is registered from the age of three at the earliest.
        day = max(self.today - timedelta(days=ago), born.replace(year=born.year + 3, day=1))
        registered = self.at(day, rng.randint(8, 17))
        creator = self.creators[village.area.parent_id]
        staff_id, recorder = self.responsible(category, grid, village)
        id_number = self.id_number(born, male)
        resident = Resident(
            name=self.people.name(),
            id_number=id_number,
            id_number_hash=lookup_hash(ID_NUMBER, id_number),
            phone=self.people.mobile() if rng.random() < phones else "",
            address=self.address(village.area),
            grid=grid,
            category=category,
            risk=risk,
            responsible_id=staff_id,
            situation=self.situation(category, born, registered),
            created_by=creator,
            created_at=registered,
        )
        return _Person(resident, village, registered, recorder)

    def responsible(
        self, category: str, grid: Area, village: _Village
    ) -> tuple[int | None, int | None]:
        """(staff member, their login when they record the visits themselves)."""
        officers = self.village_officers.get(village.area.pk, [])
        worker = self.grid_worker.get(grid.pk)
        wants_officer = category in POLICE_CATEGORIES and self.rng.random() < POLICE_RESPONSIBLE
        if officers and (worker is None or wants_officer):
            director = [o for o in officers if o[0] == PostKind.SECURITY_DIRECTOR]
            police = [o for o in officers if o[0] != PostKind.SECURITY_DIRECTOR]
            pool = (director if category == C.MENTAL_DISORDER else police) or officers
            _kind, staff_id, user_id = self.rng.choice(pool)
            return staff_id, user_id
        return (worker[0], None) if worker else (None, None)

    def id_number(self, born: date, male: bool) -> str:
        while True:
            sequence = 2 * self.rng.randrange(500) + male
            first17 = f"{self.region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def address(self, village: Area) -> str:
        rng = self.rng
        if village.kind == AreaKind.URBAN:
            floor, room = rng.randint(1, 18), rng.randint(1, 4)
            return f"{village.name}{rng.randint(1, 40)}栋{rng.randint(1, 3)}单元{floor}0{room}室"
        return f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"

    def situation(self, category: str, born: date, registered: datetime) -> str:
        """What the register says of the person, written when they were registered."""
        rng = self.rng
        then = registered.date()
        age = then.year - born.year - ((then.month, then.day) < (born.month, born.day))
        if age <= 6:
            school = "在村幼儿园就读"
        elif age <= 12:
            school = f"在{rng.choice(['村小', '乡镇中心小学'])}读{age - 6}年级"
        else:
            school = f"在镇中学读初{'一二三'[min(age - 13, 2)]}"
        return rng.choice(SITUATIONS[category]).format(
            offence=rng.choice(OFFENCES),
            work=rng.choice(WORK),
            n=rng.randint(1, 8),
            m=rng.randint(1, 4),
            k=rng.randint(3, 6),
            year=registered.year - rng.randint(0, 2),
            drug=rng.choice(DRUGS),
            test=rng.choice(TESTS),
            issue=rng.choice(ISSUES),
            diagnosis=rng.choice(DIAGNOSES),
            medication=rng.choice(MEDICATION),
            guardian=rng.choice(GUARDIANS),
            place=rng.choice(PLACES),
            carer=rng.choice(CARERS),
            school=school,
            age=age,
            health=rng.choice(HEALTH),
            support=rng.choice(SUPPORT),
            disability=rng.choice(DISABILITIES),
            grade=rng.choice(GRADES),
        )

    def at(self, day: date, hour: int) -> datetime:
        moment = datetime.combine(day, time(hour, self.rng.randrange(60), self.rng.randrange(60)))
        return timezone.make_aware(moment, self.tz)

    # --- the year ---------------------------------------------------------------------

    def _leave(self, people: list[_Person]) -> None:
        """A few leave management during the year, at least a month after registering."""
        earliest = self.today - timedelta(days=350)
        pool = [p for p in people if p.registered.date() < self.today - timedelta(days=60)]
        for person in self.rng.sample(pool, min(len(pool), round(LEFT_SHARE * len(people)))):
            resident = person.resident
            start = max(earliest, person.registered.date() + timedelta(days=30))
            resident.closed_on = start + timedelta(
                days=self.rng.randint(0, (self.today - timedelta(days=3) - start).days)
            )
            person.closed = self.rng.choice(ENDINGS[resident.category])

    def _visits(self, person: _Person) -> None:
        """From a cycle before the first ranked month (or the registration) until yesterday
        (or leaving management): a visit about every cycle, a few days early, now and then
        late; the risk changes now and then, and with it the cycle."""
        rng, resident = self.rng, person.resident
        risk = resident.risk
        cycle = self.cycles[(resident.category, risk)]
        registered = person.registered.date()
        # As if the last visit before the history was made a cycle or so before it began.
        last = max(registered, self.first_month - timedelta(days=cycle + rng.randrange(cycle)))
        end = (resident.closed_on or self.today) - timedelta(days=1)
        key = resident.category in KEY_PERSON_CATEGORIES
        while True:
            due = last + timedelta(days=cycle)
            if rng.random() < person.village.late_share:
                slip = LAGGING_SLIP if person.village.lagging else USUAL_SLIP
                day = due + timedelta(days=rng.randint(1, max(2, round(cycle * slip))))
            else:
                day = due - timedelta(days=rng.randint(0, max(2, round(cycle * 0.15))))
            day = max(day, last + timedelta(days=1), registered)
            if day > end:
                if due > end or resident.closed_on:
                    break
                day = end  # overdue by now: made yesterday at the latest
            risk_after = risk
            if rng.random() < RISK_CHANGES_PER_YEAR * cycle / 365:
                moves, weights = RISK_MOVES[risk]
                risk_after = rng.choices(moves, weights=weights)[0]
                if not key and risk_after == RiskLevel.HIGH and rng.random() < 0.7:
                    risk_after = risk
            met = rng.random() < MET_SHARE
            situation = rng.choice(VISIT_NOTES[resident.category] if met else NOT_MET)
            if risk_after != risk:
                up = RiskLevel.values.index(risk_after) > RiskLevel.values.index(risk)
                situation += RISK_UP if up else RISK_DOWN
            needs, follow_up = ("", "")
            if met and rng.random() < NEEDS_SHARE:
                needs, follow_up = rng.choice(KEY_NEEDS if key else CARE_NEEDS)
            person.visits.append(
                Visit(
                    client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    visited_on=day,
                    met=met,
                    situation=situation,
                    risk_before=risk,
                    risk_after=risk_after,
                    needs=needs,
                    follow_up=follow_up,
                    due_on=due,
                    recorded_by_id=self.recorder_on(person, day),
                    created_at=self.at(day, rng.randint(8, 19)),
                )
            )
            last, risk = day, risk_after
            cycle = self.cycles[(resident.category, risk)]

    def _fall_behind(self, people: list[_Person]) -> None:
        """Overdue today: about one in fifteen under management, seven in ten of them in
        the lagging villages, whose last visits are dropped until the next is overdue; the
        first of them, in the first township, overdue since before last month's end."""
        rng = self.rng
        active = [p for p in people if p.closed is None and p.visits]
        wanted = max(1, round(rng.uniform(*OVERDUE_SHARE) * len(active)))
        there = [p for p in active if p.village is self.first_lagging]
        home = [p for p in there if self.home_grid and p.resident.grid_id == self.home_grid.pk]
        there = home or there
        first = rng.choice([p for p in there if len(p.visits) > 2] or there or [None])
        chosen = [first] if first else []
        lagging = [p for p in active if p.village.lagging and p is not first]
        usual = [p for p in active if not p.village.lagging and p.village.late_share]
        in_lagging = round(OVERDUE_IN_LAGGING * wanted) - len(chosen)
        chosen += rng.sample(lagging, max(0, min(len(lagging), in_lagging)))
        chosen += rng.sample(usual, max(0, min(len(usual), wanted - len(chosen))))
        month_end = self.today.replace(day=1) - timedelta(days=1)
        for person in chosen:
            cycle = self.cycle_of(person)
            late = rng.randint(2, max(7, min(45, cycle)))
            if person is first:
                late = max(late, (self.today - month_end).days + rng.randint(2, 10))
            limit = self.today - timedelta(days=late)
            # Keep at least one visit: the registration may lie years back.
            while len(person.visits) > 1 and self.due_after(person) >= limit:
                person.visits.pop()

    def cycle_of(self, person: _Person) -> int:
        risk = person.visits[-1].risk_after if person.visits else person.resident.risk
        return self.cycles[(person.resident.category, risk)]

    def due_after(self, person: _Person) -> date:
        start = person.visits[-1].visited_on if person.visits else person.registered.date()
        return start + timedelta(days=self.cycle_of(person))

    def _settle(self, person: _Person) -> None:
        resident = person.resident
        if person.visits:
            resident.risk = person.visits[-1].risk_after
            resident.last_visited_on = person.visits[-1].visited_on
        if person.closed:
            resident.status = person.closed[0]
        else:
            resident.next_visit_due = self.due_after(person)


def _insert(model, rows: list) -> None:
    """bulk_create, then put back the historical `created_at` that `auto_now_add` replaced
    on insert: one executemany of a plain UPDATE by primary key (bulk_update's CASE takes
    ten times as long)."""
    moments = [row.created_at for row in rows]
    model.objects.bulk_create(rows, batch_size=BATCH)
    column = model._meta.get_field("created_at")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {quote(column.column)} = %s "
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [
                (column.get_db_prep_save(moment, connection), row.pk)
                for row, moment in zip(rows, moments, strict=True)
            ],
        )
    for row, moment in zip(rows, moments, strict=True):
        row.created_at = moment


def seed_residents(*, root: Area, rng: random.Random, today: date) -> dict[str, int]:
    """The residents of concern of every county under `root` and their visits."""
    counts: Counter = Counter()
    ids: set[str] = set()
    for county in counties_under(root):
        plan = _County(county, rng, today, ids)
        if None in plan.creators.values():
            continue  # nobody to have registered them
        people = plan.plan()
        residents = [p.resident for p in people]
        _insert(Resident, residents)
        for person in people:
            for visit in person.visits:
                visit.resident = person.resident
        visits = [visit for person in people for visit in person.visits]
        _insert(Visit, visits)
        changes = [
            ResidentStatusChange(
                resident=p.resident,
                from_status=ResidentStatus.ACTIVE,
                to_status=p.closed[0],
                reason=p.closed[1],
                actor=p.resident.created_by,
                created_at=plan.at(p.resident.closed_on, rng.randint(9, 17)),
            )
            for p in people
            if p.closed
        ]
        _insert(ResidentStatusChange, changes)
        key = sum(1 for r in residents if r.category in KEY_PERSON_CATEGORIES)
        counts.update(
            key_persons=key,
            care_residents=len(residents) - key,
            residents_left=len(changes),
            visits=len(visits),
            visits_in_year=sum(1 for v in visits if v.visited_on > today - timedelta(days=366)),
            visits_overdue=sum(
                1 for r in residents if r.next_visit_due is not None and r.next_visit_due < today
            ),
        )
    return dict(counts)
