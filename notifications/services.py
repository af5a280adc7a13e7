"""Writes of notifications: the inbox rows, their outgoing deliveries, and read marks.

`notify` never sends anything itself: it writes rows, and after the transaction commits one
Celery task per call sends the outgoing messages. A delivery whose task never ran (the
broker was down) is picked up by the periodic `deliver_pending`, so none is lost."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from governance.platform.roles import FIELD_ROLES
from notifications.channels import ChannelError, Message, channel_named, outgoing_channel_name
from notifications.models import Delivery, DeliveryStatus, Notification

if TYPE_CHECKING:
    from disputes.models import Case
    from personnel.models import User

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8 and 16 minutes
CLAIM_LEASE = timedelta(minutes=10)  # a claim older than this belongs to a dead worker
SEND_BATCH = 500  # deliveries per task of a fan-out: ten thousand messages are twenty tasks
SEND_CHUNK = 50  # claimed and sent together; at 5 s a message this is well inside the lease
STALE_AFTER = timedelta(minutes=5)  # a delivery due this long ago lost its task

# Under outgoing_paused() notify() writes inbox rows only: no outgoing messages, no task.
# Used when seeding historical data, where sending thousands of SMS would be wrong.
_outgoing_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_outgoing_paused", default=False
)


@contextlib.contextmanager
def outgoing_paused() -> Iterator[None]:
    token = _outgoing_paused.set(True)
    try:
        yield
    finally:
        _outgoing_paused.reset(token)


def outgoing_is_paused() -> bool:
    return _outgoing_paused.get()


@dataclass(frozen=True)
class Notice:
    """One inbox row to write. The recipient needs `pk`, `is_active`, `role` and `phone`
    loaded."""

    recipient: User
    case_id: int | None
    text: str


@dataclass(frozen=True)
class Digest:
    """How a sweep groups: a person with several notices in one batch gets one message,
    `text(their notices)`, linking to `link` (the case list filtered to such cases)."""

    text: Callable[[list[Notice]], str]
    link: str


def sends_outgoing(user: User) -> bool:
    """The one rule for the outgoing channel: people of the field roles with a phone. The
    centres work at a desk and read the inbox (its unread count is in every page's header)."""
    return user.role in FIELD_ROLES and bool(user.phone.strip())


def notify(
    *, recipients: Iterable[User], kind: str, case: Case | None, text: str
) -> list[Notification]:
    case_id = case.pk if case is not None else None
    return notify_many(
        kind=kind,
        notices=[Notice(recipient=user, case_id=case_id, text=text) for user in recipients],
    )


def notify_many(
    *, kind: str, notices: Iterable[Notice], digest: Digest | None = None
) -> list[Notification]:
    """Write many inbox rows in bulk (a sweep's whole batch) and schedule one task to send
    their outgoing messages. Inactive users and repeats of (recipient, case) are skipped;
    with a `digest`, a person with several notices gets that one message instead."""
    seen: set[tuple[int, int | None]] = set()
    mine: dict[int, list[Notice]] = {}
    for notice in notices:
        key = (notice.recipient.pk, notice.case_id)
        if not notice.recipient.is_active or key in seen:
            continue
        seen.add(key)
        mine.setdefault(notice.recipient.pk, []).append(notice)
    rows: list[Notification] = []
    outgoing: list[bool] = []
    for theirs in mine.values():
        first = theirs[0]
        if digest is not None and len(theirs) > 1:
            row = Notification(
                recipient_id=first.recipient.pk,
                kind=kind,
                text=digest.text(theirs)[:500],
                link=digest.link,
            )
            rows.append(row)
            outgoing.append(sends_outgoing(first.recipient))
            continue
        for notice in theirs:
            rows.append(
                Notification(
                    recipient_id=notice.recipient.pk,
                    kind=kind,
                    case_id=notice.case_id,
                    text=notice.text[:500],
                )
            )
            outgoing.append(sends_outgoing(notice.recipient))
    created = Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    channel = outgoing_channel_name()
    if channel and not _outgoing_paused.get():
        now = timezone.now()
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(notification=notification, channel=channel, due_at=now)
                for notification, sends in zip(created, outgoing, strict=True)
                if sends
            ],
            batch_size=BATCH_SIZE,
        )
        if deliveries:
            ids = [delivery.pk for delivery in deliveries]
            # robust: a broker that is down must not fail the request that already
            # committed; the rows stay pending and deliver_pending sends them later.
            transaction.on_commit(lambda: _schedule_delivery(ids), robust=True)
    return created


