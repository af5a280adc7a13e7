"""Pages of the staff section's second half: monthly evaluations and their follow-ups, the
quarterly pay sheet, trainings and phone spot checks. Reads are scoped to the user's
jurisdiction; writes need a centre that keeps the roster (can_manage_roster)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessment.forms.evaluations import EvaluationFilterForm, FollowUpForm, PayForm, ReviewForm
from assessment.models import Evaluation, FollowUp
from assessment.services import evaluations, pay
from governance.platform.pages import add_service_errors, export_response, page_of
from grids.jurisdiction import (
    can_manage_roster,
    require_roster_manager,
)

DESTRUCTIVE_FOLLOW_UPS = (FollowUp.REASSIGNED, FollowUp.DISMISSED)


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    form = EvaluationFilterForm(request.GET or None, user=request.user)
    chosen = form.filters()
    listed = evaluations.evaluation_list(user=request.user, **chosen)
    month_only = evaluations.evaluation_list(
        user=request.user, month=chosen["month"], area=chosen["area"], kind=chosen["kind"]
    )
    due = evaluations.evaluations_follow_up_due(evaluations=month_only)
    return render(
        request,
        "assessment/evaluation_list.html",
        {
            "subnav": "evaluations",
            "form": form,
            "month": chosen["month"],
            "distribution": evaluations.evaluation_distribution(evaluations=month_only),
            "page": page_of(request, listed),
            "due": list(due[:50]),
            "due_count": due.count(),
            "can_manage": can_manage_roster(request.user),
        },
    )


def _visible_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = evaluations.evaluation_detail(user=request.user, pk=pk)
    if evaluation is None:
        raise Http404
    return evaluation


def _detail(
    request: HttpRequest, evaluation: Evaluation, *, review=None, follow_up=None, status: int = 200
) -> HttpResponse:
    can_manage = can_manage_roster(request.user)
    allowed = evaluations.follow_ups_allowed(evaluation)
    if can_manage and review is None:
        review = ReviewForm(
            initial={
                "supervisor_score": evaluation.supervisor_score,
                "supervisor_comment": evaluation.supervisor_comment,
            }
        )
    if can_manage and allowed and follow_up is None:
        follow_up = FollowUpForm(user=request.user, evaluation=evaluation, allowed=allowed)
    return render(
        request,
        "assessment/evaluation_detail.html",
        {
            "subnav": "evaluations",
            "evaluation": evaluation,
            "open_posts": list(evaluations.evaluation_open_posts(evaluation=evaluation)),
            "history": list(
                evaluations.evaluations_visible_to(request.user)
                .filter(staff_id=evaluation.staff_id, kind=evaluation.kind)
                .exclude(pk=evaluation.pk)
                .order_by("-month")[:12]
            ),
            "can_manage": can_manage,
            "review_form": review if can_manage and not evaluation.follow_up else None,
            "follow_up_form": follow_up if can_manage and allowed else None,
            "rules": {
                "base": int(evaluations.WORK_BASE),
                "work": int(evaluations.WORK_WEIGHT * 100),
                "supervisor": int(evaluations.SUPERVISOR_WEIGHT * 100),
                "thresholds": [int(lowest) for lowest, _outcome in evaluations.OUTCOME_THRESHOLDS],
            },
        },
        status=status,
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_evaluation(request, pk))


@login_required
@require_POST
def evaluation_review(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _visible_evaluation(request, pk)
    require_roster_manager(request.user)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            evaluations.evaluation_review(
                evaluation=evaluation,
                score=form.cleaned_data["supervisor_score"],
                comment=form.cleaned_data["supervisor_comment"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved: the score and outcome are updated."))
            return redirect("evaluation_detail", evaluation.pk)
    return _detail(request, evaluation, review=form, status=400)


@login_required
@require_POST
def evaluation_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _visible_evaluation(request, pk)
    require_roster_manager(request.user)
    allowed = evaluations.follow_ups_allowed(evaluation)
    form = FollowUpForm(request.POST, user=request.user, evaluation=evaluation, allowed=allowed)
    if not allowed:
        form.add_error(None, _("This evaluation needs no follow-up, or it is already decided."))
    elif form.is_valid():
        chosen = form.cleaned_data["follow_up"]
        if chosen in DESTRUCTIVE_FOLLOW_UPS and request.POST.get("confirmed") != "yes":
            # Ending a post is not undone by a click: show what will happen and ask again.
            return render(
                request,
                "assessment/evaluation_confirm.html",
                {
                    "subnav": "evaluations",
                    "can_manage": True,
                    "evaluation": evaluation,
                    "form": form,
                    "follow_up": FollowUp(chosen),
                    "ending": list(evaluations.evaluation_open_posts(evaluation=evaluation)),
                    "new_area": form.cleaned_data.get("new_area"),
                },
            )
        try:
            evaluations.evaluation_follow_up(
                evaluation=evaluation,
                follow_up=chosen,
                note=form.cleaned_data["note"],
                actor=request.user,
                new_area=form.cleaned_data.get("new_area"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Follow-up recorded: %(follow_up)s.") % {"follow_up": FollowUp(chosen).label},
            )
            return redirect("evaluation_detail", evaluation.pk)
    return _detail(request, evaluation, follow_up=form, status=400)


def _pay_choice(request: HttpRequest):
    require_roster_manager(request.user)
    form = PayForm(request.GET or None, user=request.user)
    township, year, quarter = form.choice()
    return form, township, year, quarter


@login_required
def pay_sheet(request: HttpRequest) -> HttpResponse:
    form, township, year, quarter = _pay_choice(request)
    sheet = pay.pay_sheet(township=township, year=year, quarter=quarter) if township else None
    if township and not form.is_bound:
        form = PayForm(
            initial={"township": township, "year": year, "quarter": quarter}, user=request.user
        )
    return render(
        request,
        "assessment/pay_sheet.html",
        {
            "subnav": "pay",
            "can_manage": True,
            "form": form,
            "sheet": sheet,
            "title": pay.pay_sheet_title(sheet) if sheet else "",
            "default_amount": pay.DEFAULT_ANNUAL_AMOUNT,
            "query": f"township={township.pk}&year={year}&quarter={quarter}" if township else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def pay_sheet_export(request: HttpRequest) -> HttpResponse:
    form, township, year, quarter = _pay_choice(request)
    if township is None or (form.is_bound and form.errors):
        raise Http404
    sheet = pay.pay_sheet(township=township, year=year, quarter=quarter)
    return export_response(pay.pay_sheet_export(sheet, user=request.user))
