"""The demo places: a deterministic, realistic area tree and demo accounts for every role.

Built in bulk (one `bulk_insert` of the whole tree), so the city scale's ~100,000 areas
take seconds, not hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, Permission

from demo.boundaries import draw_boundaries
from governance.platform.roles import Role
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from personnel.models import User

DEMO_PASSWORD = "demo-pass-2026"
PROVINCE_CITY = "4399"  # fictional prefecture city code under province 43
CITY_NAME = "云岭市"
COUNTY_NAMES = [
    "清溪县",
    "石门县",
    "桃源县",
    "龙山县",
    "白沙县",
    "松柏县",
    "金田县",
    "安平县",
    "永丰县",
    "凤凰县",
]
PLACE_HEADS = "青石柳桃龙凤金白松梅清东西南北长永平新高马双枫黄大小上下中红太富和兴安三五七九"
FAMILIES = "杨李王陈刘张赵周吴何罗梁唐谢邓曹彭曾田胡朱郭"
PLACE_TAILS = "山河溪林坪湾塘坝口铺冲湖田园庄岗桥岭坳寨垭坡营庙江洲丰华源泉岩峰阳星光胜利"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "建国志强海燕秀英丽华国庆卫东春梅红霞俊杰文斌晓明德胜玉兰桂芳永红子豪雨涵思远"

ROLE_PERMISSIONS = {
    Role.COUNTY_ADMIN: [
        ("grids", "area", ("view", "add", "change")),
        ("personnel", "user", ("view", "add", "change")),
        ("disputes", "category", ("view", "add", "change")),
        ("disputes", "deadlinerule", ("view", "add", "change", "delete")),
        ("assessment", "payrate", ("view", "add", "change", "delete")),
        ("assessment", "scoringscheme", ("view", "add", "change", "delete")),
        ("assessment", "indicator", ("view", "add", "change", "delete")),
        ("assessment", "enteredvalue", ("view", "add", "change", "delete")),
    ],
}


@dataclass(frozen=True)
class Shape:
    townships: tuple[int, int]
    streets: int  # how many townships are urban streets (街道), all communities
    villages_per_township: tuple[int, int]
    communities_per_town: tuple[int, int]
    grids_urban: tuple[int, int]
    grids_rural: tuple[int, int]
    microgrids: tuple[int, ...]  # drawn with equal chance


SHAPES = {
    # ~350 villages (a third urban), ~3,800 grids, ~10,000 micro-grids
    "county": Shape((12, 12), 4, (24, 32), (1, 3), (12, 18), (6, 11), (2, 2, 3, 3, 3)),
    # ten counties of ~10,000 areas each: ~16,000 grids and ~80,000 micro-grids in all
    "city": Shape((9, 13), 3, (20, 30), (1, 3), (6, 9), (4, 7), (4, 5, 5, 6)),
    # small enough for the test suite, same code path
    "tiny": Shape((3, 3), 1, (3, 3), (1, 1), (2, 2), (2, 2), (2,)),
}


class DemoNames:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def place(self, used: set[str]) -> str:
        for _attempt in range(500):
            if self.rng.random() < 0.3:  # 李家湾, 陈家坪
                name = self.rng.choice(FAMILIES) + "家" + self.rng.choice(PLACE_TAILS)
            else:  # 青山, 柳溪
                name = self.rng.choice(PLACE_HEADS + FAMILIES) + self.rng.choice(PLACE_TAILS)
            if name not in used:
                used.add(name)
                return name
        raise RuntimeError("ran out of demo place names")

    def person(self) -> tuple[str, str]:
        return self.rng.choice(SURNAMES), self.rng.choice(GIVEN[::2]) + self.rng.choice(GIVEN)


def demo_tree(*, scale: str, seed: int) -> list[Area]:
    """The whole demo tree as unsaved areas, parents before children."""
    rng = random.Random(seed)
    shape = SHAPES[scale]
    names = DemoNames(rng)
    areas: list[Area] = []
    if scale == "city":
        city = Area(
            code=f"{PROVINCE_CITY}00000000",
            name=CITY_NAME,
            level=AreaLevel.CITY,
            centre_lat=Decimal("27.550000"),
            centre_lng=Decimal("110.000000"),
        )
        areas.append(city)
        counties = [(city, f"{PROVINCE_CITY}{21 + i:02d}", COUNTY_NAMES[i]) for i in range(10)]
    else:
        counties = [(None, f"{PROVINCE_CITY}21", COUNTY_NAMES[0])]
    for parent, prefix, name in counties:
        county = _demo_county(rng, names, shape, parent, prefix, name)
        # A generator of its own, so that the names and numbers stay those of earlier seeds.
        draw_boundaries(county, rng=random.Random(f"boundaries-{seed}-{prefix}"))
        areas.extend(county)
    _sum_up(areas)
    return areas


def _demo_county(rng, names, shape, parent, prefix, name) -> list[Area]:
    lat = Decimal("27.4") + Decimal(rng.randint(0, 4000)) / 10000
    lng = Decimal("109.8") + Decimal(rng.randint(0, 6000)) / 10000
    county = Area(
        code=f"{prefix}000000",
        name=name,
        level=AreaLevel.COUNTY,
        parent=parent,
        centre_lat=lat,
        centre_lng=lng,
    )
    areas = [county]
    township_names: set[str] = set()
    for t in range(rng.randint(*shape.townships)):
        is_street = t < shape.streets
        serial = f"{t + 1:03d}" if is_street else f"{100 + t:03d}"
        suffix = "街道" if is_street else rng.choice(["镇", "镇", "镇", "乡"])
        township = Area(
            code=f"{prefix}{serial}000",
            name=names.place(township_names) + suffix,
            level=AreaLevel.TOWNSHIP,
            parent=county,
            centre_lat=lat + Decimal(rng.randint(-900, 900)) / 10000,
            centre_lng=lng + Decimal(rng.randint(-900, 900)) / 10000,
        )
        areas.append(township)
        villages = rng.randint(*shape.villages_per_township)
        communities = villages if is_street else rng.randint(*shape.communities_per_town)
        village_names: set[str] = set()
        for v in range(villages):
            urban = v < communities
            number = (1 + v) if urban else (200 + v - communities)
            village = Area(
                code=f"{prefix}{serial}{number:03d}",
                name=names.place(village_names) + ("社区" if urban else "村"),
                level=AreaLevel.VILLAGE,
                parent=township,
                kind=AreaKind.URBAN if urban else AreaKind.RURAL,
                centre_lat=township.centre_lat + Decimal(rng.randint(-300, 300)) / 10000,
                centre_lng=township.centre_lng + Decimal(rng.randint(-300, 300)) / 10000,
            )
            areas.append(village)
            for g in range(rng.randint(*(shape.grids_urban if urban else shape.grids_rural))):
                grid = Area(
                    code=f"{village.code}{g + 1:03d}",
                    name=f"{village.name}第{g + 1}网格",
                    level=AreaLevel.GRID,
                    parent=village,
                )
                areas.append(grid)
                for m in range(rng.choice(shape.microgrids)):
                    households = rng.randint(10, 30)
                    areas.append(
                        Area(
                            code=f"{grid.code}{m + 1:03d}",
                            name=f"第{g + 1}-{m + 1}微网格",
                            level=AreaLevel.MICROGRID,
                            parent=grid,
                            households=households,
                            residents=round(households * rng.uniform(2.4, 3.4)),
                        )
                    )
                # Not every household of a grid is linked to a party member's micro-grid.
                grid.households = rng.randint(5, 25)
                grid.residents = round(grid.households * rng.uniform(2.4, 3.4))
    return areas


def _sum_up(areas: list[Area]) -> None:
    """Each area's households and residents include everything below it."""
    for area in reversed(areas):  # children come after their parents
        if area.parent is not None:
            area.parent.households += area.households
            area.parent.residents += area.residents


