"""Who reports, analyses, handles and supervises the demo cases of one county.

The roster (demo.roster) is the cast in the field: each grid's grid worker
reports from it, and village-level lines are routed by the roster (the police officer or
auxiliary police takes the police line, the security director or the grid worker the
political-legal line, a vacant post sends the line to the township centre). The demo
accounts act wherever they are posted: grid1, member1, village1 and police1 report from
the grids they see, and hold the posts their roles stand for; township1/2 run their
townships' centres; `centre` analyses and `county` supervises at county level (in a city,
`city` supervises the other counties). Every other village, township and county centre
gets one staff account of its own (no password: they only author history), and a village's
account files the reports of a grid without a grid worker. Above the village, handlers are
units without an account ("青石镇司法所", "青石派出所").
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from demo.people import People
from governance.platform.roles import Role
from grids import tree
from grids.jurisdiction import can_report, scope
from grids.models import Area, AreaLevel
from personnel.models import Post, PostKind, User

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
    # By grid: who reports there, how readily, and since when (None: all year).
    reporters: dict[int, list[tuple[User, int, date | None]]] = field(default_factory=dict)
    township_staff: dict[int, User] = field(default_factory=dict)
    logins: dict[int, User] = field(default_factory=dict)  # the county's active users, by id

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

    def reporter(self, rng: random.Random, grid: Area, kind: str, day: date) -> User:
        """Someone serving the grid on `day`; the village centre where nobody does."""
        candidates = [
            (user, weight)
            for user, weight, since in self.reporters.get(grid.pk, ())
            if since is None or since <= day
        ]
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
        """The assignment lines (双线交办) for a case at `level`. A village's lines name
        neither unit nor handler: the roster routes them. Above, units, and a handler where
        a demo account runs the township centre."""
        township = grid.parent.parent
        tip_to_police = kind == "illegal_tip" and rng.random() < 0.7
        lines: list[dict] = []
        if level == AreaLevel.VILLAGE:
            lines = [] if tip_to_police else [{"line": "political_legal"}]
            return [*lines, {"line": "police"}] if police or not lines else lines
        if not tip_to_police:
            if level == AreaLevel.TOWNSHIP:
                unit = township.name + TOWNSHIP_UNITS.get(code, rng.choice(("司法所", "综治中心")))
                handler = self.township_staff.get(township.pk) if unit.endswith("中心") else None
            else:
                unit, handler = self.county.name + COUNTY_UNITS.get(code, "矛调中心"), None
            lines.append({"line": "political_legal", "unit": unit, "handler": handler})
        if police or not lines:
            if level == AreaLevel.TOWNSHIP:
                unit = f"{_stem(township.name)}派出所"
            else:
                unit = f"{self.county.name}公安局"
            lines.append({"line": "police", "unit": unit, "handler": None})
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
    cast.logins = {user.pk: user for user in posted}
    # Each grid's grid worker reports from it, from the day their post started.
    grid_workers = (
        Post.objects.filter(
            tree.subtree_q(county, "area__"), kind=PostKind.GRID_WORKER, end__isnull=True
        )
        .exclude(staff__user=None)
        .values_list("area_id", "start", "staff__user_id")
        .order_by("area_id", "id")
    )
    weight = REPORTER_WEIGHTS[Role.GRID_WORKER]
    for grid_id, start, user_id in grid_workers:
        user = cast.logins.get(user_id)  # active logins only
        if user and can_report(user) and not user.has_usable_password():  # demo ones: below
            cast.reporters.setdefault(grid_id, []).append((user, weight, start))
    # The demo accounts (the ones people log in with) report wherever they see.
    for user in posted:
        if not user.has_usable_password():
            continue
        if user.role == Role.TOWNSHIP_CENTRE:
            cast.township_staff[user.area_id] = user
        if user.role in REPORTER_WEIGHTS and can_report(user):
            grids = scope(user, Area.objects.filter(level=AreaLevel.GRID))
            entry = (user, REPORTER_WEIGHTS[user.role], None)
            for grid_id in grids.values_list("id", flat=True):
                cast.reporters.setdefault(grid_id, []).append(entry)
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
