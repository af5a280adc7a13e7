"""Pages of urgent instructions 预警指令: sending through a confirmation of how many people it
reaches, the recipient's read receipt on opening it, the sender's figures that add up, the
confirmation by phone, and jurisdiction (outsiders 404, wrong roles 403)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Instruction, InstructionReceipt
from campaigns.services.instructions import InstructionInput, instruction_send, receipt_summary
from grids import tree
from notifications.models import Notification
from personnel.models import Post, PostKind
from tests.samples import instruction_form

LIST = "/instructions/"
NEW = "/instructions/new/"


def client_for(client, demo, username):
    client.force_login(demo.user(username))
    return client


def send(demo, *, kinds=(PostKind.MEMBER,), area=None, actor="township1", title="协查通告"):
    return instruction_send(
        actor=demo.user(actor),
        data=InstructionInput(
            title=title,
            body="发现可疑人员请立即报告派出所。",
            area=area or demo.township1,
            post_kinds=list(kinds),
            member_types=[],
        ),
    )


def holders(area, kinds) -> set[int]:
    """Who holds an open post of these kinds in the area: counted independently."""
    return set(
        Post.objects.filter(tree.subtree_q(area, "area__"), kind__in=kinds, end__isnull=True)
        .values_list("staff_id", flat=True)
        .distinct()
    )


# --- Sending ---------------------------------------------------------------------------------


def test_sending_asks_for_confirmation_with_the_number_reached_then_sends(client, demo, roster):
    client_for(client, demo, "township1")
    members = holders(demo.township1, [PostKind.MEMBER])
    assert len(members) > 1

    response = client.post(NEW, instruction_form(demo))
    assert response.status_code == 200
    assert response.context["reach"] == len(members)
    assert 'id="confirm-send"' in response.content.decode()
    assert not Instruction.objects.exists()

    response = client.post(NEW, {**instruction_form(demo), "confirm": "yes"})
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("instruction_detail", args=[instruction.pk])
    receipts = set(instruction.receipts.values_list("staff_id", flat=True))
    assert receipts == members
    assert instruction.recipient_count == len(members)


def test_back_to_edit_keeps_what_was_typed(client, demo, roster):
    client_for(client, demo, "township1")
    response = client.post(NEW, {**instruction_form(demo, title="寒潮预警"), "edit": "yes"})
    assert response.status_code == 200
    assert response.context["reach"] is None
    assert 'value="寒潮预警"' in response.content.decode()
    assert not Instruction.objects.exists()


def test_the_form_offers_every_post_and_the_users_own_area(client, demo):
    client_for(client, demo, "township1")
    response = client.get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["post_kinds"].initial == PostKind.values
    areas = set(form.fields["area"].queryset.values_list("pk", flat=True))
    assert demo.township1.pk in areas and demo.village1.pk in areas
    assert demo.township2.pk not in areas and demo.grid1.pk not in areas


def test_a_bad_form_is_refused_with_field_messages(client, demo, roster):
    client_for(client, demo, "township1")
    response = client.post(NEW, instruction_form(demo, title="", body="长" * 401, post_kinds=[]))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "body", "post_kinds"}
    assert 'class="field-error"' in response.content.decode()
    assert not Instruction.objects.exists()


def test_an_area_outside_the_jurisdiction_cannot_be_chosen(client, demo, roster):
    client_for(client, demo, "township1")
    response = client.post(
        NEW, {**instruction_form(demo, area=demo.township2.pk), "confirm": "yes"}
    )
    assert response.status_code == 400
    assert "area" in response.context["form"].errors
    assert not Instruction.objects.exists()


def test_an_area_where_nobody_holds_the_posts_is_refused_before_confirming(client, demo, roster):
    yesterday = timezone.localdate() - timedelta(days=1)
    Post.objects.filter(
        tree.subtree_q(demo.village1, "area__"), kind=PostKind.TRAFFIC_CHIEF
    ).update(end=yesterday)
    client_for(client, demo, "township1")
    data = instruction_form(demo, area=demo.village1.pk, post_kinds=[PostKind.TRAFFIC_CHIEF])
    response = client.post(NEW, data)
    assert response.status_code == 400
    assert response.context["form"].errors["post_kinds"]


@pytest.mark.parametrize("username", ["grid1", "member1", "village1", "police1", "inspector"])
def test_only_the_centres_send_instructions(client, demo, username):
    client_for(client, demo, username)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {**instruction_form(demo), "confirm": "yes"}).status_code == 403
    assert not Instruction.objects.exists()


# --- The list --------------------------------------------------------------------------------


def test_the_list_shows_sent_and_received_and_highlights_the_unread(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.GRID_WORKER])
    row = f'data-instruction="{instruction.pk}"'

    client_for(client, demo, "township1")
    page = client.get(LIST).content.decode()
    assert row in page and 'id="send-link"' in page
    assert f'<span class="total">{instruction.recipient_count}</span>' in page

    client_for(client, demo, "grid1")
    page = client.get(LIST).content.decode()
    assert re.search(r'class="instruction-card unread" ' + row, page)
    assert 'id="send-link"' not in page

    client.get(reverse("instruction_detail", args=[instruction.pk]))
    page = client.get(LIST).content.decode()
    assert row in page and "instruction-card unread" not in page

    client_for(client, demo, "township2")
    assert row not in client.get(LIST).content.decode()


def test_the_list_searches_titles_and_messages(client, demo, roster):
    wanted = send(demo, title="防汛紧急通知")
    other = send(demo, title="协查通告")
    client_for(client, demo, "township1")
    page = client.get(LIST, {"q": "防汛"}).content.decode()
    assert f'data-instruction="{wanted.pk}"' in page
    assert f'data-instruction="{other.pk}"' not in page


def test_the_list_takes_the_same_queries_however_many_instructions(client, demo, roster):
    client_for(client, demo, "township1")
    send(demo)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _n in range(3):
        send(demo)
    with CaptureQueriesContext(connection) as four:
        assert client.get(LIST).status_code == 200
    # session, user, area (context), count, page, own receipts, unread notifications
    assert len(one) == len(four) == 7


# --- Reading and the receipts -----------------------------------------------------------------


def test_opening_it_is_the_recipients_read_receipt(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.GRID_WORKER])
    grid1 = demo.user("grid1")
    receipt = InstructionReceipt.objects.get(instruction=instruction, user=grid1)
    assert receipt.read_at is None

    client_for(client, demo, "grid1")
    response = client.get(reverse("instruction_detail", args=[instruction.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="read-receipt"' in page and instruction.body in page
    receipt.refresh_from_db()
    assert receipt.read_at is not None
    assert not Notification.objects.filter(
        instruction=instruction, recipient=grid1, read_at__isnull=True
    ).exists()
    # A grid worker sees no one else's receipts.
    assert 'id="receipt-summary"' not in page and response.context["summary"].recipients == 0


def test_the_senders_figures_add_up(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.GRID_WORKER, PostKind.MEMBER])
    client_for(client, demo, "grid1")
    client.get(reverse("instruction_detail", args=[instruction.pk]))

    client_for(client, demo, "township1")
    response = client.get(reverse("instruction_detail", args=[instruction.pk]))
    assert response.status_code == 200
    summary, by_area = response.context["summary"], response.context["by_area"]
    assert summary.recipients == instruction.recipient_count
    assert summary.read == 1
    assert summary.read + summary.unread == summary.recipients
    assert sum(row["total"] for row in by_area) == summary.recipients
    assert sum(row["read"] for row in by_area) == summary.read
    page = response.content.decode()
    for row in by_area:
        cells = re.search(
            rf'data-area="{row["id"]}".*?class="num read">(\d+)<.*?class="num total">(\d+)<',
            page,
            re.S,
        )
        assert cells and (int(cells[1]), int(cells[2])) == (row["read"], row["total"])
    # the unread list: everyone but grid1, phones masked
    unread = response.context["page"]
    assert unread.paginator.count == summary.unread
    first = unread.object_list[0]
    assert f"****{first.staff.phone[-4:]}" in page and first.staff.phone not in page
    assert 'id="read-receipt"' not in page  # the township centre is no recipient


def test_the_unread_list_narrows_to_one_area(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.MEMBER])
    client_for(client, demo, "township1")
    url = reverse("instruction_detail", args=[instruction.pk])
    by_area = client.get(url).context["by_area"]
    area = by_area[0]
    response = client.get(url, {"area": area["id"]})
    assert response.context["page"].paginator.count == area["total"] - area["read"]
    assert all(r.area_id == area["id"] for r in response.context["page"].object_list)


def test_a_township_centre_records_confirmations_by_phone(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.MEMBER])
    chosen = list(
        instruction.receipts.filter(user__isnull=True).order_by("pk").values_list("pk", flat=True)
    )[:2]
    assert len(chosen) == 2
    client_for(client, demo, "township1")
    url = reverse("instruction_confirm", args=[instruction.pk])
    response = client.post(url, {"receipt": [str(pk) for pk in chosen]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("instruction_detail", args=[instruction.pk]))
    confirmed = InstructionReceipt.objects.filter(pk__in=chosen)
    assert all(r.read_at and r.confirmed_by == demo.user("township1") for r in confirmed)
    summary = receipt_summary(instruction=instruction, user=demo.user("township1"))
    assert (summary.read, summary.confirmed_by_phone) == (2, 2)
    assert summary.read + summary.unread == summary.recipients

    # Nothing ticked: a message, nothing changes.
    response = client.post(url, {}, follow=True)
    assert response.status_code == 200
    assert receipt_summary(instruction=instruction, user=demo.user("township1")).read == 2


def test_a_grid_worker_cannot_record_confirmations(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.GRID_WORKER, PostKind.MEMBER])
    receipt = instruction.receipts.filter(user__isnull=True).first()
    client_for(client, demo, "grid1")
    page = client.get(reverse("instruction_detail", args=[instruction.pk])).content.decode()
    assert 'name="receipt"' not in page
    url = reverse("instruction_confirm", args=[instruction.pk])
    assert client.post(url, {"receipt": [receipt.pk]}).status_code == 403
    receipt.refresh_from_db()
    assert receipt.read_at is None


def test_the_police_see_their_villages_receipts_but_do_not_confirm(client, demo, roster):
    instruction = send(demo, kinds=[PostKind.MEMBER], area=demo.village1)
    client_for(client, demo, "police1")
    response = client.get(reverse("instruction_detail", args=[instruction.pk]))
    assert response.status_code == 200
    assert response.context["summary"].recipients > 0
    assert not response.context["can_confirm"] and 'name="receipt"' not in response.content.decode()


def test_outsiders_get_not_found(client, demo, roster):
    instruction = send(demo)
    client_for(client, demo, "township2")
    assert client.get(reverse("instruction_detail", args=[instruction.pk])).status_code == 404
    url = reverse("instruction_confirm", args=[instruction.pk])
    assert client.post(url, {"receipt": ["1"]}).status_code == 404


def test_the_confirmation_takes_only_posts(client, demo, roster):
    instruction = send(demo)
    client_for(client, demo, "township1")
    assert client.get(reverse("instruction_confirm", args=[instruction.pk])).status_code == 405


def test_pages_need_a_login(client, demo):
    for url in (LIST, NEW, "/instructions/1/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
