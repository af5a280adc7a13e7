"""The roster 一警三专N员: people, their posts, and the login each may have.

A post is a duty held in an area for a period; ending it keeps it (the history is the
ended posts). A staff member's login, when they have one, follows their open posts: its
role and area come from the most senior open post, and a person with no open post cannot
log in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record, changes, snapshot
from governance.platform.calls import CALL_PURPOSE
from governance.platform.locks import STAFF_ID_NUMBER, lock_value
from governance.platform.personal_data import ID_NUMBER, PHONE, lookup_hash
from governance.platform.roles import Role
from governance.platform.validators import (
    USERNAME_PERSONAL_MESSAGE,
    id_number_is_valid,
    mobile_is_valid,
    purpose_errors,
    username_is_personal,
)
from grids import tree
from grids.jurisdiction import can_see
from grids.models import Area, AreaLevel
from personnel.models import EndReason, Gender, MemberType, Post, PostKind, Staff, User
from personnel.selectors import staff_visible_to

# Where each post is held.
POST_LEVELS: dict[str, tuple[str, ...]] = {
    PostKind.POLICE_OFFICER: (AreaLevel.VILLAGE,),
    PostKind.AUXILIARY_POLICE: (AreaLevel.VILLAGE,),
    PostKind.SECURITY_DIRECTOR: (AreaLevel.VILLAGE,),
    PostKind.TRAFFIC_CHIEF: (AreaLevel.VILLAGE,),
    PostKind.GRID_WORKER: (AreaLevel.GRID,),
    PostKind.MEMBER: (AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID),
}
# The party member linking households 党员联户 serves a micro-grid.
MEMBER_TYPE_LEVELS = {MemberType.PARTY_MEMBER: (AreaLevel.MICROGRID,)}
# Where a person may be managed from.
STAFF_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
# A login's role follows the most senior open post (first in this list).
LOGIN_ROLES: list[tuple[str, str]] = [
    (PostKind.POLICE_OFFICER, Role.POLICE),
    (PostKind.AUXILIARY_POLICE, Role.POLICE),
    (PostKind.SECURITY_DIRECTOR, Role.VILLAGE_STAFF),
    (PostKind.TRAFFIC_CHIEF, Role.VILLAGE_STAFF),
    (PostKind.GRID_WORKER, Role.GRID_WORKER),
    (PostKind.MEMBER, Role.MEMBER),
]


# What the audit log keeps of a person of the roster (ID number and phone masked).
STAFF_AUDITED = ("name", "phone", "id_number", "gender", "employer", "area")
POST_AUDITED = ("staff", "kind", "member_type", "area", "start", "end", "end_reason")


def _level_label(levels: tuple[str, ...]) -> str:
    return " / ".join(str(AreaLevel(level).label) for level in levels)


@dataclass
class StaffInput:
    name: str
    phone: str
    id_number: str
    gender: str
    area: Area
    employer: str = ""


def staff_errors(
    *, data: StaffInput, actor: User, staff: Staff | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Give the person's name.")]
    if not mobile_is_valid(data.phone):
        errors["phone"] = [_("Enter an 11-digit mainland mobile number, e.g. 13812345678.")]
    id_number = data.id_number.strip().upper()
    if not id_number_is_valid(id_number):
        errors["id_number"] = [
            _("This is not a valid ID number: 18 characters, the last a check digit or X.")
        ]
    elif (
        staff_visible_to(actor)
        .filter(id_number_hash=lookup_hash(ID_NUMBER, id_number))
        .exclude(pk=getattr(staff, "pk", None))
        .exists()
    ):
        # Only on the actor's own roster: see _on_other_rosters.
        errors["id_number"] = [_("A person with this ID number is already on the roster.")]
    if data.gender not in Gender.values:
        errors["gender"] = [_("Choose male or female.")]
    if data.area is None or not can_see(actor, data.area):
        errors["area"] = [_("Choose an area in your jurisdiction.")]
    elif data.area.level not in STAFF_LEVELS:
        errors["area"] = [
            _("A person is managed by a %(levels)s.") % {"levels": _level_label(STAFF_LEVELS)}
        ]
    elif staff is not None:
        outside = staff.posts.filter(end__isnull=True).exclude(tree.subtree_q(data.area, "area__"))
        if outside.exists():
            errors["area"] = [
                _("The person holds open posts outside this area; end or move them first.")
            ]
    return errors


def _clean_phone(phone: str) -> str:
    digits = phone.strip().replace(" ", "").replace("-", "")
    return digits.removeprefix("+86")


def _on_other_rosters(*, actor: User, staff: Staff) -> None:
    """Record that `staff`'s ID number is on rosters the actor may not see (staff_errors has
    refused any they may see).

    An ID number is unique within each centre's roster, not across the county. A clash
    inside it keeps its helpful message: the person is visible anyway. A clash outside it is
    no error: any answer the actor could tell from an unknown number's would tell them the
    number is on another township's roster. So the person is added as an unknown one would
    be, and the clash goes to the audit log against the other record (in its area, where the
    county's administrators read it), for the county to see and settle."""
    others = Staff.objects.filter(id_number_hash=staff.id_number_hash).exclude(pk=staff.pk)
    for other in others.only("pk", "area"):
        audit_record(
            action="staff.duplicate",
            actor=actor,
            obj=other,
            area_id=other.area_id,
            new={"added_as": staff.pk},
        )


@transaction.atomic
def staff_create(*, data: StaffInput, actor: User) -> Staff:
    # The check of the ID number and the save, one writer of the number at a time.
    lock_value(STAFF_ID_NUMBER, data.id_number.strip().upper())
    if errors := staff_errors(data=data, actor=actor):
        raise ValidationError(errors)
    phone, id_number = _clean_phone(data.phone), data.id_number.strip().upper()
    staff = Staff.objects.create(
        name=data.name.strip(),
        phone=phone,
        phone_hash=lookup_hash(PHONE, phone),
        id_number=id_number,
        id_number_hash=lookup_hash(ID_NUMBER, id_number),
        gender=data.gender,
        employer=data.employer.strip(),
        area=data.area,
    )
    audit_record(
        action="staff.create",
        actor=actor,
        obj=staff,
        area_id=staff.area_id,
        new=snapshot(staff, STAFF_AUDITED),
    )
    _on_other_rosters(actor=actor, staff=staff)
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, data: StaffInput, actor: User) -> Staff:
    lock_value(STAFF_ID_NUMBER, data.id_number.strip().upper())
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if errors := staff_errors(data=data, actor=actor, staff=staff):
        raise ValidationError(errors)
    before = snapshot(staff, STAFF_AUDITED)
    staff.name = data.name.strip()
    staff.phone = _clean_phone(data.phone)
    staff.phone_hash = lookup_hash(PHONE, staff.phone)
    staff.id_number = data.id_number.strip().upper()
    staff.id_number_hash = lookup_hash(ID_NUMBER, staff.id_number)
    staff.gender = data.gender
    staff.employer = data.employer.strip()
    staff.area = data.area
    staff.save()
    old, new = changes(before, snapshot(staff, STAFF_AUDITED))
    if new:
        audit_record(
            action="staff.update", actor=actor, obj=staff, area_id=staff.area_id, old=old, new=new
        )
    if staff.id_number != before["id_number"]:
        _on_other_rosters(actor=actor, staff=staff)
    if staff.user_id:
        User.objects.filter(pk=staff.user_id).update(
            phone=staff.phone, last_name=staff.name[:1], first_name=staff.name[1:]
        )
    return staff


