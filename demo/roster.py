"""The demo roster 一警三专N员 (its year of trainings, spot checks, coverage records and
evaluations is in `staffwork`).

Every village and grid gets the people the standard asks for (personnel.services.coverage): one grid
worker per grid; in a rural village an auxiliary police (一村一辅警) or a police officer (a few
officers cover two or three neighbouring villages of one township), a security director 治保主任,
a traffic road chief 交管路长 and N members; in an urban community a police officer and two
auxiliary police (1+2+N). A handful of posts is left empty on purpose (`RosterSeed.gaps`),
some because the holder left during the year, some never filled; among them one village of
the first township has no police at all (`RosterSeed.vacant_police_village`: its police
line goes to the township centre). About one grid worker in a hundred was replaced during
the year, the successor starting the next day.

Everything goes in with `bulk_create`, yet only as the roster services would allow it: post
levels per POST_LEVELS/MEMBER_TYPE_LEVELS, every post inside the area that manages its
holder, one open grid worker per grid, valid and unique ID numbers, and each login's role and
area as `login_sync` sets them. Grid workers and police get a login without a usable password
(they only author history), named by their roster number (`staff1234`, never their phone);
the demo accounts get the posts their roles stand for.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from demo.cast import _stem
from demo.people import People
from governance.platform.personal_data import ID_NUMBER, PHONE, lookup_hash
from governance.platform.roles import Role
from governance.platform.validators import id_number_check_char
from grids import tree
from grids.models import Area, AreaKind, AreaLevel
from personnel.models import EndReason, Gender, MemberType, Post, PostKind, Staff, User
from personnel.services.accounts import STAFF_USERNAME_PREFIX
from personnel.services.staff import LOGIN_ROLES, login_sync

LOGIN_KINDS = (PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE, PostKind.GRID_WORKER)
# The demo accounts' posts: (post, member type); each is held where the account is posted.
DEMO_POSTS = {
    "police1": (PostKind.POLICE_OFFICER, ""),
    "village1": (PostKind.SECURITY_DIRECTOR, ""),
    "grid1": (PostKind.GRID_WORKER, ""),
    "member1": (PostKind.MEMBER, MemberType.INFORMATION_OFFICER),
}
# Youngest and oldest age, and the share of men, per post or member type.
PROFILES: dict[str, tuple[int, int, float]] = {
    PostKind.POLICE_OFFICER: (26, 52, 0.85),
    PostKind.AUXILIARY_POLICE: (22, 42, 0.8),
    PostKind.SECURITY_DIRECTOR: (35, 62, 0.85),
    PostKind.TRAFFIC_CHIEF: (32, 60, 0.8),
    PostKind.GRID_WORKER: (23, 55, 0.45),
    MemberType.INFORMATION_OFFICER: (25, 60, 0.5),
    MemberType.MEDIATOR: (38, 68, 0.65),
    MemberType.VOLUNTEER: (20, 65, 0.45),
    MemberType.BUILDING_HEAD: (35, 72, 0.4),
    MemberType.RESPECTED_ELDER: (60, 82, 0.9),
    MemberType.PARTY_MEMBER: (30, 75, 0.6),
}
# How many of each deliberate gap a county of ~3,800 grids and ~340 villages has; a smaller
# county has fewer (at least one of each where there is room).
GRIDS_PER_GAP = 630
GRIDS_PER_REPLACEMENT = 95
RURAL_VILLAGES_PER_SHARED_OFFICER = 40
VILLAGE_GAPS = {"traffic_chief": 2, "security_director": 1, "auxiliary_police": 2}
ENDINGS = {
    PostKind.GRID_WORKER: [
        (EndReason.RESIGNED, "本人申请辞职，外出务工。"),
        (EndReason.RESIGNED, "考取公益性岗位，办理离职。"),
        (EndReason.REASSIGNED, "调任村（社区）文书。"),
        (EndReason.DISMISSED, "连续两月考评不称职，予以解聘。"),
        (EndReason.TERM_ENDED, "聘用合同期满，不再续聘。"),
        (EndReason.OTHER, "因病长期无法履职。"),
    ],
    PostKind.POLICE_OFFICER: [(EndReason.REASSIGNED, "调任派出所治安巡逻中队，警务室待补员。")],
    PostKind.AUXILIARY_POLICE: [
        (EndReason.RESIGNED, "本人辞职，考入事业单位。"),
        (EndReason.TERM_ENDED, "劳动合同期满，未续签。"),
    ],
    PostKind.SECURITY_DIRECTOR: [(EndReason.RESIGNED, "因病辞去治保主任职务，待村委会推选。")],
    PostKind.TRAFFIC_CHIEF: [(EndReason.TERM_ENDED, "村两委换届，原路长未连任，待重新明确。")],
}


@dataclass
class RosterSeed:
    people: int = 0
    logins: int = 0
    posts: Counter = field(default_factory=Counter)  # open today, by post
    members: Counter = field(default_factory=Counter)  # open N-member posts, by type
    ended: int = 0  # posts ended during the year
    replaced: int = 0  # grid workers replaced the next day
    gaps: set[tuple[int, str]] = field(default_factory=set)  # (area id, requirement code)
    vacant_police_village: int | None = None

    @property
    def police_posts(self) -> int:
        return self.posts[PostKind.POLICE_OFFICER] + self.posts[PostKind.AUXILIARY_POLICE]


@dataclass
class _Person:
    staff: Staff
    posts: list[Post] = field(default_factory=list)
    user: User | None = None
    login: bool = False


def _scaled(wanted: int, pool: list) -> int:
    return min(wanted, max(1, len(pool) // 10)) if pool else 0


class _County:
    """Plans one county's roster in memory: people, their posts and logins."""

    def __init__(self, planner: _Planner, county: Area, demo: dict[str, User]) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.today = planner.today
        self.region = county.code[:6]
        self.people: list[_Person] = []
        self.gap_counts: Counter = Counter()
        areas = tree.in_order(
            Area.objects.filter(tree.subtree_q(county)).exclude(pk=county.pk)
        ).only("id", "code", "name", "level", "kind", "parent_id", "tree_id", "lft", "rght")
        self.children: dict[int, list[Area]] = defaultdict(list)
        self.by_id: dict[int, Area] = {}
        for area in areas:
            self.by_id[area.pk] = area
            self.children[area.parent_id].append(area)
        self.townships = self.children[county.pk]
        self.villages = [v for t in self.townships for v in self.children[t.pk]]
        self.demo = {
            name: user
            for name, user in demo.items()
            if user.area_id in self.by_id and not Staff.objects.filter(user=user).exists()
        }

    # --- people and posts ---------------------------------------------------------------

    def person(self, area: Area, profile: str, employer: str, user: User | None = None) -> _Person:
        youngest, oldest, men = PROFILES[profile]
        gender = Gender.MALE if self.rng.random() < men else Gender.FEMALE
        name = f"{user.last_name}{user.first_name}" if user else self.planner.names.name()
        phone = self.planner.phone()
        id_number = self.planner.id_number(self.region, youngest, oldest, gender)
        staff = Staff(  # encrypted by the fields, found by the hashes, as staff_create does
            name=name,
            phone=phone,
            phone_hash=lookup_hash(PHONE, phone),
            id_number=id_number,
            id_number_hash=lookup_hash(ID_NUMBER, id_number),
            gender=gender,
            employer=employer,
            area=area,
        )
        person = _Person(staff, user=user, login=user is None and profile in LOGIN_KINDS)
        self.people.append(person)
        return person

    def post(
        self,
        person: _Person,
        kind: str,
        area: Area,
        start: date,
        member_type: str = "",
        end: date | None = None,
        ending: tuple[str, str] = ("", ""),
    ) -> Post:
        post = Post(
            staff=person.staff,
            kind=kind,
            member_type=member_type,
            area=area,
            start=start,
            end=end,
            end_reason=ending[0],
            end_note=ending[1],
        )
        person.posts.append(post)
        return post

    def since(self, years: tuple[float, float]) -> date:
        """A start date before the demo year, so the post is held all year."""
        days = self.rng.randint(round(366 + 365 * years[0]), round(366 + 365 * years[1]))
        return self.today - timedelta(days=days)

    def ended(self, low: int = 15, high: int = 330) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def holder(
        self,
        village: Area,
        kind: str,
        area: Area,
        employer: str,
        *,
        years: tuple[float, float] = (0.2, 6.0),
        member_type: str = "",
        end: date | None = None,
    ) -> _Person:
        person = self.person(village, member_type or kind, employer)
        ending = self.rng.choice(ENDINGS[kind]) if end else ("", "")
        self.post(person, kind, area, self.since(years), member_type, end, ending)
        return person

    def village_of(self, area_id: int) -> int:
        area = self.by_id[area_id]
        return area.pk if area.level == AreaLevel.VILLAGE else area.parent_id

    def left_this_year(self, code: str) -> bool:
        """Whether the next gap of this kind comes from a post that ended during the year
        (else it was never filled): every other one, the first traffic road chief missing
        never having been appointed."""
        self.gap_counts[code] += 1
        return (self.gap_counts[code] + (code == PostKind.TRAFFIC_CHIEF)) % 2 == 1

    # --- the plan -------------------------------------------------------------------------

    def plan(self, *, vacant_police: bool, seed: RosterSeed) -> None:
        rng = self.rng
        demo_village = {self.village_of(user.area_id) for user in self.demo.values()}
        vacant = None
        if vacant_police and self.townships:
            first = [v for v in self.children[self.townships[0].pk] if v.pk not in demo_village]
            pool = first or [v for v in self.villages if v.pk not in demo_village]
            vacant = rng.choice(pool) if pool else None
            seed.vacant_police_village = vacant.pk if vacant else None
        spare = [v for v in self.villages if v.pk not in demo_village and v != vacant]
        rural = [v for v in spare if v.kind != AreaKind.URBAN]
        urban = [v for v in spare if v.kind == AreaKind.URBAN]
        gaps: dict[str, list[Area]] = {}
        for code, wanted in VILLAGE_GAPS.items():
            pool = urban if code == "auxiliary_police" else rural
            taken = {v.pk for chosen in gaps.values() for v in chosen}
            pool = [v for v in pool if v.pk not in taken]
            gaps[code] = rng.sample(pool, _scaled(wanted, pool))
        shared = self.shared_officers(rural, vacant)
        grids = [g for v in self.villages for g in self.children[v.pk]]
        open_grids = [g for g in grids if g.parent_id not in demo_village]
        gaps_wanted = max(1, round(len(grids) / GRIDS_PER_GAP))
        empty = rng.sample(open_grids, min(len(open_grids), gaps_wanted))
        rest = [g for g in open_grids if g not in empty]
        replacements = max(1, round(len(grids) / GRIDS_PER_REPLACEMENT))
        replaced = set(rng.sample(rest, min(len(rest), replacements)))
        for village in self.villages:
            village_gaps = {code for code, chosen in gaps.items() if village in chosen}
            self.village(village, village_gaps, shared.get(village.pk), village == vacant, seed)
            for grid in self.children[village.pk]:
                self.grid(village, grid, grid in empty, grid in replaced, seed)
        for grid in empty:
            seed.gaps.add((grid.pk, "grid_worker"))

    def shared_officers(self, rural: list[Area], vacant: Area | None) -> dict[int, _Person]:
        """A few police officers each cover a run of 2–3 neighbouring rural villages of one
        township: managed by the township, one post per village."""
        runs = []
        for township in self.townships:
            mine = [v for v in self.children[township.pk] if v in rural and v != vacant]
            size = self.rng.choice((2, 3))
            runs += [mine[i : i + size] for i in range(0, len(mine) - size + 1, size)]
        wanted = max(1, round(len(rural) / RURAL_VILLAGES_PER_SHARED_OFFICER))
        chosen = self.rng.sample(runs, min(len(runs), wanted))
        shared = {}
        for run in chosen:
            township = self.by_id[run[0].parent_id]
            officer = self.person(
                township, PostKind.POLICE_OFFICER, f"{_stem(township.name)}派出所"
            )
            start = self.since((0.5, 5))
            for village in run:
                self.post(officer, PostKind.POLICE_OFFICER, village, start)
                shared[village.pk] = officer
        return shared

    def village(
        self,
        village: Area,
        gaps: set[str],
        shared: _Person | None,
        vacant: bool,
        seed: RosterSeed,
    ) -> None:
        rng = self.rng
        urban = village.kind == AreaKind.URBAN
        committee = village.name + ("居委会" if urban else "委会")
        station = f"{_stem(self.by_id[village.parent_id].name)}派出所"
        # 一警: the police of the village.
        officer = self.demo.get("police1")
        if vacant:
            seed.gaps.update(
                {(village.pk, "police_officer"), (village.pk, "auxiliary_police")}
                if urban
                else {(village.pk, "police")}
            )
            kinds = [PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE] if urban else []
            for kind in [*kinds, PostKind.AUXILIARY_POLICE]:
                self.holder(village, kind, village, station, end=self.ended(40, 200))
        elif officer is not None and officer.area_id == village.pk:
            person = self.person(village, PostKind.POLICE_OFFICER, station, officer)
            self.post(person, PostKind.POLICE_OFFICER, village, self.since((1, 5)))
        elif urban:
            self.holder(village, PostKind.POLICE_OFFICER, village, station)
        elif shared is None:
            kind = PostKind.POLICE_OFFICER if rng.random() < 0.15 else PostKind.AUXILIARY_POLICE
            self.holder(village, kind, village, station)
        if urban and not vacant:
            aux = 2
            if "auxiliary_police" in gaps:
                aux = 1
                seed.gaps.add((village.pk, "auxiliary_police"))
                if self.left_this_year("auxiliary_police"):
                    end = self.ended(30, 250)
                    self.holder(village, PostKind.AUXILIARY_POLICE, village, station, end=end)
            for _ in range(aux):
                self.holder(village, PostKind.AUXILIARY_POLICE, village, station, years=(0, 4))
        # 三专: the security director and the traffic road chief (rural villages).
        director = self.demo.get("village1")
        for kind in (PostKind.SECURITY_DIRECTOR, PostKind.TRAFFIC_CHIEF):
            if kind == PostKind.SECURITY_DIRECTOR and director and director.area_id == village.pk:
                person = self.person(village, kind, committee, director)
                self.post(person, kind, village, self.since((2, 8)))
            elif not urban:
                if kind not in gaps:
                    self.holder(village, kind, village, committee, years=(0.5, 9))
                    continue
                seed.gaps.add((village.pk, str(kind)))
                if self.left_this_year(kind):
                    self.holder(village, kind, village, committee, end=self.ended(20, 200))
        self.members(village, committee)

    def members(self, village: Area, committee: str) -> None:
        """N员: an information officer, mediators, volunteers, building heads (urban) or
        respected elders (rural), and party members linking households at micro-grids."""
        rng = self.rng
        urban = village.kind == AreaKind.URBAN
        grids = self.children[village.pk]
        microgrids = [m for g in grids for m in self.children[g.pk]]
        places: list[tuple[str, Area, str]] = [
            (MemberType.INFORMATION_OFFICER, village, committee),
            *[(MemberType.MEDIATOR, village, f"{village.name}人民调解委员会")] * rng.choice((1, 2)),
        ]
        volunteers = rng.choice((1, 2)) if urban else rng.choice((0, 0, 1))
        for _ in range(volunteers):
            places.append((MemberType.VOLUNTEER, rng.choice([village, *grids]), ""))
        if urban:
            for grid in grids:
                if rng.random() < 0.2:
                    places.append((MemberType.INFORMATION_OFFICER, grid, committee))
                if rng.random() < 0.3:
                    places.append((MemberType.BUILDING_HEAD, grid, committee))
        else:
            places += [(MemberType.RESPECTED_ELDER, village, "")] * rng.choice((1, 1, 2))
        count = min(len(microgrids), rng.choice((1, 2, 2, 3)))
        for microgrid in rng.sample(microgrids, count):
            places.append((MemberType.PARTY_MEMBER, microgrid, f"{village.name}党支部"))
        member = self.demo.get("member1")
        if member is not None and self.by_id[member.area_id].parent_id == village.pk:
            person = self.person(village, MemberType.INFORMATION_OFFICER, committee, member)
            area = self.by_id[member.area_id]
            self.post(person, PostKind.MEMBER, area, self.since((1, 4)), DEMO_POSTS["member1"][1])
        for member_type, area, employer in places:
            volunteer_unit = f"{village.name}志愿服务队"
            self.holder(
                village,
                PostKind.MEMBER,
                area,
                employer or (volunteer_unit if member_type == MemberType.VOLUNTEER else ""),
                member_type=member_type,
                years=(0, 5),
            )

    def grid(
        self, village: Area, grid: Area, empty: bool, replaced: bool, seed: RosterSeed
    ) -> None:
        committee = village.name + ("居委会" if village.kind == AreaKind.URBAN else "委会")
        worker = self.demo.get("grid1")
        if worker is not None and worker.area_id == grid.pk:
            person = self.person(village, PostKind.GRID_WORKER, committee, worker)
            self.post(person, PostKind.GRID_WORKER, grid, self.since((1, 5)))
            return
        if empty:
            # Half of the empty grids lost their grid worker this year; the others are new
            # grids not yet staffed.
            if self.left_this_year(PostKind.GRID_WORKER):
                self.holder(village, PostKind.GRID_WORKER, grid, committee, end=self.ended())
            seed.gaps.add((grid.pk, "grid_worker"))
            return
        if not replaced:
            self.holder(village, PostKind.GRID_WORKER, grid, committee)
            return
        end = self.ended(5, 340)
        self.holder(village, PostKind.GRID_WORKER, grid, committee, end=end)
        successor = self.person(village, PostKind.GRID_WORKER, committee)
        self.post(successor, PostKind.GRID_WORKER, grid, end + timedelta(days=1))
        seed.replaced += 1