def demo_users(*, root: Area, rng: random.Random) -> list[User]:
    """Demo accounts for every role, all with the public demo password."""
    county = root if root.level == AreaLevel.COUNTY else root.get_children()[0]
    townships = list(tree.in_order(county.children.all())[:2])
    village = tree.in_order(townships[0].children.all()).first()
    grid = tree.in_order(village.children.all()).first()
    accounts = [
        ("county", Role.COUNTY_ADMIN, county),
        ("centre", Role.COUNTY_CENTRE, county),
        ("township1", Role.TOWNSHIP_CENTRE, townships[0]),
        ("township2", Role.TOWNSHIP_CENTRE, townships[1]),
        ("police1", Role.POLICE, village),
        ("village1", Role.VILLAGE_STAFF, village),
        ("grid1", Role.GRID_WORKER, grid),
        ("member1", Role.MEMBER, grid),
        ("inspector", Role.INSPECTOR, county),
    ]
    if root.level == AreaLevel.CITY:
        accounts.append(("city", Role.COUNTY_ADMIN, root))
    names = DemoNames(rng)
    users = []
    for username, role, area in accounts:
        last, first = names.person()
        user = User(
            username=username,
            role=role,
            area=area,
            first_name=first,
            last_name=last,
            is_staff=role in ROLE_PERMISSIONS,
        )
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    User.objects.bulk_create(users)
    for role, grants in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=str(Role(role).label))
        for app_label, model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.user_set.add(
            *User.objects.filter(role=role, username__in=[u.username for u in users])
        )
    return users
