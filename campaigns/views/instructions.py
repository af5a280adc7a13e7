"""Pages of urgent instructions 预警指令: the list of those sent over the user's subtree and
those received, the form (with a confirmation of how many people it reaches), and the
instruction itself, which is the read receipt for a recipient and the follow-up sheet for
the centre that sent it (who has read it, who still has to be phoned)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from campaigns.forms import InstructionForm
from campaigns.models import InstructionReceipt
from campaigns.services import instructions
from governance.platform.filters import as_id
from governance.platform.pages import LONG_PAGE_SIZE, add_service_errors, page_of
from grids import tree
from grids.jurisdiction import (
    can_confirm_receipts,
    can_organise,
    jurisdiction_root,
    sees_everything,
)
from personnel.models import MemberType, PostKind


@never_cache
@login_required
def instruction_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    unread = request.GET.get("unread") == "1"  # the to-do page's "all N" link
    found = instructions.instructions_list(user=request.user, query=query, unread=unread)
    page = page_of(request, found, size=LONG_PAGE_SIZE)
    mine = dict(
        InstructionReceipt.objects.filter(
            user=request.user, instruction__in=[i.pk for i in page.object_list]
        ).values_list("instruction_id", "read_at")
    )
    root = jurisdiction_root(request.user)
    everything = sees_everything(request.user)
    for instruction in page.object_list:
        instruction.received = instruction.pk in mine
        instruction.unread = instruction.received and mine[instruction.pk] is None
        instruction.sent_here = everything or (
            root is not None and tree.is_within(instruction.area, root)
        )
    return render(
        request,
        "campaigns/instruction_list.html",
        {"page": page, "query": query, "unread": unread, "can_send": can_organise(request.user)},
    )


@never_cache
@login_required
def instruction_create(request: HttpRequest) -> HttpResponse:
    if not can_organise(request.user):
        raise PermissionDenied(_("Only the county and township centres do this."))
    form = InstructionForm(request.POST or None, user=request.user)
    reach = None
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        data = form.instruction_input()
        if request.POST.get("confirm") == "yes":
            try:
                instruction = instructions.instruction_send(actor=request.user, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Sent to %(count)d person.",
                        "Sent to %(count)d people.",
                        instruction.recipient_count,
                    )
                    % {"count": instruction.recipient_count},
                )
                return redirect("instruction_detail", pk=instruction.pk)
        else:
            reach = instructions.instruction_recipient_count(data=data)
            if not reach:
                form.add_error("post_kinds", _("Nobody in this area holds these posts."))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "campaigns/instruction_form.html",
        {"form": form, "reach": reach if not form.errors else None},
        status=status,
    )


@never_cache
@login_required
def instruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = instructions.instruction_for(user=request.user, pk=pk)
    if instruction is None:
        raise Http404
    own = instruction.receipts.filter(user=request.user).first()
    if own is not None:
        instructions.instruction_read(instruction=instruction, user=request.user)
        own.refresh_from_db(fields=["read_at"])
    summary = instructions.receipt_summary(instruction=instruction, user=request.user)
    context = {
        "instruction": instruction,
        "own": own,
        "summary": summary,
        "post_labels": [
            label for value, label in PostKind.choices if value in instruction.post_kinds
        ],
        "member_labels": [
            label for value, label in MemberType.choices if value in instruction.member_types
        ],
    }
    if summary.recipients:
        context.update(_follow_up(request, instruction))
    return render(request, "campaigns/instruction_detail.html", context)


def _follow_up(request: HttpRequest, instruction) -> dict:
    """The sender's side: readers by area and the unread, to be phoned."""
    by_area = instructions.receipts_by_area(instruction=instruction, user=request.user)
    for row in by_area:
        row["percent"] = round(100 * row["read"] / row["total"]) if row["total"] else 0
    unread = (
        instructions.receipts_visible_to(request.user, instruction)
        .filter(read_at__isnull=True)
        .select_related("staff", "area")
        .order_by("area__tree_id", "area__lft", "staff__name", "pk")
    )
    area = request.GET.get("area", "")
    chosen = next((row for row in by_area if str(row["id"]) == area), None)
    if chosen is not None:
        unread = unread.filter(area_id=chosen["id"])
    page = page_of(request, unread, size=LONG_PAGE_SIZE)
    for receipt in page.object_list:
        receipt.masked_phone = "****" + receipt.staff.phone[-4:] if receipt.staff.phone else "—"
    return {
        "by_area": by_area,
        "chosen_area": chosen,
        "page": page,
        "can_confirm": can_confirm_receipts(request.user),
    }


@never_cache
@login_required
@require_POST
def instruction_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = instructions.instruction_for(user=request.user, pk=pk)
    if instruction is None:
        raise Http404
    ids = [pk for value in request.POST.getlist("receipt") if (pk := as_id(value))]
    if not ids:
        # The service decides who may confirm; ask it even for an empty choice.
        instructions.receipts_confirm(instruction=instruction, actor=request.user, receipt_ids=[])
        messages.error(request, _("Tick the people who confirmed by phone."))
        return _back(instruction, request)
    count = instructions.receipts_confirm(
        instruction=instruction, actor=request.user, receipt_ids=ids
    )
    messages.success(
        request,
        ngettext(
            "Recorded %(count)d confirmation by phone.",
            "Recorded %(count)d confirmations by phone.",
            count,
        )
        % {"count": count},
    )
    return _back(instruction, request)


def _back(instruction, request: HttpRequest) -> HttpResponse:
    url = reverse("instruction_detail", args=[instruction.pk])
    area = request.POST.get("area", "")
    return redirect(f"{url}?area={area}#unread" if area.isdigit() else f"{url}#unread")
