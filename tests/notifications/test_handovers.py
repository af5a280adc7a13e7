"""Every step where a case's work changes hands leaves exactly one notice with the person
who takes it up: a new report with its level's centre, a finished case with whoever
assigned its lines, a returned line with its assigner, a closed case with its reporter, a
supervision deadline with the handlers and the supervisor. Nobody hears of their own step;
a sweep gives each person one message; the outgoing channel carries only the field's."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.models import Case
from disputes.services.sweeps import escalate_overdue, warn_deadlines, warn_supervision
from notifications.models import Delivery, Notification, NotificationKind
from notifications.services import notify_all
from personnel.models import User
from tests.factories import overdue_cases, report, with_phone

K = NotificationKind


def inbox() -> Counter:
    """Everything in every inbox, as (recipient, kind, case id)."""
    return Counter(
        Notification.objects.values_list("recipient__username", "kind", "case_id").order_by()
    )


def new_notices(before: Counter) -> Counter:
    return inbox() - before


def test_the_whole_loop_tells_each_person_who_takes_it_up_and_nobody_else(demo):
    grid, village = demo.user("grid1"), demo.user("village1")
    police, member = demo.user("police1"), demo.user("member1")

    case = report(demo).case
    assert inbox() == Counter({("village1", K.NEW_REPORT, case.pk): 1})  # its level's centre

    seen = inbox()
    case = services.case_accept(case=case, actor=village)
    assert new_notices(seen) == Counter()

    seen = inbox()
    case = services.case_assign(
        case=case,
        actor=village,
        lines=[
            {"line": "police", "unit": "驻村警务室", "handler": police},
            {"line": "political_legal", "unit": "人民调解委员会", "handler": member},
        ],
    )
    assert new_notices(seen) == Counter(
        {("police1", K.ASSIGNED, case.pk): 1, ("member1", K.ASSIGNED, case.pk): 1}
    )

    seen = inbox()
    case = services.case_resolve(case=case, line="police", actor=police, outcome="resolved")
    assert new_notices(seen) == Counter()  # one line still open: nothing changes hands

    seen = inbox()
    case = services.case_resolve(
        case=case, line="political_legal", actor=member, outcome="resolved"
    )
    assert new_notices(seen) == Counter({("village1", K.LINES_DONE, case.pk): 1})

    seen = inbox()
    case = services.case_close(case=case, actor=village, note="回访确认")
    assert new_notices(seen) == Counter({("grid1", K.CLOSED, case.pk): 1})
    assert "宅基地边界争议" in Notification.objects.get(kind=K.CLOSED).text

    seen = inbox()
    services.case_evaluate(case=case, actor=village, satisfaction=5)
    assert new_notices(seen) == Counter()
    assert not Notification.objects.filter(recipient__in=[grid, village], kind=K.ASSIGNED)


def test_the_finished_case_goes_back_to_whoever_assigned_it_not_to_every_centre(demo):
    township, police = demo.user("township1"), demo.user("police1")
    case = services.case_accept(case=report(demo).case, actor=township)
    case = services.case_assign(
        case=case,
        actor=township,
        lines=[{"line": "police", "unit": "驻村警务室", "handler": police}],
    )
    seen = inbox()
    services.case_resolve(case=case, line="police", actor=police, outcome="stabilised")
    assert new_notices(seen) == Counter({("township1", K.LINES_DONE, case.pk): 1})


def test_a_returned_line_goes_back_to_its_assigner(demo):
    township, police = demo.user("township1"), demo.user("police1")
    case = services.case_accept(case=report(demo).case, actor=township)
    case = services.case_assign(
        case=case,
        actor=township,
        lines=[{"line": "police", "unit": "驻村警务室", "handler": police}],
    )
    seen = inbox()
    services.case_return(case=case, line="police", actor=police, reason="不属于本单位职责")
    assert new_notices(seen) == Counter({("township1", K.RETURNED, case.pk): 1})
    assert "不属于本单位职责" in Notification.objects.get(kind=K.RETURNED).text


def test_nobody_is_told_of_their_own_step(demo):
    village = demo.user("village1")
    case = report(demo, reporter=village).case
    assert inbox() == Counter()  # the village's only centre staff filed it
    case = services.case_accept(case=case, actor=village)
    case = services.case_assign(
        case=case,
        actor=village,
        lines=[{"line": "political_legal", "unit": "村调委会", "handler": village}],
    )
    case = services.case_resolve(
        case=case, line="political_legal", actor=village, outcome="resolved"
    )
    services.case_close(case=case, actor=village)
    assert inbox() == Counter()


def test_a_village_without_centre_staff_sends_its_new_reports_to_the_township(demo):
    User.objects.filter(username="village1").update(is_active=False)
    case = report(demo).case
    assert inbox() == Counter({("township1", K.NEW_REPORT, case.pk): 1})


def test_supervision_deadlines_warn_the_handlers_and_the_supervisor_once_each(demo):
    township, police = demo.user("township1"), demo.user("police1")
    case = services.case_accept(case=report(demo).case, actor=demo.user("village1"))
    case = services.case_assign(
        case=case,
        actor=demo.user("village1"),
        lines=[{"line": "police", "unit": "驻村警务室", "handler": police}],
    )
    services.case_supervise(
        case=case, actor=township, deadline=timezone.now() + timedelta(days=5), note="限期化解"
    )
    seen = inbox()
    assert warn_supervision() == 0  # five days left: nothing yet
    Case.objects.filter(pk=case.pk).update(supervision_deadline=timezone.now() + timedelta(hours=5))
    assert warn_supervision() == 1
    assert warn_supervision() == 0  # safe to run twice
    assert new_notices(seen) == Counter(
        {("police1", K.SUPERVISION_DUE, case.pk): 1, ("township1", K.SUPERVISION_DUE, case.pk): 1}
    )
    seen = inbox()
    Case.objects.filter(pk=case.pk).update(supervision_deadline=timezone.now() - timedelta(hours=1))
    assert warn_supervision() == 1
    assert warn_supervision() == 0
    assert new_notices(seen) == Counter(
        {
            ("police1", K.SUPERVISION_OVERDUE, case.pk): 1,
            ("township1", K.SUPERVISION_OVERDUE, case.pk): 1,
        }
    )
    # A new supervision deadline starts afresh.
    services.case_supervise(
        case=case, actor=township, deadline=timezone.now() + timedelta(hours=2), note="再次督办"
    )
    seen = inbox()
    assert warn_supervision() == 1
    assert set(new_notices(seen)) == {
        ("police1", K.SUPERVISION_DUE, case.pk),
        ("township1", K.SUPERVISION_DUE, case.pk),
    }


# --- Sweeps: one message per person ------------------------------------------------------


def test_a_sweep_of_many_cases_gives_each_person_one_message(demo, client):
    police = with_phone(demo.user("police1"))
    ids = overdue_cases(demo, 30)
    Notification.objects.all().delete()
    services.case_accept(case=Case.objects.get(pk=ids[0]), actor=demo.user("village1"))
    for pk in ids[1:]:
        Case.objects.filter(pk=pk).update(status="accepted")
    for pk in ids:
        services.case_assign(
            case=Case.objects.get(pk=pk),
            actor=demo.user("township1"),
            lines=[{"line": "police", "unit": "驻村警务室", "handler": police}],
        )
    Case.objects.update(deadline=timezone.now() - timedelta(hours=1))
    Notification.objects.all().delete()
    Delivery.objects.all().delete()

    assert escalate_overdue()["escalated"] == 30
    assert escalate_overdue()["escalated"] == 0  # safe to run twice: nothing more is sent
    told = inbox()
    assert told == Counter({("township1", K.ESCALATED, None): 1, ("police1", K.ESCALATED, None): 1})
    grouped = Notification.objects.get(recipient=demo.user("township1"))
    assert "30" in grouped.text and grouped.link.startswith(reverse("case_list"))
    # The link lists exactly the cases the message counts, for the one who gets it.
    client.force_login(demo.user("township1"))
    page = client.get(grouped.link)
    assert page.status_code == 200 and page.context["page"].paginator.count == 30
    inbox_page = client.get(reverse("inbox")).content.decode()
    assert f'href="{grouped.link.replace("&", "&amp;")}"' in inbox_page
    # One outgoing message for the police officer (a field role), none for the centre.
    assert list(Delivery.objects.values_list("notification__recipient__username", flat=True)) == [
        "police1"
    ]


def test_a_sweep_that_finds_one_case_for_a_person_names_the_case(demo):
    ids = overdue_cases(demo, 1)
    Notification.objects.all().delete()
    escalate_overdue()
    assert inbox() == Counter({("township1", K.ESCALATED, ids[0]): 1})


def test_deadline_warnings_are_grouped_too(demo):
    ids = overdue_cases(demo, 5)
    Notification.objects.all().delete()
    Case.objects.update(
        deadline=timezone.now() + timedelta(hours=2), warn_at=timezone.now() - timedelta(hours=1)
    )
    assert warn_deadlines() == 5
    assert warn_deadlines() == 0
    assert inbox() == Counter({("village1", K.DEADLINE_WARNING, None): 1})
    assert "5" in Notification.objects.get().text and len(ids) == 5


# --- The outgoing channel: the field's roles only ----------------------------------------


def test_outgoing_messages_go_only_to_the_field_roles(demo):
    for name in ("village1", "police1", "member1", "grid1", "township1", "centre", "county"):
        with_phone(demo.user(name))
    township = demo.user("township1")
    case = report(demo).case  # village1 (village staff) is told
    case = services.case_accept(case=case, actor=township)
    case = services.case_assign(
        case=case,
        actor=township,
        lines=[
            {"line": "police", "unit": "驻村警务室", "handler": demo.user("police1")},
            {"line": "political_legal", "unit": "网格", "handler": demo.user("member1")},
        ],
    )
    services.case_return(case=case, line="police", actor=demo.user("police1"), reason="错派")
    # township1 was told of the return in the inbox, but gets no SMS.
    assert Notification.objects.filter(recipient=township, kind=K.RETURNED).exists()
    sent_to = set(Delivery.objects.values_list("notification__recipient__username", flat=True))
    assert sent_to == {"village1", "police1", "member1"}


def test_a_fan_out_to_a_whole_queryset_follows_the_same_rule(demo):
    for name in ("grid1", "township1"):
        with_phone(demo.user(name))
    users = User.objects.filter(username__in=["grid1", "township1"])
    assert notify_all(kind=K.CAMPAIGN_TASK, text="专项行动", users=users) == 2
    sent_to = set(Delivery.objects.values_list("notification__recipient__username", flat=True))
    assert sent_to == {"grid1"}
