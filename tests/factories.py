"""Factories for the core models (factory-boy), built through the services as the app
builds them, and the tiny demo county every test stands on."""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
import factory.django
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessment.models import (
    IncidentKind,
)
from assessment.services.incidents import incident_record
from cameras.models import Camera, MaintenanceTask
from campaigns.models import Campaign, CampaignTask, TargetMode
from campaigns.services.campaigns import (
    CampaignInput,
    TargetRow,
    TaskInput,
    campaign_create,
    campaign_launch,
    campaign_targets_set,
    task_complete,
)
from campaigns.services.instructions import (
    InstructionInput,
    instruction_send,
)
from demo.seed import DEMO_PASSWORD, demo_tree, demo_users
from disputes import services
from disputes.models import (
    Case,
    CaseKind,
    Category,
)
from disputes.services import case_report, categories_ensure_defaults
from governance.platform.validators import (
    id_number_check_char,
)
from grids import tree
from grids.models import Area, AreaLevel
from grids.services import area_create
from personnel.models import Gender, Post, PostKind, Staff, Training, User
from personnel.services.staff import StaffInput, post_add, staff_create, staff_grant_login
from personnel.services.training import (
    training_create,
)
from residents.models import Resident, ResidentCategory, RiskLevel
from residents.services.residents import (
    ResidentInput,
    resident_register,
)
from supervision.services.inspections import (
    InspectionInput,
    ProblemInput,
    inspection_record,
)
from supervision.services.inspections import ItemInput as InspectionItem
from supervision.services.meetings import ItemInput as MeetingItem
from supervision.services.meetings import MeetingInput, meeting_record
from tests.samples import ID_A, JPEG, SMS_PHONE, VALID_ID, id_number

_serial = itertools.count(1)
TODAY = timezone.localdate()
LONG_AGO = date(2020, 1, 1)


def next_id_number() -> str:
    first17 = f"43122419800101{next(_serial):03d}"
    return first17 + id_number_check_char(first17)


@dataclass
class Demo:
    county: Area
    township1: Area
    township2: Area
    village1: Area  # first village of township 1
    grid1: Area  # first grid of village 1
    village2: Area  # first village of township 2
    grid2: Area
    microgrid2: Area
    users: dict[str, User]

    def user(self, username: str) -> User:
        return self.users[username]


def build_demo(seed: int = 7) -> Demo:
    areas = demo_tree(scale="tiny", seed=seed)
    tree.bulk_insert(areas)
    categories_ensure_defaults(county=areas[0])
    users = {u.username: u for u in demo_users(root=areas[0], rng=random.Random(seed))}
    county = areas[0]
    township1, township2 = tree.in_order(county.children.all())[:2]

    def first(parent: Area) -> Area:
        return tree.in_order(parent.children.all()).first()

    village2 = first(township2)
    grid2 = first(village2)
    return Demo(
        county=county,
        township1=township1,
        township2=township2,
        village1=first(township1),
        grid1=first(first(township1)),
        village2=village2,
        grid2=grid2,
        microgrid2=first(grid2),
        users={name: User.objects.get(pk=u.pk) for name, u in users.items()},
    )


class CaseFactory(factory.Factory):
    """A case reported through disputes.services.case_report, as the report page and the
    API file it: a homestead dispute in grid 1 of the demo, by its grid worker. Returns the
    service's result (`.case` is the case, `.created` says whether it was new)."""

    class Meta:
        model = Case

    class Params:
        demo = None

    reporter = factory.LazyAttribute(lambda o: o.demo.user("grid1"))
    client_uuid = factory.LazyFunction(uuid.uuid4)
    kind = "dispute"
    category = factory.LazyFunction(lambda: Category.objects.get(code="homestead"))
    title = "宅基地边界争议"
    description = "两户因宅基地边界发生争执。"
    grid = factory.LazyAttribute(lambda o: o.demo.grid1)
    parties = factory.LazyFunction(
        lambda: [{"name": "王某", "phone": "13800138000", "id_number": VALID_ID, "role": "申请人"}]
    )

    @classmethod
    def _create(cls, model_class, *args, **fields):
        return case_report(**fields)