def post_errors(
    *, staff: Staff, kind: str, member_type: str, area: Area | None, start: date | None, actor: User
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in PostKind.values:
        return {"kind": [_("Choose a post.")]}
    if kind == PostKind.MEMBER and member_type not in MemberType.values:
        errors["member_type"] = [_("Choose the member's type (information officer, mediator…).")]
    if kind != PostKind.MEMBER and member_type:
        errors["member_type"] = [_("Only an N member has a member type.")]
    if start is None:
        errors["start"] = [_("Give the date the post starts.")]
    if area is None or not can_see(actor, area):
        errors["area"] = [_("Choose an area in your jurisdiction.")]
        return errors
    levels = MEMBER_TYPE_LEVELS.get(member_type, POST_LEVELS[kind])
    if area.level not in levels:
        errors["area"] = [
            _("A %(post)s serves a %(levels)s, not a %(level)s.")
            % {
                "post": MemberType(member_type).label if member_type else PostKind(kind).label,
                "levels": _level_label(levels),
                "level": AreaLevel(area.level).label,
            }
        ]
    elif not tree.is_within(area, staff.area):
        errors["area"] = [
            _("%(area)s is outside %(managed)s, which manages this person.")
            % {"area": area.name, "managed": staff.area.name}
        ]
    elif kind == PostKind.GRID_WORKER:
        holder = (
            Post.objects.filter(area=area, kind=kind, end__isnull=True)
            .select_related("staff")
            .first()
        )
        if holder is not None:
            errors["area"] = [
                _("%(grid)s already has a grid worker, %(name)s: end that post first.")
                % {"grid": area.name, "name": holder.staff.name}
            ]
    if (
        not errors
        and staff.posts.filter(
            kind=kind, member_type=member_type, area=area, end__isnull=True
        ).exists()
    ):
        errors["kind"] = [_("The person already holds this post here.")]
    return errors


@transaction.atomic
def post_add(
    *,
    staff: Staff,
    kind: str,
    area: Area | None,
    start: date | None = None,
    member_type: str = "",
    actor: User,
) -> Post:
    staff = Staff.objects.select_for_update().select_related("area").get(pk=staff.pk)
    start = start or timezone.localdate()
    if errors := post_errors(
        staff=staff, kind=kind, member_type=member_type, area=area, start=start, actor=actor
    ):
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            post = Post.objects.create(
                staff=staff, kind=kind, member_type=member_type, area=area, start=start
            )
            audit_record(
                action="post.add",
                actor=actor,
                obj=post,
                area_id=post.area_id,
                new=snapshot(post, POST_AUDITED),
            )
    except IntegrityError:  # another centre filled the grid at the same moment
        raise ValidationError(
            {
                "area": [
                    _("%(grid)s already has a grid worker: end that post first.") % {"grid": area}
                ]
            }
        ) from None
    login_sync(staff=staff, actor=actor)
    return post


@transaction.atomic
def post_end(
    *,
    post: Post,
    actor: User,
    end: date | None = None,
    reason: str = EndReason.OTHER,
    note: str = "",
) -> Post:
    """End a post (it stays in the history); the login follows the posts still open."""
    post = Post.objects.select_for_update().select_related("staff", "area").get(pk=post.pk)
    end = end or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if post.end is not None:
        errors["end"] = [_("This post already ended on %(day)s.") % {"day": post.end}]
    elif end < post.start:
        errors["end"] = [_("A post cannot end before it started (%(day)s).") % {"day": post.start}]
    if reason not in EndReason.values:
        errors["reason"] = [_("Choose why the post ends.")]
    if not can_see(actor, post.area):
        errors["area"] = [_("This post is outside your jurisdiction.")]
    if errors:
        raise ValidationError(errors)
    before = snapshot(post, POST_AUDITED)
    post.end = end
    post.end_reason = reason
    post.end_note = note.strip()
    post.save(update_fields=["end", "end_reason", "end_note"])
    old, new = changes(before, snapshot(post, POST_AUDITED))
    audit_record(action="post.end", actor=actor, obj=post, area_id=post.area_id, old=old, new=new)
    login_sync(staff=post.staff, actor=actor)
    return post


def _login_post(posts: list[Post]) -> tuple[str, Area] | None:
    """The role and area a login gets from these open posts."""
    for kind, role in LOGIN_ROLES:
        held = [post for post in posts if post.kind == kind]
        if not held:
            continue
        areas = {post.area_id: post.area for post in held}
        if len(areas) == 1 or role != Role.POLICE:
            return role, held[0].area
        # An officer covering several villages sees their township.
        townships = {area.parent_id for area in areas.values()}
        if len(townships) == 1:
            return role, Area.objects.get(pk=townships.pop())
        return role, held[0].area
    return None


def login_post(*, staff: Staff, day: date | None = None) -> tuple[str, Area] | None:
    """The role and area the staff member's login gets from their posts open on `day`
    (today)."""
    today = day or timezone.localdate()
    posts = list(
        staff.posts.filter(Q(end__isnull=True) | Q(end__gt=today), start__lte=today)
        .select_related("area")
        .order_by("start", "id")
    )
    return _login_post(posts)


@transaction.atomic
def login_sync(*, staff: Staff, day: date | None = None, actor: User | None = None) -> None:
    """Keep the staff member's login consistent with their posts open on `day` (today);
    a change of role, area or access goes to the audit log (`actor`: who moved the posts,
    none for the daily task)."""
    if staff.user_id is None:
        return
    chosen = login_post(staff=staff, day=day)
    login = User.objects.filter(pk=staff.user_id)
    before = login.values("role", "area", "is_active").get()
    if chosen is None:
        after = {"is_active": False}
    else:
        role, area = chosen
        after = {"is_active": True, "role": role, "area": area.pk}
    old, new = changes(before, after)
    if not new:
        return
    login.update(**{("area_id" if key == "area" else key): value for key, value in new.items()})
    audit_record(
        action="user.update",
        actor=actor,
        object_type="user",
        object_id=staff.user_id,
        area_id=new.get("area") or before["area"],
        old=old,
        new=new,
    )


def logins_sync_due(*, day: date | None = None) -> int:
    """Re-sync the logins of people whose post starts or ends on `day` (today): a post
    given from a later date, or ended as of a later date, changes the login only then.
    Run daily; idempotent."""
    day = day or timezone.localdate()
    due = Staff.objects.filter(user__isnull=False).filter(Q(posts__start=day) | Q(posts__end=day))
    count = 0
    for staff in due.distinct().only("id", "user_id"):
        login_sync(staff=staff, day=day)
        count += 1
    return count


@transaction.atomic
def staff_grant_login(*, staff: Staff, username: str, password: str, actor: User) -> User:
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    errors: dict[str, list[str]] = {}
    if staff.user_id:
        errors["username"] = [_("This person already has a login.")]
    username = username.strip()
    if not username:
        errors["username"] = [_("Choose a username.")]
    elif username_is_personal(username):
        errors["username"] = [str(USERNAME_PERSONAL_MESSAGE)]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken: choose another.")]
    user = User(
        username=username,
        last_name=staff.name[:1],
        first_name=staff.name[1:],
        phone=staff.phone,
    )
    try:
        # With the user, so that a password like the username or the name is refused too.
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = error.messages
    if not staff.posts.filter(end__isnull=True).exists():
        errors["username"] = [_("Give the person a post first: the login follows the post.")]
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.save()
    staff.user = user
    staff.save(update_fields=["user", "updated_at"])
    audit_record(
        action="user.create",
        actor=actor,
        obj=user,
        area_id=staff.area_id,
        new={"username": user.username, "staff": staff.pk},
    )
    login_sync(staff=staff, actor=actor)
    user.refresh_from_db()
    return user


@transaction.atomic
def staff_reveal(*, staff: Staff, actor: User, reason: str) -> dict[str, str]:
    """The full ID number and phone, for a stated purpose written to the audit log
    (staff.reveal); refused with a field message without one."""
    reason = (reason or "").strip()
    if errors := purpose_errors(reason):
        raise ValidationError(errors)
    audit_record(
        action="staff.reveal",
        actor=actor,
        obj=staff,
        area_id=staff.area_id,
        new={"purpose": reason},
    )
    return {"id_number": staff.id_number, "phone": staff.phone}


@transaction.atomic
def staff_call(*, staff: Staff, actor: User) -> str:
    """A colleague's full mobile for a call from the roster (the viewer sees the person, the
    number stays masked on the pages); logged as staff.call with its purpose."""
    audit_record(
        action="staff.call",
        actor=actor,
        obj=staff,
        area_id=staff.area_id,
        new={"purpose": CALL_PURPOSE},
    )
    return staff.phone
