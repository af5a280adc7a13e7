"""Notifications: the in-app inbox and the outgoing messages sent after commit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import CaseStatus
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind
from notifications.services import (
    MAX_ATTEMPTS,
    deliveries_retry,
    deliveries_send,
    notifications_mark_read,
    notify,
    outgoing_paused,
)
from notifications.tasks import deliver, deliver_pending
from tests.factories import report, with_phone
from tests.samples import SMS_PHONE


def assigned_case(demo, *handlers):
    """A village case accepted and assigned by the township centre (police line first)."""
    centre = demo.user("township1")
    case = services.case_accept(case=report(demo).case, actor=centre)
    # The report's own notice to its village centre is proven in test_handovers.py.
    Notification.objects.filter(kind=NotificationKind.NEW_REPORT).delete()
    lines = [
        {"line": line, "unit": "驻村警务室", "handler": handler}
        for line, handler in zip(("police", "political_legal"), handlers, strict=False)
    ]
    return services.case_assign(case=case, actor=centre, lines=lines)


def inbox_of(user) -> list[tuple[str, int | None]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "case_id")
    )


# --- What notifies whom ------------------------------------------------------------------


def test_assigning_notifies_the_handler_and_the_header_shows_the_unread_count(client, demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    assert inbox_of(police) == [(NotificationKind.ASSIGNED, case.pk)]
    assert Notification.objects.count() == 1  # the centre that assigned is not told
    client.force_login(police)
    page = client.get(reverse("home")).content.decode()
    assert re.search(r'class="unread-count"[^>]*>1</span>', page)
    notifications_mark_read(user=police)
    assert 'class="unread-count"' not in client.get(reverse("home")).content.decode()


def test_dual_line_assignment_notifies_each_handler_once(demo):
    police, village = demo.user("police1"), demo.user("village1")
    case = assigned_case(demo, police, village)
    assert inbox_of(police) == [(NotificationKind.ASSIGNED, case.pk)]
    assert inbox_of(village) == [(NotificationKind.ASSIGNED, case.pk)]


def test_a_return_notifies_whoever_assigned_the_line(demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    services.case_return(case=case, line="police", actor=police, reason="不属于本单位职责")
    # The township centre assigned it: it hears, not the village's staff.
    assert inbox_of(demo.user("township1")) == [(NotificationKind.RETURNED, case.pk)]
    assert not Notification.objects.filter(recipient__username="village1").exists()
    assert "不属于本单位职责" in Notification.objects.get(kind="returned").text


def test_supervision_notifies_the_handlers_and_the_centre(demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    services.case_supervise(
        case=case,
        actor=demo.user("county"),
        deadline=timezone.now() + timedelta(days=3),
        note="限期化解",
    )
    supervised = set(
        Notification.objects.filter(kind="supervised").values_list("recipient__username", flat=True)
    )
    assert supervised == {"police1", "village1"}


def test_escalation_by_decision_notifies_the_centre_of_the_new_level(demo):
    case = services.case_accept(case=report(demo).case, actor=demo.user("village1"))
    Notification.objects.filter(kind=NotificationKind.NEW_REPORT).delete()
    case = services.case_escalate(case=case, actor=demo.user("village1"), reason="涉及多个村")
    assert inbox_of(demo.user("township1")) == [(NotificationKind.ESCALATED, case.pk)]
    services.case_escalate(case=case, actor=demo.user("township1"), reason="需县级协调")
    assert inbox_of(demo.user("centre")) == [(NotificationKind.ESCALATED, case.pk)]
    assert Notification.objects.count() == 2  # nobody in township 2, nor the actors


def test_the_handlers_of_an_escalated_case_hear_that_it_left_them(demo):
    from datetime import timedelta

    from django.utils import timezone

    from disputes.models import Case
    from disputes.services.sweeps import escalate_overdue

    police = demo.user("police1")
    by_decision = assigned_case(demo, police)
    services.case_escalate(case=by_decision, actor=demo.user("township1"), reason="需县级协调")
    by_sweep = assigned_case(demo, police)
    Case.objects.filter(pk=by_sweep.pk).update(deadline=timezone.now() - timedelta(hours=1))
    escalate_overdue()
    escalated = [(NotificationKind.ESCALATED, pk) for pk in (by_decision.pk, by_sweep.pk)]
    assert [row for row in inbox_of(police) if row[0] == NotificationKind.ESCALATED] == escalated


def test_inactive_users_and_repeated_recipients_get_nothing_twice(demo):
    village, police = demo.user("village1"), demo.user("police1")
    police.is_active = False
    police.save(update_fields=["is_active"])
    rows = notify(recipients=[village, village, police], kind="assigned", case=None, text="x")
    assert [row.recipient_id for row in rows] == [village.pk]
    assert Notification.objects.count() == 1


# --- Outgoing messages -------------------------------------------------------------------


def test_one_delivery_task_per_notify_call_after_commit_and_only_for_phones(
    demo, django_capture_on_commit_callbacks
):
    case = report(demo).case
    village = with_phone(demo.user("village1"))
    with django_capture_on_commit_callbacks() as callbacks:
        centre = demo.user("township1")
        services.case_assign(
            case=services.case_accept(case=case, actor=centre),
            actor=centre,
            lines=[  # police1 has no phone
                {"line": "police", "unit": "驻村警务室", "handler": demo.user("police1")},
                {"line": "political_legal", "unit": "村委会", "handler": village},
            ],
        )
    assert len(callbacks) == 1
    assert list(Delivery.objects.values_list("notification__recipient", "status")) == [
        (village.pk, DeliveryStatus.PENDING)
    ]


def test_outgoing_paused_writes_the_inbox_but_no_deliveries_and_no_task(
    demo, django_capture_on_commit_callbacks
):
    police = with_phone(demo.user("police1"))
    with outgoing_paused(), django_capture_on_commit_callbacks() as callbacks:
        assigned_case(demo, police)
    assert inbox_of(police) and not Delivery.objects.exists() and callbacks == []
    assigned_case(demo, police)
    assert Delivery.objects.count() == 1  # sending resumes after the block


def test_the_none_channel_sends_nothing(demo, settings):
    settings.NOTIFICATION_CHANNEL = "none"
    assigned_case(demo, with_phone(demo.user("police1")))
    assert Notification.objects.count() == 1 and not Delivery.objects.exists()


def test_the_log_channel_writes_each_message_to_the_log(demo, caplog):
    assigned_case(demo, with_phone(demo.user("police1")))
    with caplog.at_level("INFO", logger="notifications.channels"):
        deliver.apply(args=[list(Delivery.objects.values_list("id", flat=True))])
    assert SMS_PHONE not in caplog.text  # masked: no plaintext phone number in any log
    assert SMS_PHONE[:3] + "****" + SMS_PHONE[-4:] in caplog.text
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_the_webhook_gateway_receives_each_message_as_json(demo, gateway):
    case = assigned_case(demo, with_phone(demo.user("police1")))
    ids = list(Delivery.objects.values_list("id", flat=True))
    assert deliver.apply(args=[ids]).get() == {"sent": 1, "failed": 0, "retry": 0}
    text = Notification.objects.get(kind="assigned").text
    assert gateway.received == [
        {"phone": SMS_PHONE, "text": text, "kind": "assigned", "case_id": case.pk}
    ]
    assert gateway.headers[0]["Authorization"] == "Bearer gateway-token"
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at and delivery.attempts == 1


def test_a_gateway_error_leaves_the_delivery_pending_and_a_later_run_sends_it(demo, gateway):
    assigned_case(demo, with_phone(demo.user("police1")))
    ids = list(Delivery.objects.values_list("id", flat=True))
    gateway.answers = [500]
    result = deliveries_send(ids=ids)
    assert result.retry == ids and result.sent == 0
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "500" in delivery.last_error and delivery.due_at > timezone.now()
    assert delivery.claim is None  # released for the retry
    assert deliveries_send(ids=ids).sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, len(gateway.received)) == (
        DeliveryStatus.SENT,
        2,
        2,
    )


def test_an_unreachable_gateway_is_retried_with_growing_delays_then_given_up(
    demo, gateway, settings
):
    settings.NOTIFICATION_WEBHOOK_URL = "http://127.0.0.1:9/sms"  # nothing listens there
    assigned_case(demo, with_phone(demo.user("police1")))
    delivery = Delivery.objects.get()
    # Run eagerly, the task's retries follow at once instead of after their delay.
    deliver.apply(args=[[delivery.pk]])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert "unreachable" in delivery.last_error
    # The last failure would have waited 32 minutes: the delays double.
    assert delivery.due_at - timezone.now() > timedelta(minutes=31)


def test_failed_messages_can_be_given_another_round_after_an_outage(demo, gateway):
    assigned_case(demo, with_phone(demo.user("police1")))
    Delivery.objects.update(status=DeliveryStatus.FAILED, attempts=MAX_ATTEMPTS)
    assert deliveries_retry(ids=Delivery.objects.values_list("id", flat=True)) == 1
    assert deliver_pending.apply().get()["sent"] == 1
    assert len(gateway.received) == 1


def test_running_deliver_twice_on_the_same_ids_sends_once(demo, gateway):
    assigned_case(demo, with_phone(demo.user("police1")))
    ids = list(Delivery.objects.values_list("id", flat=True))
    deliver.apply(args=[ids])
    assert deliver.apply(args=[ids]).get() == {"sent": 0, "failed": 0, "retry": 0}
    assert len(gateway.received) == 1


def test_a_delivery_another_worker_holds_is_skipped_until_its_claim_expires(demo, gateway):
    assigned_case(demo, with_phone(demo.user("police1")))
    held = timezone.now()
    Delivery.objects.update(claim="00000000-0000-0000-0000-000000000001", claimed_at=held)
    ids = list(Delivery.objects.values_list("id", flat=True))
    assert deliveries_send(ids=ids).sent == 0 and gateway.received == []
    Delivery.objects.update(claimed_at=held - timedelta(hours=1))  # that worker died
    assert deliveries_send(ids=ids).sent == 1 and len(gateway.received) == 1


def test_deliver_pending_sends_what_lost_its_task(demo, gateway):
    # Callbacks never run in this test: as if the broker was down at commit time.
    assigned_case(demo, with_phone(demo.user("police1")))
    assert deliver_pending.apply().get()["sent"] == 0  # just created: its task may yet come
    Delivery.objects.update(due_at=timezone.now() - timedelta(minutes=10))
    assert deliver_pending.apply().get()["sent"] == 1
    assert len(gateway.received) == 1
    assert deliver_pending.apply().get()["sent"] == 0


# --- The inbox page ----------------------------------------------------------------------


def test_the_inbox_lists_newest_first_filters_unread_and_marks_read(client, demo):
    police = demo.user("police1")
    first, _second = (
        notify(recipients=[police], kind="assigned", case=None, text=text)[0]
        for text in ("第一条通知", "第二条通知")
    )
    client.force_login(police)
    page = client.get(reverse("inbox")).content.decode()
    assert page.index("第二条通知") < page.index("第一条通知")
    response = client.post(reverse("inbox_mark_read", args=[first.pk]))
    assert response.status_code == 302
    unread = client.get(reverse("inbox"), {"show": "unread"}).content.decode()
    assert "第二条通知" in unread and "第一条通知" not in unread
    client.post(reverse("inbox_mark_all_read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    empty = client.get(reverse("inbox"), {"show": "unread"}).content.decode()
    assert 'class="empty-state"' in empty and "第二条通知" not in empty


def test_an_inbox_entry_links_to_its_case(client, demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    client.force_login(police)
    page = client.get(reverse("inbox")).content.decode()
    assert f'href="{reverse("case_detail", args=[case.pk])}"' in page


def test_marking_read_takes_a_post_with_csrf(demo):
    from django.test import Client

    police = demo.user("police1")
    notify(recipients=[police], kind="assigned", case=None, text="x")
    client = Client(enforce_csrf_checks=True)
    client.force_login(police)
    assert client.get(reverse("inbox_mark_all_read")).status_code == 405
    assert client.post(reverse("inbox_mark_all_read")).status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_an_empty_inbox_says_so(client, demo):
    client.force_login(demo.user("grid1"))
    client.cookies["django_language"] = "en"
    assert "No notifications yet" in client.get(reverse("inbox")).content.decode()


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_user_never_sees_or_marks_another_users_notifications(client, demo):
    police, village = demo.user("police1"), demo.user("village1")
    theirs = notify(recipients=[police], kind="assigned", case=None, text="民警的通知")[0]
    client.force_login(village)
    assert "民警的通知" not in client.get(reverse("inbox")).content.decode()
    assert client.post(reverse("inbox_mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("inbox_mark_all_read"))
    api = client.get(reverse("notification-list")).json()
    assert api["count"] == 0
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notification-read-all")).json() == {"marked": 0}
    assert client.get(reverse("notification-unread-count")).json() == {"unread": 0}
    assert notifications_mark_read(user=village, ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("count", [3, 70])  # one page, then three
def test_the_inbox_costs_the_same_queries_however_many_notifications(
    client, demo, django_assert_num_queries, count
):
    police = demo.user("police1")
    case = report(demo).case
    notify(recipients=[police], kind="assigned", case=None, text="x")
    Notification.objects.bulk_create(
        [
            Notification(recipient=police, kind="supervised", case=case, text=f"通知{i}")
            for i in range(count)
        ]
    )
    client.force_login(police)
    client.get(reverse("inbox"))
    # session, user, user's area, the header's unread count, the page's count and rows
    with django_assert_num_queries(6):
        client.get(reverse("inbox"), {"page": 2})
    with django_assert_num_queries(6):
        client.get(reverse("inbox"), {"show": "unread"})


# --- The API -----------------------------------------------------------------------------


def test_the_api_lists_own_notifications_filters_unread_and_marks_read(client, demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    other = notify(recipients=[police], kind="overdue", case=None, text="超期")[0]
    client.force_login(police)
    listing = client.get(reverse("notification-list")).json()
    assert [row["id"] for row in listing["results"]] == [
        other.pk,
        Notification.objects.get(kind="assigned").pk,
    ]
    assert listing["results"][1]["case"] == case.pk
    assert client.get(reverse("notification-unread-count")).json() == {"unread": 2}
    read = client.post(reverse("notification-read", args=[other.pk])).json()
    assert read["id"] == other.pk and read["read_at"]
    unread = client.get(reverse("notification-list"), {"unread": "true"}).json()
    assert [row["kind"] for row in unread["results"]] == ["assigned"]
    assert client.post(reverse("notification-read-all")).json() == {"marked": 1}
    assert client.get(reverse("notification-unread-count")).json() == {"unread": 0}


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_api_list_costs_the_same_queries_whatever_the_page_size(
    client, demo, django_assert_num_queries, page_size
):
    police = demo.user("police1")
    Notification.objects.bulk_create(
        [Notification(recipient=police, kind="assigned", text=f"通知{i}") for i in range(60)]
    )
    client.force_login(police)
    client.get(reverse("notification-list"))
    # session, user, count, page
    with django_assert_num_queries(4):
        client.get(reverse("notification-list"), {"page_size": page_size})


def test_the_schema_documents_the_notification_endpoints(client, demo):
    client.force_login(demo.user("county"))
    schema = client.get(reverse("api_schema")).content.decode()
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/notifications/unread-count/",
    ):
        assert path in schema


def test_cases_still_close_the_loop_with_notifications(demo):
    police = demo.user("police1")
    case = assigned_case(demo, police)
    case = services.case_resolve(case=case, line="police", actor=police, outcome="resolved")
    assert case.status == CaseStatus.RESOLVED


def test_one_message_to_a_whole_queryset_skips_the_inactive_and_phones_only_who_have_one(demo):
    from notifications.services import notify_all
    from personnel.models import User

    with_phone(demo.user("grid1"))
    User.objects.filter(username="member1").update(is_active=False)
    users = User.objects.filter(username__in=["grid1", "village1", "member1"])
    told = notify_all(kind=NotificationKind.CAMPAIGN_TASK, text="专项行动：请查看任务", users=users)
    assert told == 2
    inbox = Notification.objects.filter(kind=NotificationKind.CAMPAIGN_TASK)
    assert {n.recipient.username for n in inbox} == {"grid1", "village1"}
    delivery = Delivery.objects.get()  # village1 has no phone
    assert delivery.notification.recipient == demo.user("grid1")
    result = deliveries_send(ids=[delivery.pk])
    assert result.sent == 1