def report(demo, **overrides):
    return CaseFactory(demo=demo, **overrides)


class ResidentFactory(factory.Factory):
    """A resident of concern registered through residents.services.resident_register: a
    released prisoner of high risk in grid 1, registered by township 1's centre."""

    class Meta:
        model = ResidentInput

    class Params:
        demo = None

    actor = factory.LazyAttribute(lambda o: o.demo.user("township1"))
    name = "李某"
    id_number = ID_A
    grid = factory.LazyAttribute(lambda o: o.demo.grid1)
    category = ResidentCategory.RELEASED_PRISONER
    risk = RiskLevel.HIGH
    phone = "13800138000"
    situation = "2024年刑满释放，就业困难。"

    @classmethod
    def _create(cls, model_class, *args, actor, **fields) -> Resident:
        return resident_register(data=model_class(**fields), actor=actor)


def register(demo, *, grid=None, id_number=ID_A, category=ResidentCategory.RELEASED_PRISONER,
             actor="township1", name="李某", **extra) -> Resident:  # fmt: skip
    return ResidentFactory(
        demo=demo,
        grid=grid or demo.grid1,
        id_number=id_number,
        category=category,
        actor=demo.user(actor),
        name=name,
        **extra,
    )


class StaffFactory(factory.Factory):
    """A person on the roster through personnel.services.staff_create (no post)."""

    class Meta:
        model = StaffInput

    actor = None  # who adds them: a centre or the county
    name = factory.LazyFunction(lambda: f"测试{next(_serial)}")
    phone = "13800138000"
    id_number = factory.LazyFunction(lambda: next_id_number())
    gender = Gender.MALE
    area = None  # the area that manages them

    @classmethod
    def _create(cls, model_class, *args, actor, **fields) -> Staff:
        return staff_create(data=model_class(**fields), actor=actor)


class PostFactory(factory.Factory):
    """A post held by a person of the roster, through personnel.services.post_add."""

    class Meta:
        model = Post

    staff = None
    kind = PostKind.GRID_WORKER
    area = None
    start = LONG_AGO
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **fields) -> Post:
        return post_add(**fields)


def roster_person(demo, *, name, area, serial, phone="13812345678", post=None, actor="township1"):
    """A person on the roster through the real services; `post` is (kind, area)."""
    user = demo.user(actor)
    staff = StaffFactory(
        name=name, phone=phone, id_number=id_number(serial), gender="male", area=area, actor=user
    )
    if post is not None:
        kind, where = post
        PostFactory(staff=staff, kind=kind, area=where, start=date(2025, 1, 1), actor=user)
    return staff


DAY = timedelta(days=1)


def resolve(demo, case, *, late: bool = False, centre=None) -> Case:
    centre = centre or demo.user("township1")
    case = services.case_accept(case=case, actor=centre)
    case = services.case_assign(
        case=case,
        actor=centre,
        lines=[{"line": "police", "unit": "派出所", "handler": centre}],
    )
    case = services.case_resolve(case=case, line="police", actor=centre, outcome="resolved")
    if late:  # resolved after the deadline of its level
        Case.objects.filter(pk=case.pk).update(deadline=case.resolved_at - timedelta(hours=1))
    return case