def notify_all(*, kind: str, text: str, users: QuerySet) -> int:
    """The same message to every active user of `users` (a queryset: no rows in Python):
    the inbox rows and the outgoing messages (sends_outgoing's rule, in SQL) are two
    INSERT … SELECT,
    sent after commit by delivery tasks of SEND_BATCH. Returns how many were told."""
    User = get_user_model()
    now = timezone.now()
    table = connection.ops.quote_name
    chosen, params = users.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(Notification._meta.db_table)} (recipient_id, kind, text, created_at)
            SELECT u.id, %s, %s, %s FROM {table(User._meta.db_table)} u
            WHERE u.is_active AND u.id IN ({chosen})
            RETURNING id
            """,
            [kind, text[:500], now, *params],
        )
        ids = [row[0] for row in cursor.fetchall()]
        channel = outgoing_channel_name()
        if not ids or not channel or _outgoing_paused.get():
            return len(ids)
        # This batch's rows: its kind, text and moment (to the microsecond).
        cursor.execute(
            f"""
            INSERT INTO {table(Delivery._meta.db_table)}
                (notification_id, phone, kind, channel, text, status, attempts, last_error,
                 due_at, created_at)
            SELECT n.id, '', '', %s, '', %s, 0, '', %s, %s
            FROM {table(Notification._meta.db_table)} n
            JOIN {table(User._meta.db_table)} u ON u.id = n.recipient_id
            WHERE n.kind = %s AND n.text = %s AND n.created_at = %s AND u.phone <> ''
                AND u.role IN ({", ".join(["%s"] * len(FIELD_ROLES))})
            RETURNING id
            """,
            [channel, DeliveryStatus.PENDING, now, now, kind, text[:500], now, *FIELD_ROLES],
        )
        deliveries = [row[0] for row in cursor.fetchall()]
    if deliveries:
        transaction.on_commit(lambda: schedule_in_batches(deliveries), robust=True)
    return len(ids)


def schedule_in_batches(ids: list[int]) -> None:
    for start in range(0, len(ids), SEND_BATCH):
        _schedule_delivery(ids[start : start + SEND_BATCH])


def _schedule_delivery(ids: list[int]) -> None:
    from notifications.tasks import deliver

    # No publish retries: rather than wait for a broker that is down, leave the rows
    # to deliver_pending.
    deliver.apply_async(args=[ids], retry=False)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those of `ids`) read; returns how many.
    Other users' ids are ignored."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    retry: list[int] = field(default_factory=list)  # still pending after a failed attempt
    retry_in: timedelta = FIRST_RETRY

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "retry": len(self.retry)}


def retry_delay(attempts: int) -> timedelta:
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


def deliveries_send(*, ids: Iterable[int]) -> SendResult:
    """Send the pending deliveries of `ids` that no other worker holds; others are skipped."""
    ids = list(ids)
    result = SendResult()
    for start in range(0, len(ids), SEND_CHUNK):
        for delivery, token in _claim(ids[start : start + SEND_CHUNK]):
            _send_one(delivery, token, result)
    return result


def _claim(ids: list[int]) -> list[tuple[Delivery, uuid.UUID]]:
    # One conditional UPDATE takes every row that is pending and free (or whose claim was
    # abandoned); only rows carrying our token are ours to send.
    token = uuid.uuid4()
    now = timezone.now()
    Delivery.objects.filter(id__in=ids, status=DeliveryStatus.PENDING).filter(
        Q(claim__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    ).update(claim=token, claimed_at=now, attempts=F("attempts") + 1)
    claimed = (
        Delivery.objects.filter(claim=token)
        .select_related("notification__recipient")
        .only(
            "id",
            "channel",
            "attempts",
            "text",
            "phone",
            "kind",
            "notification__kind",
            "notification__text",
            "notification__case_id",
            "notification__recipient__phone",
        )
        .order_by("id")
    )
    return [(delivery, token) for delivery in claimed]


def _send_one(delivery: Delivery, token: uuid.UUID, result: SendResult) -> None:
    notification = delivery.notification
    phone = (delivery.phone or (notification.recipient.phone if notification else "")).strip()
    mine = Delivery.objects.filter(pk=delivery.pk, claim=token)
    if not phone:  # removed since: no attempt can succeed
        mine.update(status=DeliveryStatus.FAILED, last_error="no phone number", claim=None)
        result.failed += 1
        return
    message = Message(
        phone=phone,
        text=delivery.text or notification.text,
        kind=delivery.kind or notification.kind,
        case_id=notification.case_id if notification else None,
    )
    try:
        channel_named(delivery.channel).send(message)
    except Exception as error:
        # Whatever went wrong, the row must not stay claimed: record it and try again later.
        if not isinstance(error, ChannelError):
            logger.exception("delivery %s failed", delivery.pk)
        given_up = delivery.attempts >= MAX_ATTEMPTS
        delay = retry_delay(delivery.attempts)
        mine.update(
            status=DeliveryStatus.FAILED if given_up else DeliveryStatus.PENDING,
            last_error=str(error)[:500],
            due_at=timezone.now() + delay,
            claim=None,
            claimed_at=None,
        )
        if given_up:
            result.failed += 1
        else:
            result.retry.append(delivery.pk)
            result.retry_in = max(result.retry_in, delay)
        return
    mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", claim=None)
    result.sent += 1


def deliveries_retry(*, ids: Iterable[int]) -> int:
    """Give failed deliveries a fresh set of attempts (after a long gateway outage); the
    next deliver_pending run sends them."""
    return Delivery.objects.filter(id__in=list(ids), status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        due_at=timezone.now() - STALE_AFTER,
        claim=None,
        claimed_at=None,
    )


def deliveries_stale(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose task has evidently been lost: due a while ago, not held."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, due_at__lt=now - STALE_AFTER)
        .filter(Q(claim__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .order_by("due_at")
        .values_list("id", flat=True)[:limit]
    )
