"""Urgent instructions 预警指令: one short message to everyone holding given posts in a
subtree. Sending is three set-based statements (the receipts, the inbox rows of those with
a login, one outgoing message per phone) and batched delivery tasks after the commit; ten
thousand recipients take seconds. Reading it in the app (or a centre recording a phone
confirmation) is the read receipt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from campaigns.models import Instruction, InstructionReceipt
from governance.platform.resends import once
from grids import tree
from grids.jurisdiction import (
    can_confirm_receipts,
    can_organise,
    can_see,
    jurisdiction_root,
    scope,
    sees_everything,
)
from grids.models import Area, AreaLevel
from notifications.channels import outgoing_channel_name
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind
from notifications.services import outgoing_is_paused, schedule_in_batches
from personnel.models import MemberType, PostKind, Staff, User
from personnel.selectors import open_posts_sql

TITLE_MAX = 60
BODY_MAX = 400


@dataclass
class InstructionInput:
    title: str
    body: str
    area: Area
    post_kinds: list[str]
    member_types: list[str]
    client_uuid: uuid.UUID | None = None


def instruction_errors(*, actor: User, data: InstructionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors["title"] = [_("Give the instruction a title.")]
    elif len(data.title) > TITLE_MAX:
        errors["title"] = [_("Keep the title to %(max)s characters.") % {"max": TITLE_MAX}]
    if not data.body.strip():
        errors["body"] = [_("Write the message.")]
    elif len(data.body) > BODY_MAX:
        errors["body"] = [
            _("Keep the message to %(max)s characters: it goes out by SMS.") % {"max": BODY_MAX}
        ]
    if data.area.level in (AreaLevel.GRID, AreaLevel.MICROGRID):
        errors["area"] = [_("Send to a county, township or village.")]
    elif not can_see(actor, data.area):
        errors["area"] = [_("This area lies outside your jurisdiction.")]
    if not data.post_kinds:
        errors["post_kinds"] = [_("Choose who receives it.")]
    elif unknown := [kind for kind in data.post_kinds if kind not in PostKind.values]:
        errors["post_kinds"] = [_("Unknown post: %(kinds)s.") % {"kinds": ", ".join(unknown)}]
    if unknown := [kind for kind in data.member_types if kind not in MemberType.values]:
        errors["member_types"] = [
            _("Unknown member type: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        ]
    return errors


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def instruction_send(*, actor: User, data: InstructionInput) -> Instruction:
    """Send it; the same client UUID again (a double tap on "Send") returns what was sent
    and sends nothing more."""
    if not can_organise(actor):
        raise PermissionDenied(_("Only the county and township centres send instructions."))
    return once(
        instructions_visible_to(actor),
        client_uuid=data.client_uuid,
        actor=actor,
        make=lambda: _send(actor, data),
    )


def _send(actor: User, data: InstructionInput) -> Instruction:
    errors = instruction_errors(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instruction = Instruction.objects.create(
            title=data.title.strip(),
            body=data.body.strip(),
            area=data.area,
            post_kinds=sorted(set(data.post_kinds)),
            member_types=sorted(set(data.member_types)),
            client_uuid=data.client_uuid,
            created_by=actor,
        )
        now = timezone.now()
        _insert_receipts(instruction, now)
        count = instruction.receipts.count()
        if not count:
            raise ValidationError({"post_kinds": [_("Nobody in this area holds these posts.")]})
        instruction.recipient_count = count
        instruction.save(update_fields=["recipient_count"])
        audit_record(
            action="instruction.send",
            actor=actor,
            obj=instruction,
            area_id=instruction.area_id,
            new={
                "title": instruction.title,
                "area": instruction.area_id,
                "post_kinds": instruction.post_kinds,
                "member_types": instruction.member_types,
                "recipients": count,
            },
        )
        _insert_inbox(instruction, now)
        ids = _insert_outgoing(instruction, now)
        if ids:
            transaction.on_commit(lambda: schedule_in_batches(ids), robust=True)
    return instruction


def _insert_receipts(instruction: Instruction, now) -> None:
    """One receipt per person holding a chosen post in the area, however many posts."""
    posts, params = open_posts_sql(
        area=instruction.area,
        kinds=list(instruction.post_kinds),
        member_types=list(instruction.member_types),
        day=timezone.localdate(now),
    )
    sql = f"""
        INSERT INTO {_table(InstructionReceipt)} (instruction_id, staff_id, user_id, area_id)
        SELECT %s, s.id, s.user_id, s.area_id
        FROM {_table(Staff)} s
        WHERE s.id IN (SELECT held.staff_id FROM ({posts}) held)
        ORDER BY s.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [instruction.pk, *params])


def _message(instruction: Instruction) -> str:
    return (
        _("[Urgent instruction] %(title)s: %(body)s")
        % {
            "title": instruction.title,
            "body": instruction.body,
        }
    )[:500]