def backdate(case: Case, moment: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(created_at=moment)


def criminal_case(demo, area):
    return incident_record(
        area=area,
        kind=IncidentKind.CRIMINAL_CASE,
        occurred_at=timezone.now() - timedelta(minutes=5),
        description="一起盗窃刑事案件",
        actor=demo.user("county"),
    )


def this_month():
    return timezone.localdate().replace(day=1)


def staff_with_post(
    demo,
    area: Area,
    *,
    kind: str = PostKind.GRID_WORKER,
    post_area: Area | None = None,
    login: str = "",
    start: date = LONG_AGO,
) -> Staff:
    """A staff member managed by `area` holding one post, through the roster's services."""
    county = demo.user("county")
    staff = StaffFactory(
        name=f"测试{next(_serial)}", id_number=next_id_number(), area=area, actor=county
    )
    PostFactory(staff=staff, kind=kind, area=post_area or area, start=start, actor=county)
    if login:
        staff_grant_login(staff=staff, username=login, password=DEMO_PASSWORD, actor=county)
    return Staff.objects.select_related("user").get(pk=staff.pk)


def grids_of(area: Area) -> list[Area]:
    return list(tree.in_order(Area.objects.filter(tree.subtree_q(area), level=AreaLevel.GRID)))


def rows_for(grids: list[Area], per_grid: int) -> list[TargetRow]:
    rows = []
    for grid in grids:
        for _n in range(per_grid):
            rows.append(TargetRow(line=len(rows) + 2, name=f"学生{len(rows)}", grid=grid.code))
    return rows


class CampaignFactory(factory.Factory):
    """A campaign drafted through campaigns.services.campaign_create: township 1's centre
    sends its grid workers door to door, for four hours, one target per row."""

    class Meta:
        model = CampaignInput

    class Params:
        demo = None

    actor = factory.LazyAttribute(lambda o: o.demo.user("township1"))
    title = "防溺水家访"
    instructions = "逐户上门宣讲防溺水知识，留存照片。"
    area = factory.LazyAttribute(lambda o: o.demo.township1)
    target_mode = TargetMode.ITEMS
    starts_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=4))
    post_kinds = factory.LazyFunction(list)
    member_types = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, actor, **fields) -> Campaign:
        return campaign_create(actor=actor, data=model_class(**fields))


def campaign_of(demo, *, area=None, actor="township1", mode=TargetMode.ITEMS, **extra):
    return CampaignFactory(
        demo=demo, area=area or demo.township1, actor=demo.user(actor), target_mode=mode, **extra
    )


def launched_campaign(demo, *, area=None, actor="township1", per_grid=1, grids=None, **extra):
    campaign = campaign_of(demo, area=area, actor=actor, **extra)
    grids = grids if grids is not None else grids_of(area or demo.township1)
    campaign_targets_set(campaign=campaign, actor=demo.user(actor), rows=rows_for(grids, per_grid))
    campaign_launch(campaign=campaign, actor=demo.user(actor))
    campaign.refresh_from_db()
    return campaign


def reported_case(demo, *, grid=None, reporter="grid1", title="宅基地边界纠纷"):
    """A dispute of the first active category, without parties."""
    category = Category.objects.filter(kind=CaseKind.DISPUTE, is_active=True).first()
    return CaseFactory(
        demo=demo,
        reporter=demo.user(reporter),
        kind=CaseKind.DISPUTE,
        category=category,
        title=title,
        grid=grid or demo.grid1,
        parties=None,
    ).case


def with_phone(user, phone: str = SMS_PHONE):
    user.phone = phone
    user.save(update_fields=["phone"])
    return user


