"""Monthly evaluation 月度考评 of the village police officers, auxiliary police and grid
workers: work figures computed from the month's cases, a supervisor's score and comment,
an outcome, and what follows from it (excellent → recommended to the village committee,
unfit → reassigned, dismissed or kept on)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Evaluation, FollowUp, Outcome
from audit.services import AuditInput, audit_record, audit_record_many, changes, snapshot
from disputes.models import Assignment, AssignmentStatus, Case
from governance.platform.months import month_start, next_month
from grids import tree
from grids.jurisdiction import can_manage_roster, can_see, scope
from grids.models import Area, AreaLevel
from personnel.models import EndReason, Post, PostKind, User
from personnel.services.staff import post_add, post_end

# Who is evaluated every month: 一警 and the grid workers.
EVALUATED_KINDS = (PostKind.POLICE_OFFICER, PostKind.AUXILIARY_POLICE, PostKind.GRID_WORKER)

# The work score, out of 100: a base for serving the month, points for cases reported and
# handled (each capped), up to ON_TIME_POINTS for the share handled on time, and a deduction
# per assignment returned and per case escalated because the person let it go overdue.
WORK_BASE = Decimal(70)
POINTS_PER_REPORT = Decimal(1)
REPORT_POINTS_CAP = Decimal(5)
POINTS_PER_HANDLED = Decimal(2)
HANDLED_POINTS_CAP = Decimal(15)
ON_TIME_POINTS = Decimal(10)
RETURN_DEDUCTION = Decimal(5)
DELAY_DEDUCTION = Decimal(10)
# The final score when the supervisor scored: 70 % work, 30 % supervisor.
WORK_WEIGHT = Decimal("0.7")
SUPERVISOR_WEIGHT = Decimal("0.3")
# The lowest score of each outcome, best first.
OUTCOME_THRESHOLDS = (
    (Decimal(90), Outcome.EXCELLENT),
    (Decimal(75), Outcome.COMPETENT),
    (Decimal(60), Outcome.BASIC),
)
# Which follow-ups each outcome allows.
FOLLOW_UPS = {
    Outcome.EXCELLENT: (FollowUp.RECOMMENDED,),
    Outcome.UNFIT: (FollowUp.REASSIGNED, FollowUp.DISMISSED, FollowUp.KEPT),
}
ONE_PLACE = Decimal("0.1")
FIGURES = (
    "cases_reported",
    "cases_handled",
    "cases_on_time",
    "visits",
    "returns",
    "delay_escalations",
)


def _one_place(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def work_score(
    *, cases_reported: int, cases_handled: int, cases_on_time: int, returns: int, delays: int
) -> Decimal:
    score = (
        WORK_BASE
        + min(cases_reported * POINTS_PER_REPORT, REPORT_POINTS_CAP)
        + min(cases_handled * POINTS_PER_HANDLED, HANDLED_POINTS_CAP)
        - returns * RETURN_DEDUCTION
        - delays * DELAY_DEDUCTION
    )
    if cases_handled:
        score += ON_TIME_POINTS * Decimal(cases_on_time) / Decimal(cases_handled)
    return _one_place(max(Decimal(0), min(Decimal(100), score)))


def final_score(*, work: Decimal, supervisor: int | None) -> Decimal:
    if supervisor is None:
        return _one_place(work)
    return _one_place(work * WORK_WEIGHT + Decimal(supervisor) * SUPERVISOR_WEIGHT)


def outcome_for(score: Decimal) -> str:
    for lowest, outcome in OUTCOME_THRESHOLDS:
        if score >= lowest:
            return outcome
    return Outcome.UNFIT


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


# --- Computing a month -----------------------------------------------------------------


def _held_posts(month: date) -> dict[tuple[int, str], int]:
    """(staff, kind) → the village where the person held that post in the month (the post
    held last, when they moved during the month). A grid worker's village is the grid's."""
    end = next_month(month)
    rows = (
        Post.objects.filter(kind__in=EVALUATED_KINDS, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=month))
        .order_by("start", "id")
        .values_list("staff_id", "kind", "area_id", "area__level", "area__parent_id")
    )
    return {
        (staff_id, kind): area_id if level == AreaLevel.VILLAGE else parent_id
        for staff_id, kind, area_id, level, parent_id in rows
    }


def _figures(month: date) -> dict[int, dict[str, int]]:
    """Each person's work figures of the month, one GROUP BY per table over everyone."""
    start, end = _local_midnight(month), _local_midnight(next_month(month))
    figures: dict[int, dict[str, int]] = {}
    reported = (
        Case.objects.filter(
            created_at__gte=start, created_at__lt=end, reporter__staff__isnull=False
        )
        .values("reporter__staff")
        .annotate(total=Count("id"))
        .order_by()
        .values_list("reporter__staff", "total")
    )
    for staff_id, total in reported:
        figures.setdefault(staff_id, {})["cases_reported"] = total
    done = Q(status=AssignmentStatus.DONE)
    on_time = done & (Q(deadline__isnull=True) | Q(finished_at__lte=F("deadline")))
    handled = (
        Assignment.objects.filter(staff__isnull=False, finished_at__gte=start, finished_at__lt=end)
        .values("staff")
        .annotate(
            cases_handled=Count("id", filter=done),
            cases_on_time=Count("id", filter=on_time),
            returns=Count("id", filter=Q(status=AssignmentStatus.RETURNED)),
            delay_escalations=Count("id", filter=Q(cancelled_overdue=True)),
        )
        .order_by()
    )
    for row in handled:
        figures.setdefault(row.pop("staff"), {}).update(row)
    return figures