def _insert_inbox(instruction: Instruction, now) -> None:
    sql = f"""
        INSERT INTO {_table(Notification)} (recipient_id, kind, text, created_at, instruction_id)
        SELECT r.user_id, %s, %s, %s, r.instruction_id
        FROM {_table(InstructionReceipt)} r JOIN {_table(User)} u ON u.id = r.user_id
        WHERE r.instruction_id = %s AND u.is_active
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [NotificationKind.INSTRUCTION, _message(instruction), now, instruction.pk]
        )


def _insert_outgoing(instruction: Instruction, now) -> list[int]:
    """One message to each recipient's roster phone, login or not; returns their ids."""
    channel = outgoing_channel_name()
    if not channel or outgoing_is_paused():
        return []
    sql = f"""
        INSERT INTO {_table(Delivery)}
            (notification_id, phone, kind, channel, text, status, attempts, last_error,
             due_at, created_at)
        SELECT NULL, s.phone, %s, %s, %s, %s, 0, '', %s, %s
        FROM {_table(InstructionReceipt)} r JOIN {_table(Staff)} s ON s.id = r.staff_id
        WHERE r.instruction_id = %s AND s.phone <> ''
        RETURNING id
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                NotificationKind.INSTRUCTION,
                channel,
                _message(instruction),
                DeliveryStatus.PENDING,
                now,
                now,
                instruction.pk,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


# --- Reading ---------------------------------------------------------------------------------


def instructions_visible_to(user: User) -> QuerySet[Instruction]:
    """Those sent over the user's subtree, those the user received, and for the centres and
    village staff those sent over an area above theirs (a village's staff confirm the
    township's instruction for their village). Nobody else sees an instruction that was
    not sent to them: a description for the police is not every member's to read."""
    if sees_everything(user):
        return Instruction.objects.all()
    root = jurisdiction_root(user)
    if root is None:
        return Instruction.objects.none()
    own = scope(user, Instruction.objects.all(), via="area")
    received = Instruction.objects.filter(receipts__user=user)
    if not can_confirm_receipts(user):
        return (own | received).distinct()
    covering = Instruction.objects.filter(area__in=tree.ancestors(root))
    return (own | covering | received).distinct()


def instruction_recipient_count(*, data: InstructionInput) -> int:
    """How many people sending would reach: the distinct staff holding the chosen open
    posts in the area, by the same SQL the send's INSERT … SELECT uses."""
    posts, params = open_posts_sql(
        area=data.area,
        kinds=list(data.post_kinds),
        member_types=list(data.member_types),
        day=timezone.localdate(),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT held.staff_id) FROM ({posts}) held", params)
        return cursor.fetchone()[0]


def instruction_for(*, user: User, pk: int) -> Instruction | None:
    return instructions_visible_to(user).select_related("area", "created_by").filter(pk=pk).first()


def instructions_unread_by(user: User) -> QuerySet[Instruction]:
    """The instructions the user received and has not opened yet (their to do)."""
    unread = InstructionReceipt.objects.filter(user=user, read_at__isnull=True)
    return instructions_visible_to(user).filter(pk__in=unread.values("instruction_id"))


def instructions_list(
    *, user: User, query: str = "", unread: bool = False
) -> QuerySet[Instruction]:
    instructions = instructions_unread_by(user) if unread else instructions_visible_to(user)
    instructions = instructions.select_related("area", "created_by")
    if query:
        instructions = instructions.filter(Q(title__icontains=query) | Q(body__icontains=query))
    read = Q(receipts__read_at__isnull=False)
    return instructions.annotate(read=Count("receipts", filter=read)).order_by("-created_at", "-id")


def receipts_visible_to(user: User, instruction: Instruction) -> QuerySet[InstructionReceipt]:
    return scope(user, instruction.receipts.all(), via="area")


@dataclass
class ReceiptSummary:
    recipients: int
    read: int
    confirmed_by_phone: int
    with_login: int

    @property
    def unread(self) -> int:
        return self.recipients - self.read


def receipt_summary(*, instruction: Instruction, user: User) -> ReceiptSummary:
    counts = receipts_visible_to(user, instruction).aggregate(
        recipients=Count("pk"),
        read=Count("pk", filter=Q(read_at__isnull=False)),
        confirmed_by_phone=Count("pk", filter=Q(confirmed_by__isnull=False)),
        with_login=Count("pk", filter=Q(user__isnull=False)),
    )
    return ReceiptSummary(**counts)


def receipts_by_area(*, instruction: Instruction, user: User) -> list[dict]:
    """Recipients and readers per managing unit (village, or township for its own staff)."""
    rows = (
        receipts_visible_to(user, instruction)
        .values("area_id", "area__name", "area__tree_id", "area__lft")
        .annotate(total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)))
        .order_by("area__tree_id", "area__lft")
    )
    return [
        {"id": r["area_id"], "name": r["area__name"], "total": r["total"], "read": r["read"]}
        for r in rows
    ]


def instruction_read(*, instruction: Instruction, user: User) -> bool:
    """The user opened the instruction: their receipt and inbox row are read. Returns
    whether this was the first reading."""
    now = timezone.now()
    first = InstructionReceipt.objects.filter(
        instruction=instruction, user=user, read_at__isnull=True
    ).update(read_at=now)
    Notification.objects.filter(
        instruction=instruction, recipient=user, read_at__isnull=True
    ).update(read_at=now)
    return bool(first)


def receipts_confirm(*, instruction: Instruction, actor: User, receipt_ids: list[int]) -> int:
    """A centre (or the village staff) records that these recipients confirmed by phone."""
    if not can_confirm_receipts(actor):
        raise PermissionDenied(_("Only the centres and village staff record confirmations."))
    with transaction.atomic():
        confirmed = (
            receipts_visible_to(actor, instruction)
            .filter(pk__in=receipt_ids, read_at__isnull=True)
            .update(read_at=timezone.now(), confirmed_by=actor)
        )
        if confirmed:
            audit_record(
                action="instruction.confirm",
                actor=actor,
                obj=instruction,
                area_id=instruction.area_id,
                new={"confirmed": confirmed},
            )
    return confirmed
