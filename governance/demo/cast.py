"""Who reports, analyses, handles and supervises the demo cases of one county.

The demo accounts act wherever they are posted: grid1, member1, village1 and police1
report from the grids they see; village1 runs its village's centre and handles there as
治保主任, grid1 as grid worker, police1 takes the police line; township1/2 run their
townships' centres; `centre` analyses and `county` supervises at county level (in a city,
`city` supervises the other counties). Every other village, township and county centre
gets one staff account of its own (no password: they only author history), and a village's
account also files the reports of its grids. Elsewhere handlers are units without an
account ("柳溪村治保主任", "青石派出所").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.db.models import Q

from governance.demo.people import People
from governance.jurisdiction import can_report, scope
from grids import tree
from grids.models import Area, AreaLevel
from personnel.models import Role, User

# How readily each field role files a report where it may; police mostly for tips.
REPORTER_WEIGHTS = {
    Role.GRID_WORKER: 6,
    Role.MEMBER: 3,
    Role.VILLAGE_STAFF: 2,
    Role.POLICE: 1,
}
POLICE_KINDS = ("illegal_tip", "key_person")
COUNTY_UNITS = {
    "labour_wages": "人力资源和社会保障局",
    "land_forest": "自然资源局",
    "homestead": "自然资源局",
    "requisition": "自然资源局",
    "medical": "卫生健康局",
    "property_management": "住房和城乡建设局",
}
TOWNSHIP_UNITS = {
    "labour_wages": "劳动保障所",
    "land_forest": "自然资源所",
    "homestead": "自然资源所",
    "requisition": "自然资源所",
}


@dataclass
class Cast:
    county: Area
    county_centre: User
    county_admin: User  # supervises (督办) township and county cases
    township_centre: dict[int, User]
    village_centre: dict[int, User]
    reporters: dict[int, list[tuple[User, int]]] = field(default_factory=dict)  # by grid
    grid_workers: dict[int, User] = field(default_factory=dict)
    village_staff: dict[int, User] = field(default_factory=dict)
    village_police: dict[int, User] = field(default_factory=dict)
    township_staff: dict[int, User] = field(default_factory=dict)

    def centre(self, level: str, village: Area) -> User:
        if level == AreaLevel.VILLAGE:
            return self.village_centre[village.pk]
        if level == AreaLevel.TOWNSHIP:
            return self.township_centre[village.parent_id]
        return self.county_centre

    def supervisor(self, level: str, village: Area) -> User:
        if level == AreaLevel.VILLAGE:
            return self.township_centre[village.parent_id]
        return self.county_admin

    def reporter(self, rng: random.Random, grid: Area, kind: str) -> User:
        candidates = self.reporters.get(grid.pk)
        if not candidates:
            return self.village_centre[grid.parent_id]
        weights = [
            weight * (5 if user.role == Role.POLICE and kind in POLICE_KINDS else 1)
            for user, weight in candidates
        ]
        return rng.choices([user for user, _weight in candidates], weights)[0]

    def lines(
        self, rng: random.Random, *, level: str, grid: Area, code: str, kind: str, police: bool
    ) -> list[dict]:
        """The assignment lines (双线交办) for a case at `level`: units, and handlers where
        a demo account serves the place."""
        village = grid.parent
        township = village.parent
        lines = []
        if not (kind == "illegal_tip" and rng.random() < 0.7):
            if level == AreaLevel.VILLAGE:
                if kind == "hazard" or rng.random() < 0.3:
                    unit, handler = f"{grid.name}网格员", self.grid_workers.get(grid.pk)
                else:
                    unit = village.name + rng.choice(("治保主任", "人民调解委员会"))
                    handler = self.village_staff.get(village.pk)
            elif level == AreaLevel.TOWNSHIP:
                unit = township.name + TOWNSHIP_UNITS.get(code, rng.choice(("司法所", "综治中心")))
                handler = self.township_staff.get(township.pk) if unit.endswith("中心") else None
            else:
                unit, handler = self.county.name + COUNTY_UNITS.get(code, "矛调中心"), None
            lines.append({"line": "political_legal", "unit": unit, "handler": handler})
        if police or not lines:
            if level == AreaLevel.VILLAGE:
                unit, handler = f"{village.name}驻村辅警", self.village_police.get(village.pk)
            elif level == AreaLevel.TOWNSHIP:
                unit, handler = f"{_stem(township.name)}派出所", None
            else:
                unit, handler = f"{self.county.name}公安局", None
            lines.append({"line": "police", "unit": unit, "handler": handler})
        return lines


def _stem(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def cast_for(county: Area, villages: list[Area], rng: random.Random) -> Cast:
    """The county's cast, creating the centre accounts it lacks (idempotent)."""
    townships = list(tree.in_order(county.children.all()))
    posted = list(
        User.objects.filter(is_active=True)
        .filter(
            tree.subtree_q(county, "area__")
            | Q(area__in=tree.ancestors(county), role=Role.COUNTY_ADMIN)
        )
        .select_related("area")
        .order_by("id")
    )
    by_post = {(user.role, user.area_id): user for user in posted}
    wanted = [(Role.COUNTY_CENTRE, county), *((Role.TOWNSHIP_CENTRE, t) for t in townships)]
    wanted += [(Role.VILLAGE_STAFF, village) for village in villages]
    missing = [(role, area) for role, area in wanted if (role, area.pk) not in by_post]
    by_post.update({(u.role, u.area_id): u for u in _staff_accounts(rng, missing)})
    admins = [u for u in posted if u.role == Role.COUNTY_ADMIN]
    cast = Cast(
        county=county,
        county_centre=by_post[(Role.COUNTY_CENTRE, county.pk)],
        county_admin=admins[0] if admins else by_post[(Role.COUNTY_CENTRE, county.pk)],
        township_centre={t.pk: by_post[(Role.TOWNSHIP_CENTRE, t.pk)] for t in townships},
        village_centre={v.pk: by_post[(Role.VILLAGE_STAFF, v.pk)] for v in villages},
    )
    # Only the demo accounts (the ones people log in with) report and handle in the field.
    for user in posted:
        if not user.has_usable_password():
            continue
        if user.role == Role.GRID_WORKER:
            cast.grid_workers[user.area_id] = user
        elif user.role == Role.VILLAGE_STAFF:
            cast.village_staff[user.area_id] = user
        elif user.role == Role.POLICE and user.area.level == AreaLevel.VILLAGE:
            cast.village_police[user.area_id] = user
        elif user.role == Role.TOWNSHIP_CENTRE:
            cast.township_staff[user.area_id] = user
        if user.role in REPORTER_WEIGHTS and can_report(user):
            grids = scope(user, Area.objects.filter(level=AreaLevel.GRID))
            for grid_id in grids.values_list("id", flat=True):
                cast.reporters.setdefault(grid_id, []).append((user, REPORTER_WEIGHTS[user.role]))
    return cast


STAFF_PREFIX = {Role.COUNTY_CENTRE: "centre", Role.TOWNSHIP_CENTRE: "township"}


def _staff_accounts(rng: random.Random, posts: list[tuple[str, Area]]) -> list[User]:
    people = People(rng)
    users = []
    for role, area in posts:
        name = people.name()
        user = User(
            username=f"{STAFF_PREFIX.get(role, 'village')}-{area.code}",
            role=role,
            area=area,
            last_name=name[0],
            first_name=name[1:],
            phone=people.mobile(),
        )
        user.set_unusable_password()
        users.append(user)
    return User.objects.bulk_create(users)
