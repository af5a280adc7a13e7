"""What the demo cases are about: how often each category comes up (by season and by kind of
village), and Chinese titles, descriptions and notes to fill them with. Plain data and small
text helpers; nothing here touches the database."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo.people import People

# Flood season (汛期) in the south: May to August.
FLOOD = {5: 2.0, 6: 3.0, 7: 3.0, 8: 2.0, 9: 1.0}


@dataclass(frozen=True)
class Pattern:
    """How one category shows up: share, where, when, how hard, and how it reads."""

    weight: float  # relative share among all cases
    titles: tuple[str, ...]
    details: tuple[str, ...]
    roles: tuple[str, ...] = ("申请人", "被申请人")  # the parties, in order
    urban: float = 1.0  # multiplier in urban communities
    rural: float = 1.0
    season: dict[int, float] = field(default_factory=dict)  # month → multiplier, else 1
    escalation: float = 1.0  # how readily it goes up a level, relative to the rest
    police: float = 0.08  # share assigned on the police line too (双线交办)


PATTERNS: dict[str, Pattern] = {
    "neighbour": Pattern(
        22,
        (
            "{a}与{b}因排水沟堵塞引发邻里纠纷",
            "{a}与邻居{b}因建房遮挡采光发生争执",
            "{a}与{b}因通行道路被占发生纠纷",
            "{a}与{b}因鸡鸭啄食菜地发生口角",
            "{a}与{b}因屋檐滴水问题发生纠纷",
            "{a}与楼上住户{b}因装修噪音产生矛盾",
        ),
        (
            "{a}反映，{b}近日在两家交界处堆放杂物，影响通行，双方多次协商未果。",
            "双方积怨已久，近日再次发生口角并有推搡行为，情绪较为激动。",
            "经网格员初步了解，双方各有过错，需组织调解。",
        ),
        season={7: 1.15, 8: 1.15},
        police=0.12,
    ),
    "marriage_family": Pattern(
        16,
        (
            "{a}与{b}夫妻感情不和闹离婚",
            "{a}兄弟姐妹因赡养老人问题发生纠纷",
            "{a}与{b}因家庭财产分割发生矛盾",
            "{a}与儿媳{b}家庭矛盾激化",
            "{a}与{b}因子女抚养费问题发生纠纷",
        ),
        (
            "{a}称与{b}长期分居，近期因子女抚养问题多次争吵。",
            "家中老人现由{a}一人照顾，其他子女拒绝分担赡养费用。",
            "双方情绪激动，存在矛盾激化风险，需重点关注。",
        ),
        season={1: 1.2, 2: 1.6},  # migrant workers home for the Spring Festival
        police=0.06,
    ),
    "homestead": Pattern(
        10,
        (
            "{a}与{b}因宅基地界线发生纠纷",
            "{a}建房占用{b}宅基地引发争执",
            "{a}兄弟之间因老宅基地分配发生纠纷",
            "{a}与{b}因宅基地旁空坪使用权发生争议",
        ),
        (
            "{a}拆旧建新时地基向外扩出约{metres}米，{b}认为占用了自家宅基地。",
            "双方对宅基地使用证记载的四至理解不同，需现场测量核实。",
            "{b}已阻止施工两次，双方情绪对立。",
        ),
        urban=0.1,
        season={3: 1.9, 4: 1.8, 5: 1.2, 10: 1.2, 11: 1.2},  # building after ploughing
        escalation=1.3,
    ),
    "land_forest": Pattern(
        10,
        (
            "{a}与{b}因山林界址不清发生争议",
            "{a}与{b}因承包地边界发生纠纷",
            "{group}村民与{b}因集体林地承包发生争议",
            "{a}与{b}因灌溉用水发生纠纷",
        ),
        (
            "争议山林约{mu}亩，双方各持林权证，四至描述不一致。",
            "春耕在即，双方就田埂边界互不相让，已影响正常耕种。",
            "{a}反映{b}越界砍伐其承包山林内杉木约{count}株。",
        ),
        urban=0.1,
        season={3: 2.0, 4: 1.9, 5: 1.2, 10: 1.1},  # spring ploughing 春耕
        escalation=1.4,
    ),
    "labour_wages": Pattern(
        9,
        (
            "{a}等{count}名务工人员被拖欠工资",
            "{a}讨要工程款与包工头{b}发生纠纷",
            "{a}与{b}因工伤赔偿发生劳资纠纷",
            "{a}等人反映建筑工地拖欠农民工工资",
        ),
        (
            "涉及拖欠工资约{money}元，务工人员情绪急躁。",
            "{a}称在{b}承包的工地务工{months}个月，工资至今未结清。",
            "务工人员表示如不能及时解决将集体上访。",
        ),
        urban=1.4,
        season={12: 2.3, 1: 2.6, 2: 0.9},  # wages are settled before the Spring Festival
        escalation=1.6,
    ),
    "debt": Pattern(
        9,
        (
            "{a}与{b}民间借贷纠纷",
            "{a}追讨{b}借款未果发生纠纷",
            "{a}与{b}因合伙生意欠款发生纠纷",
        ),
        (
            "{b}前年向{a}借款{money}元，约定一年内归还，至今未还。",
            "双方有借条为证，但对利息计算存在分歧。",
            "{a}多次上门催讨，双方发生争吵。",
        ),
        season={12: 1.4, 1: 1.5},
        escalation=0.9,
    ),
    "traffic_accident": Pattern(
        5,
        (
            "{a}与{b}交通事故赔偿纠纷",
            "{a}驾驶摩托车与{b}发生碰撞引发赔偿纠纷",
            "村道交通事故引发{a}与{b}赔偿争议",
        ),
        (
            "事故造成{a}腿部受伤住院治疗，双方对赔偿金额分歧较大。",
            "交警部门已出具事故认定书，{b}负主要责任，但迟迟未赔偿。",
        ),
        season={1: 1.3, 2: 1.3, 10: 1.2},
        police=0.7,
    ),
    "property_management": Pattern(
        4,
        (
            "{a}等业主与物业公司因物业费发生纠纷",
            "小区业主{a}反映物业公司服务不到位",
            "{a}与物业公司因地下车库漏水发生纠纷",
        ),
        (
            "业主认为物业公司未履行合同约定的保洁、安保义务，拒交物业费。",
            "涉及业主约{count}户，业主群内情绪较大。",
        ),
        roles=("申请人",),
        urban=2.5,
        rural=0.05,
    ),
    "medical": Pattern(
        1.5,
        (
            "{a}家属与村卫生室医疗纠纷",
            "{a}对乡镇卫生院诊疗结果有异议",
            "{a}因输液后不适与诊所发生纠纷",
        ),
        (
            "{a}家属认为医生延误治疗，要求赔偿{money}元，情绪激动。",
            "患方聚集家属十余人，需防止事态扩大。",
        ),
        roles=("申请人",),
        escalation=2.2,
        police=0.3,
    ),
    "requisition": Pattern(
        1.5,
        (
            "{a}对征地补偿标准有异议",
            "{a}等村民反映拆迁安置款未到位",
            "{a}拒绝搬迁与项目指挥部发生冲突",
        ),
        (
            "涉及征收土地约{mu}亩，{a}认为补偿标准低于周边项目。",
            "{a}等{count}户村民多次到村委会反映，要求尽快发放安置款。",
        ),
        roles=("申请人",),
        urban=1.5,
        escalation=2.6,
        police=0.2,
    ),
    "dispute_other": Pattern(
        4,
        (
            "{a}与{b}因修建猪栏发生纠纷",
            "{a}与{b}因祖坟迁移发生纠纷",
            "{a}与{b}因牛羊损坏庄稼发生纠纷",
            "{a}与{b}因共用水井发生纠纷",
        ),
        ("双方各执一词，多次协商未果。", "{a}要求{b}赔偿损失{money}元。"),
    ),
    "fire": Pattern(
        2.5,
        (
            "{village}{a}家电线私拉乱接存在火灾隐患",
            "{village}{group}木结构房屋连片存在火灾隐患",
            "{village}小作坊违规存放易燃物品",
            "{village}居民楼道内电动车充电存在火灾隐患",
        ),
        (
            "网格员巡查发现，{a}家厨房电线老化裸露，且堆放大量柴草。",
            "已现场提醒，需督促责任人限期整改。",
        ),
        roles=("责任人",),
        season={12: 1.8, 1: 2.0, 2: 1.8, 3: 1.2},
    ),
    "road": Pattern(
        1.5,
        (
            "{village}村道急弯处缺少警示标志",
            "{village}路段护栏损毁存在安全隐患",
            "{village}小学门口缺少减速带",
        ),
        ("该路段近期已发生多起剐蹭事故。", "过往车辆车速较快，群众反映强烈。"),
        roles=(),
    ),
    "drowning": Pattern(
        1.2,
        (
            "{village}{group}山塘无防护栏和警示牌",
            "{village}河段有学生私自下河游泳",
            "{village}水库边警示标识缺失",
        ),
        ("暑期临近，周边儿童较多，存在溺水风险。", "已安排人员临时值守劝离。"),
        roles=(),
        urban=0.4,
        season={5: 1.5, 6: 3.0, 7: 4.0, 8: 3.5, 9: 1.2, 12: 0.2, 1: 0.2, 2: 0.2},
    ),
    "geological": Pattern(
        1.2,
        (
            "{village}{group}后山出现裂缝有滑坡隐患",
            "连续降雨致{village}公路边坡垮塌",
            "{village}{group}房屋后方存在崩塌隐患",
        ),
        ("裂缝长约{metres}米，周边住有{count}户群众。", "已设置警戒线，需组织专业人员评估。"),
        roles=(),
        urban=0.3,
        season=FLOOD,
        escalation=1.5,
    ),
    "building": Pattern(
        1.2,
        (
            "{village}{a}家危房仍有人居住",
            "{village}老旧房屋墙体开裂存在安全隐患",
            "{village}废弃校舍存在倒塌隐患",
        ),
        ("房屋墙体多处开裂，雨季有倒塌风险。", "已劝导住户临时搬离。"),
        roles=("责任人",),
        season=FLOOD,
    ),
    "hazard_other": Pattern(
        1.0,
        (
            "{village}变压器周边杂草丛生存在安全隐患",
            "{village}燃气管道老化存在泄漏隐患",
            "{village}有人违规存放烟花爆竹",
        ),
        ("网格员巡查时发现，已拍照留存。",),
        roles=(),
    ),
    "illegal_tip": Pattern(
        2.5,
        (
            "群众反映{village}有人聚众赌博",
            "{village}疑似有人从事电信诈骗活动",
            "群众举报{village}河段有人电鱼",
            "群众反映{village}有人非法放贷",
        ),
        ("反映人要求对其身份保密。", "据反映多在夜间活动，涉及人员约{count}人。"),
        roles=("被反映人",),
        escalation=1.3,
        police=1.0,
    ),
    "key_person": Pattern(
        2.5,
        (
            "社区矫正对象{a}未按时报到",
            "严重精神障碍患者{a}近期情绪异常",
            "刑满释放人员{a}返乡，需落实帮教",
            "{a}扬言到省进京上访",
            "吸毒人员{a}疑似复吸",
        ),
        ("家属反映其近期情绪不稳定，需加强管控。", "已落实专人联系，每日掌握动态。"),
        roles=("重点人员",),
        escalation=1.5,
        police=1.0,
    ),
}

WEEKEND = 0.65  # fewer reports on Saturdays and Sundays
SEVERITIES = (("ordinary", 80), ("attention", 15), ("key_attention", 5))
SEVERITY_ESCALATION = {"ordinary": 1.0, "attention": 2.3, "key_attention": 4.0}

CLOSINGS = (
    "网格员已第一时间到场了解情况。",
    "已做好前期稳控工作。",
    "请村综治中心研判处置。",
    "当事人要求尽快解决。",
)
RECORD_NOTES = {
    "visit": ("上门走访{a}，了解事情经过，做好情绪安抚。", "走访周边群众，核实相关情况。"),
    "mediation": ("组织双方在调解室调解，双方各自陈述诉求。", "邀请乡贤参与调解，做双方思想工作。"),
    "agreement": ("经调解，双方自愿达成调解协议并签字。",),
    "evidence": ("现场拍照取证，并制作询问笔录。",),
    "other": ("已下达整改通知书，督促责任人限期整改。", "联系相关部门现场会商。"),
}
HAZARD_RECORD_KINDS = ("visit", "evidence", "other")
DISPUTE_RECORD_KINDS = ("visit", "mediation", "mediation", "evidence")
RESOLVE_NOTES = {
    "dispute": ("双方达成调解协议，纠纷已化解。", "经耐心劝导，双方握手言和。"),
    "hazard": ("隐患已整改到位，经复查合格。",),
    "police": ("已出警处置，依法调查处理。", "已查明情况，依法处理完毕。"),
    "stabilised": ("当事人情绪已稳定，落实包保稳控措施。",),
}
CLOSE_NOTES = ("经回访，当事人无异议，同意办结。", "材料齐全，同意办结。")
REVIEWS = {
    5: "当事人非常满意",
    4: "当事人基本满意",
    3: "处理及时，结果一般",
    2: "当事人对结果不太满意",
    1: "当事人不满意，需持续关注",
}
SATISFACTION = ((5, 55), (4, 30), (3, 10), (2, 4), (1, 1))
RISK_REASON = "存在民转刑风险，提级处理。"
ESCALATE_REASONS = {
    "village": (
        "村级多次调解未果，提请乡镇调处。",
        "涉及金额较大，村级无力化解。",
        "涉及多个村民小组，需乡镇统筹协调。",
    ),
    "township": (
        "涉及多部门职能，提请县级协调。",
        "乡镇调处未果，当事人扬言越级上访。",
        "案情复杂，需县级专班处置。",
    ),
}
SUPERVISE_NOTES = ("请高度重视，限期化解并反馈结果。", "列入督办事项，防止矛盾激化。")
REOPEN_REASONS = ("当事人反映协议未履行，矛盾出现反弹。", "回访发现问题未彻底解决，重新办理。")
DUPLICATE_NOTE = "与已上报事件重复，合并办理。"


def case_text(
    rng: random.Random, people: People, pattern: Pattern, parties: list[dict], village: str
) -> tuple[str, str]:
    names = [party["name"] for party in parties] + [people.name(), people.name()]
    values = {
        "a": names[0],
        "b": names[1],
        "village": village,
        "group": f"{rng.randint(1, 12)}组",
        "count": rng.randint(3, 40),
        "metres": rng.randint(1, 30) / 2,
        "mu": rng.randint(2, 80),
        "months": rng.randint(2, 11),
        "money": people.money(3000, 380000),
    }
    title = rng.choice(pattern.titles).format(**values)
    details = rng.sample(pattern.details, k=min(2, len(pattern.details)))
    description = "".join(details).format(**values) + rng.choice(CLOSINGS)
    return title[:120], description