@transaction.atomic
def evaluations_compute(*, month: date) -> int:
    """Evaluate everyone who held an evaluated post during `month`; returns how many.

    Set-based: a query for the posts, one per table of figures, one for the month's
    evaluations so far, and one upsert of the rows that changed. The supervisor's score,
    comment and the follow-up are kept; a second run writes nothing."""
    month = month_start(month)
    held = _held_posts(month)
    figures = _figures(month)
    # Locked, so that a supervisor's review in the meantime is not overwritten.
    existing = {
        (row["staff_id"], row["kind"]): row
        for row in Evaluation.objects.select_for_update()
        .filter(month=month)
        .values(
            "staff_id",
            "kind",
            "area_id",
            "work_score",
            "supervisor_score",
            "score",
            "outcome",
            *FIGURES,
        )
    }
    now = timezone.now()
    changed = []
    scored: list[AuditInput] = []
    for (staff_id, kind), area_id in held.items():
        mine = figures.get(staff_id, {})
        values = {
            "area_id": area_id,
            "cases_reported": mine.get("cases_reported", 0),
            "cases_handled": mine.get("cases_handled", 0),
            "cases_on_time": mine.get("cases_on_time", 0),
            # Residents' visits come with a later issue; until then they count nothing.
            "visits": 0,
            "returns": mine.get("returns", 0),
            "delay_escalations": mine.get("delay_escalations", 0),
        }
        values["work_score"] = work_score(
            cases_reported=values["cases_reported"],
            cases_handled=values["cases_handled"],
            cases_on_time=values["cases_on_time"],
            returns=values["returns"],
            delays=values["delay_escalations"],
        )
        before = existing.get((staff_id, kind))
        supervisor = before["supervisor_score"] if before else None
        values["score"] = final_score(work=values["work_score"], supervisor=supervisor)
        values["outcome"] = outcome_for(values["score"])
        if before and all(before[key] == value for key, value in values.items()):
            continue
        changed.append(
            Evaluation(staff_id=staff_id, month=month, kind=kind, computed_at=now, **values)
        )
        scored.append(
            AuditInput(
                action="evaluation.compute",
                object_type="staff",
                object_id=str(staff_id),
                area_id=area_id,
                old={key: before[key] for key in COMPUTE_AUDITED} if before else {},
                new={"month": month, "kind": kind, **{key: values[key] for key in COMPUTE_AUDITED}},
            )
        )
    Evaluation.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["staff", "month", "kind"],
        update_fields=["area", *FIGURES, "work_score", "score", "outcome", "computed_at"],
    )
    audit_record_many(scored)  # the changed scores, by the system, in one INSERT
    return len(held)


# --- Reading ---------------------------------------------------------------------------


def evaluations_visible_to(user: User) -> QuerySet[Evaluation]:
    return scope(user, Evaluation.objects.all(), via="area")


