from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.platform.personal_data import ID_NUMBER, PHONE, lookup_hash
from grids import tree
from grids.jurisdiction import jurisdiction_root, scope
from grids.models import Area
from personnel.models import Post, PostKind, Staff, User


def staff_visible_to(user: User) -> QuerySet[Staff]:
    """The roster a user sees: people managed within their subtree."""
    return scope(user, Staff.objects.all(), via="area")


def posts_open_on(day: date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


def staff_list(
    *,
    user: User,
    query: str = "",
    area: Area | None = None,
    kind: str = "",
    member_type: str = "",
    active: bool | None = None,
) -> QuerySet[Staff]:
    """The roster with its open posts prefetched (two queries per page)."""
    staff = staff_visible_to(user)
    if query:
        # Numbers are masked on every page: matched whole or not at all, never by a part that
        # would let a search uncover the masked digits one by one.
        # Both numbers are encrypted at rest: found by their keyed hashes.
        staff = staff.filter(
            Q(name__icontains=query)
            | Q(phone_hash=lookup_hash(PHONE, query))
            | Q(id_number_hash=lookup_hash(ID_NUMBER, query))
        )
    today = timezone.localdate()
    posts = Post.objects.filter(posts_open_on(today))
    if area is not None:
        staff = staff.filter(
            Q(posts__in=posts.filter(tree.subtree_q(area, "area__")))
            | Q(tree.subtree_q(area, "area__"))
        )
    if kind:
        staff = staff.filter(posts__in=posts.filter(kind=kind))
    if member_type:
        staff = staff.filter(posts__in=posts.filter(member_type=member_type))
    if active is True:
        staff = staff.filter(posts__in=posts)
    elif active is False:
        staff = staff.exclude(posts__in=posts)
    open_posts = Prefetch(
        "posts",
        queryset=posts.select_related("area").order_by("start", "id"),
        to_attr="open_posts",
    )
    return (
        staff.distinct()
        .select_related("area", "user")
        .prefetch_related(open_posts)
        .order_by("area__code", "name", "id")
    )


def staff_detail(*, user: User, pk: int) -> Staff | None:
    return staff_visible_to(user).select_related("area", "user").filter(pk=pk).first()


def staff_posts(*, staff: Staff) -> QuerySet[Post]:
    """Every post the person has held, open ones first, then the history."""
    return staff.posts.select_related("area", "area__parent").order_by("end", "-start", "-id")


def posts_visible_to(user: User) -> QuerySet[Post]:
    return scope(user, Post.objects.all(), via="area")


def staff_post_counts(*, user: User) -> dict[str, int]:
    """Open posts by kind in the user's jurisdiction, for the roster's header."""
    rows = (
        posts_visible_to(user)
        .filter(posts_open_on(timezone.localdate()))
        .values("kind")
        .annotate(total=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["total"] for row in rows}


# --- Routing a case's assignment line by the roster ----------------------------------

# Who takes each line of a village case, in order of preference: the first post held.
LINE_POSTS = {
    "police": [("village", PostKind.POLICE_OFFICER), ("village", PostKind.AUXILIARY_POLICE)],
    "political_legal": [("village", PostKind.SECURITY_DIRECTOR), ("grid", PostKind.GRID_WORKER)],
}


@dataclass
class RoutedLine:
    line: str
    unit: str
    handler: object | None  # personnel.User
    staff: Staff | None
    routing_note: str


def _township_centre(township: Area) -> str:
    return _("%(township)s governance centre") % {"township": township.name}


def _police_station(township: Area) -> str:
    stem = township.name
    for suffix in ("街道", "镇", "乡"):
        if stem.endswith(suffix):
            stem = stem.removesuffix(suffix)
            break
    return _("%(place)s police station") % {"place": stem}


def _serves(user: User, case) -> bool:
    """Whether the post holder's login sees the case's grid: their jurisdiction root is the
    grid or one of its stored ancestors (the same answer as `can_see`, without a query)."""
    if not (user.is_active and user.area_id):
        return False
    root = jurisdiction_root(user)
    ancestors = (case.grid_id, case.village_id, case.township_id, case.county_id)
    return root is not None and root.pk in ancestors


def line_routing(*, case, line: str) -> RoutedLine:
    """Where the roster sends one assignment line of `case` (its village and grid)."""
    if case.level != "village":
        unit = (
            _police_station(case.township)
            if line == "police" and case.level == "township"
            else _township_centre(case.township)
            if case.level == "township"
            else _("%(county)s governance centre") % {"county": case.county.name}
        )
        return RoutedLine(line, unit, None, None, _("Handled by the unit at the case's level."))
    today = timezone.localdate()
    wanted = Q()
    for where, kind in LINE_POSTS[line]:
        wanted |= Q(area_id=case.village_id if where == "village" else case.grid_id, kind=kind)
    holders = {
        post.kind: post
        for post in Post.objects.filter(wanted, posts_open_on(today))
        .select_related("staff", "staff__user__area", "area")
        .order_by("-start", "-id")
    }
    for _where, kind in LINE_POSTS[line]:
        post = holders.get(kind)
        if post is None:
            continue
        staff = post.staff
        unit = f"{post.area.name}{PostKind(kind).label}"
        handler = staff.user if staff.user_id else None
        if handler is not None and not _serves(handler, case):
            handler = None
        note = _("From the roster: %(name)s, %(post)s of %(area)s.") % {
            "name": staff.name,
            "post": PostKind(kind).label,
            "area": post.area.name,
        }
        if handler is None:
            note += " " + _("They have no login: the centre records their handling.")
        return RoutedLine(line, unit, handler, staff, note)
    vacant = " / ".join(str(PostKind(kind).label) for _where, kind in LINE_POSTS[line])
    return RoutedLine(
        line,
        _township_centre(case.township),
        None,
        None,
        _("The %(village)s post of %(posts)s is vacant: the township centre takes the line.")
        % {"village": case.village.name, "posts": vacant},
    )


def staff_of_user(user: User) -> Staff | None:
    return Staff.objects.filter(user=user).first() if user is not None else None


def open_posts_sql(
    *, area: Area, kinds: list[str], member_types: list[str], day
) -> tuple[str, list]:
    """SQL (and its parameters) selecting `staff_id, area_id` of the posts of `kinds` open on
    `day` in area's subtree; N members only of `member_types` when any are given. For the
    set-based fan-outs (campaigns, instructions) that INSERT … SELECT from it."""
    post = connection.ops.quote_name(Post._meta.db_table)
    areas = connection.ops.quote_name(Area._meta.db_table)
    params: list = [area.tree_id, area.lft, area.rght, day, *kinds]
    member_filter = ""
    if member_types:
        member_filter = "AND (p.kind <> %s OR p.member_type IN ({}))".format(
            ", ".join(["%s"] * len(member_types))
        )
        params += [PostKind.MEMBER, *member_types]
    sql = f"""
        SELECT p.staff_id, p.area_id FROM {post} p JOIN {areas} a ON a.id = p.area_id
        WHERE a.tree_id = %s AND a.lft >= %s AND a.rght <= %s
          AND p."end" IS NULL AND p.start <= %s
          AND p.kind IN ({", ".join(["%s"] * len(kinds))}) {member_filter}
    """
    return sql, params


def staff_to_choose(*, user: User, query: str = "", active: bool = False) -> QuerySet[Staff]:
    """A chooser's search of the roster: by name (numbers are never searched by a part:
    staff_list), within the jurisdiction; `active` keeps those holding a post today."""
    staff = staff_visible_to(user)
    if query:
        staff = staff.filter(name__icontains=query)
    if active:
        open_posts = Post.objects.filter(posts_open_on(timezone.localdate()))
        staff = staff.filter(pk__in=open_posts.values("staff_id"))
    return staff.select_related("area").order_by("name", "area__code", "pk")