class _Planner:
    """Names, phones and ID numbers that never repeat, and the bulk insert of the plan."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.names = People(rng)
        self.ids = set(Staff.objects.values_list("id_number", flat=True))
        self.phones = set(Staff.objects.values_list("phone", flat=True))

    def phone(self) -> str:
        while (phone := self.names.mobile()) in self.phones:
            pass
        self.phones.add(phone)
        return phone

    def id_number(self, region: str, youngest: int, oldest: int, gender: str) -> str:
        """GB 11643: region, birth date, a sequence whose last digit is odd for men, and
        the check character."""
        latest = self.today.toordinal() - round(365.25 * youngest)
        earliest = self.today.toordinal() - round(365.25 * (oldest + 1)) + 1
        while True:
            born = date.fromordinal(self.rng.randint(earliest, latest))
            sequence = 2 * self.rng.randrange(500) + (gender == Gender.MALE)
            first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number


def _login_of(posts: list[Post], today: date, by_id: dict[int, Area]) -> tuple[str, Area] | None:
    """The role and area `login_sync` gives a login with these posts (None: none open)."""
    held = [p for p in posts if p.start <= today and (p.end is None or p.end > today)]
    for kind, role in LOGIN_ROLES:
        mine = sorted((p for p in held if p.kind == kind), key=lambda p: p.start)
        if not mine:
            continue
        villages = {post.area.pk for post in mine}
        townships = {post.area.parent_id for post in mine}
        if role == Role.POLICE and len(villages) > 1 and len(townships) == 1:
            return role, by_id[townships.pop()]
        return role, mine[0].area
    return None


def _insert(people: list[_Person], today: date, by_id: dict[int, Area]) -> int:
    # The people first (a demo account's login is theirs already): a login is named by the
    # person's roster number, never by their phone.
    for person in people:
        person.staff.user = person.user
    Staff.objects.bulk_create([p.staff for p in people], batch_size=1000)
    users = []
    for person in people:
        if not person.login:
            continue
        staff = person.staff
        login = _login_of(person.posts, today, by_id)
        if login is None:
            # Every post ended: the login keeps its last role and area, switched off (as
            # post_end leaves it).
            as_open = [Post(kind=p.kind, area=p.area, start=p.start) for p in person.posts]
            role, area = _login_of(as_open, today, by_id)
        else:
            role, area = login
        user = User(
            username=f"{STAFF_USERNAME_PREFIX}{staff.pk}",
            role=role,
            area=area,
            last_name=staff.name[:1],
            first_name=staff.name[1:],
            phone=staff.phone,
            is_active=login is not None,
        )
        user.set_unusable_password()
        person.user = staff.user = user
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    Staff.objects.bulk_update([p.staff for p in people if p.login], ["user"], batch_size=1000)
    Post.objects.bulk_create([post for p in people for post in p.posts], batch_size=1000)
    return len(users)


def counties_under(root: Area) -> list[Area]:
    if root.level == AreaLevel.COUNTY:
        return [root]
    return list(tree.in_order(Area.objects.filter(tree.subtree_q(root), level=AreaLevel.COUNTY)))


def seed_roster(*, root: Area, rng: random.Random, today: date) -> RosterSeed:
    """The roster of every county under `root`; the vacant police post lies in the demo
    accounts' county, in a village of its first township (not the accounts' village)."""
    demo = {
        user.username: user
        for user in User.objects.filter(username__in=DEMO_POSTS).select_related("area")
    }
    planner = _Planner(rng, today)
    seed = RosterSeed()
    for number, county in enumerate(counties_under(root)):
        plan = _County(planner, county, demo)
        plan.plan(vacant_police=number == 0, seed=seed)
        seed.logins += _insert(plan.people, today, plan.by_id)
        seed.people += len(plan.people)
        for person in plan.people:
            for post in person.posts:
                if post.end is None:
                    seed.posts[post.kind] += 1
                    if post.member_type:
                        seed.members[post.member_type] += 1
                elif post.end > today - timedelta(days=366):
                    seed.ended += 1
            if person.user is not None and not person.login:  # a demo account
                login_sync(staff=person.staff)
                User.objects.filter(pk=person.staff.user_id).update(phone=person.staff.phone)
    return seed