def evaluation_list(
    *, user: User, month: date, area: Area | None = None, kind: str = "", outcome: str = ""
) -> QuerySet[Evaluation]:
    evaluations = evaluations_visible_to(user).filter(month=month_start(month))
    if area is not None:
        evaluations = evaluations.filter(tree.subtree_q(area, "area__"))
    if kind:
        evaluations = evaluations.filter(kind=kind)
    if outcome:
        evaluations = evaluations.filter(outcome=outcome)
    return evaluations.select_related("staff", "area", "area__parent").order_by(
        "area__code", "staff__name", "id"
    )


def evaluation_distribution(*, evaluations: QuerySet[Evaluation]) -> list[dict]:
    """Count and share of each outcome (best first), in one GROUP BY."""
    counts = dict(
        evaluations.order_by()
        .values("outcome")
        .annotate(total=Count("id"))
        .values_list("outcome", "total")
    )
    everyone = sum(counts.values())
    return [
        {
            "outcome": outcome,
            "label": label,
            "count": counts.get(outcome, 0),
            "share": round(100 * counts.get(outcome, 0) / everyone) if everyone else 0,
        }
        for outcome, label in Outcome.choices
    ]


def evaluations_follow_up_due(*, evaluations: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """The excellent not yet recommended and the unfit not yet decided on."""
    return evaluations.filter(outcome__in=list(FOLLOW_UPS), follow_up=FollowUp.NONE)


def evaluation_detail(*, user: User, pk: int) -> Evaluation | None:
    return (
        evaluations_visible_to(user)
        .select_related("staff", "staff__area", "area", "area__parent", "supervisor")
        .filter(pk=pk)
        .first()
    )


def follow_ups_allowed(evaluation: Evaluation) -> tuple[str, ...]:
    if evaluation.follow_up:
        return ()
    return FOLLOW_UPS.get(Outcome(evaluation.outcome), ())


def evaluation_open_posts(*, evaluation: Evaluation) -> QuerySet[Post]:
    """The person's open posts of the evaluated kind (what a follow-up would end)."""
    return (
        Post.objects.filter(staff_id=evaluation.staff_id, kind=evaluation.kind, end__isnull=True)
        .select_related("area")
        .order_by("start", "id")
    )


# --- The supervisor's part -------------------------------------------------------------


# What the monthly computation and a supervisor's review change, for the audit log.
COMPUTE_AUDITED = ("work_score", "score", "outcome")
REVIEW_AUDITED = ("supervisor_score", "supervisor_comment", "score", "outcome")


def _check_may_write(*, evaluation: Evaluation, actor: User) -> None:
    if not can_manage_roster(actor) or not can_see(actor, evaluation, via="area"):
        raise PermissionDenied(_("Only the centres over this village evaluate its staff."))


@transaction.atomic
def evaluation_review(
    *, evaluation: Evaluation, score: int, comment: str, actor: User
) -> Evaluation:
    """The supervisor's score (0–100) and comment; the score and outcome follow."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_may_write(evaluation=evaluation, actor=actor)
    errors: dict[str, list[str]] = {}
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        errors["supervisor_score"] = [_("Give a whole number from 0 to 100.")]
    comment = (comment or "").strip()
    if len(comment) > 500:
        errors["supervisor_comment"] = [_("Keep the comment within 500 characters.")]
    if evaluation.follow_up:
        errors["supervisor_score"] = [
            _("The follow-up (%(follow_up)s) is decided: the score can no longer change.")
            % {"follow_up": evaluation.get_follow_up_display()}
        ]
    if errors:
        raise ValidationError(errors)
    before = snapshot(evaluation, REVIEW_AUDITED)
    evaluation.supervisor_score = score
    evaluation.supervisor_comment = comment
    evaluation.supervisor = actor
    evaluation.score = final_score(work=evaluation.work_score, supervisor=score)
    evaluation.outcome = outcome_for(evaluation.score)
    evaluation.save(
        update_fields=["supervisor_score", "supervisor_comment", "supervisor", "score", "outcome"]
    )
    old, new = changes(before, snapshot(evaluation, REVIEW_AUDITED))
    audit_record(
        action="evaluation.review",
        actor=actor,
        obj=evaluation,
        area_id=evaluation.area_id,
        old=old,
        new=new,
    )
    return evaluation


@transaction.atomic
def evaluation_follow_up(
    *, evaluation: Evaluation, follow_up: str, note: str, actor: User, new_area: Area | None = None
) -> Evaluation:
    """What follows the outcome. Reassigning and dismissing end the person's open post of
    the evaluated kind (reassigning adds the same post at `new_area`), so the post history
    records the change."""
    evaluation = (
        Evaluation.objects.select_for_update().select_related("staff").get(pk=evaluation.pk)
    )
    _check_may_write(evaluation=evaluation, actor=actor)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    allowed = FOLLOW_UPS.get(Outcome(evaluation.outcome), ())
    if evaluation.follow_up:
        errors["follow_up"] = [
            _("The follow-up is already decided: %(follow_up)s.")
            % {"follow_up": evaluation.get_follow_up_display()}
        ]
    elif follow_up not in allowed:
        if not allowed:
            message = _("A %(outcome)s evaluation needs no follow-up.")
        elif evaluation.outcome == Outcome.EXCELLENT:
            message = _("An excellent evaluation is followed by a recommendation only.")
        else:
            message = _("An unfit evaluation is followed by reassignment, dismissal or keeping on.")
        errors["follow_up"] = [message % {"outcome": evaluation.get_outcome_display()}]
    if len(note) > 500:
        errors["note"] = [_("Keep the note within 500 characters.")]
    if follow_up in (FollowUp.REASSIGNED, FollowUp.DISMISSED, FollowUp.KEPT) and not note:
        errors["note"] = [_("Say why, for the person's file.")]
    posts = list(evaluation_open_posts(evaluation=evaluation))
    if follow_up in (FollowUp.REASSIGNED, FollowUp.DISMISSED) and not posts:
        errors["follow_up"] = [
            _("%(name)s holds no open %(post)s post any more.")
            % {"name": evaluation.staff.name, "post": evaluation.get_kind_display()}
        ]
    if follow_up == FollowUp.REASSIGNED and new_area is None:
        errors["new_area"] = [_("Choose where the person is reassigned to.")]
    elif follow_up == FollowUp.REASSIGNED and any(post.area_id == new_area.pk for post in posts):
        errors["new_area"] = [_("The person already serves there: choose another area.")]
    if errors:
        raise ValidationError(errors)

    if follow_up in (FollowUp.REASSIGNED, FollowUp.DISMISSED):
        reason = EndReason.REASSIGNED if follow_up == FollowUp.REASSIGNED else EndReason.DISMISSED
        ended = posts if follow_up == FollowUp.DISMISSED else [_evaluated_post(evaluation, posts)]
        for post in ended:
            post_end(post=post, actor=actor, reason=reason, note=note)
    if follow_up == FollowUp.REASSIGNED:
        try:
            post_add(staff=evaluation.staff, kind=evaluation.kind, area=new_area, actor=actor)
        except ValidationError as error:
            problems = error.message_dict
            raise ValidationError(
                {"new_area": [message for messages in problems.values() for message in messages]}
            ) from error
    evaluation.follow_up = follow_up
    evaluation.follow_up_note = note
    evaluation.save(update_fields=["follow_up", "follow_up_note"])
    audit_record(
        action="evaluation.follow_up",
        actor=actor,
        obj=evaluation,
        area_id=evaluation.area_id,
        old={"follow_up": ""},
        new={"follow_up": follow_up, "note": note},
    )
    return evaluation


def _evaluated_post(evaluation: Evaluation, posts: list[Post]) -> Post:
    """Of the open posts, the one in the evaluated village (else the latest)."""
    for post in reversed(posts):
        if evaluation.area_id in (post.area_id, post.area.parent_id):
            return post
    return posts[-1]


def evaluation_outcome_counts(*, month: date) -> dict[str, int]:
    """Every evaluation of the month by outcome, unscoped: for operators (the command)."""
    return dict(
        Evaluation.objects.filter(month=month_start(month))
        .order_by()
        .values("outcome")
        .annotate(total=Count("id"))
        .values_list("outcome", "total")
    )