def overdue_cases(demo, count: int) -> list[int]:
    """`count` open cases at village level whose deadline passed an hour ago."""
    first = reported_case(demo)
    template = {
        f.attname: getattr(first, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in ("id", "client_uuid")
    }
    Case.objects.bulk_create(
        [Case(**template, client_uuid=uuid.uuid4()) for _ in range(count - 1)], batch_size=2000
    )
    Case.objects.update(deadline=timezone.now() - timedelta(hours=1))
    return list(Case.objects.values_list("id", flat=True))


def training_session(
    demo, actor: str, area, attendees, day=TODAY, topic="矛盾纠纷排查化解"
) -> Training:
    return training_create(
        area=area,
        day=day,
        topic=topic,
        hours=Decimal("2.5"),
        attendees=[staff.pk for staff in attendees],
        actor=demo.user(actor),
    )


def operations_of(demo, *, case, township, marker: str) -> None:
    """The township's campaign (one target in its first grid, done with a photo), an
    instruction to its grid workers, a meeting on its case, and the county's inspection of
    its first village with a problem to fix."""
    organiser = demo.user("township1" if township == demo.township1 else "township2")
    village = tree.in_order(township.children.all()).first()
    grid = tree.in_order(village.children.all()).first()
    campaign = campaign_create(
        actor=organiser,
        data=CampaignInput(
            title=marker, instructions=marker, area=township,
            target_mode=TargetMode.ITEMS, starts_at=timezone.now(),
            deadline=timezone.now() + timedelta(days=1), post_kinds=[], member_types=[],
        ),
    )  # fmt: skip
    campaign_targets_set(
        campaign=campaign,
        actor=organiser,
        rows=[TargetRow(line=2, name=marker, grid=grid.code, detail=marker)],
    )
    campaign_launch(campaign=campaign, actor=organiser)
    task_complete(
        task=CampaignTask.objects.select_related("campaign", "staff", "area").get(
            campaign=campaign
        ),
        actor=organiser,
        data=TaskInput(
            client_uuid=uuid.uuid4(),
            result=marker,
            photo=SimpleUploadedFile("pond.jpg", JPEG, content_type="image/jpeg"),
        ),
    )
    instruction_send(
        actor=organiser,
        data=InstructionInput(
            title=marker[:10], body=marker, area=township,
            post_kinds=["grid_worker"], member_types=[],
        ),
    )  # fmt: skip
    meeting_record(
        actor=organiser,
        data=MeetingInput(
            level="township_daily", area=township, held_on=timezone.localdate(),
            chair=marker, summary=marker, items=[MeetingItem(case=case, judgement="attention")],
        ),
    )  # fmt: skip
    inspection_record(
        actor=demo.user("county"),
        data=InspectionInput(
            area=village, inspected_on=timezone.localdate(), inspectors=marker,
            score=90, summary=marker, items=[InspectionItem(text=marker, passed=False)],
            problems=[ProblemInput(description=marker, fix_by=timezone.localdate())],
        ),
    )  # fmt: skip
    # A camera of the village with its maintenance task (雪亮工程).
    camera = Camera.objects.create(
        code=f"{township.code[:6]}0000131{township.pk:07d}", name=marker, kind="dome",
        lat=Decimal("27.5"), lng=Decimal("111.5"), area=village, county_id=township.parent_id,
        township=township, village=village, owner_unit=marker,
    )  # fmt: skip
    MaintenanceTask.objects.create(camera=camera, month=timezone.localdate().replace(day=1),
                                   offline_hours=48)  # fmt: skip


class AreaFactory(factory.Factory):
    """An area created through grids.services.area_create, in its place in the tree."""

    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"4399{n:08d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = AreaLevel.COUNTY
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **fields) -> Area:
        return area_create(**fields)


class UserFactory(factory.django.DjangoModelFactory):
    """An account with a role and an area, without a usable password unless given one."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")

    @classmethod
    def _create(cls, model_class, *args, username, password=None, **fields) -> User:
        return model_class.objects.create_user(username, password=password, **fields)


def campaign_body(demo, **extra):
    grids = grids_of(demo.township1)
    return {
        "title": "防溺水家访",
        "instructions": "上门宣讲，签收告知书。",
        "area": demo.township1.pk,
        "target_mode": "items",
        "deadline": (timezone.now() + timedelta(hours=4)).isoformat(),
        "targets": [
            {"name": f"学生{n}", "grid": grid.code, "detail": "三年级"}
            for n, grid in enumerate(grids * 2)
        ],
        "launch": True,
        **extra,
    }
