"""Case transitions as one input: validated the same way for the API and the pages, run
through the services, and offered only when the user's role and the case's state allow."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from disputes import services
from disputes.models import AssignmentLine, Case, CaseAction, CaseStatus, Severity
from disputes.selectors import cases as selectors
from grids.jurisdiction import can_act_on_case, scope
from personnel.models import User

ACTIONS = (
    CaseAction.ACCEPT,
    CaseAction.MERGE,
    CaseAction.ASSIGN,
    CaseAction.RECORD,
    CaseAction.RETURN,
    CaseAction.RESOLVE,
    CaseAction.CLOSE,
    CaseAction.EVALUATE,
    CaseAction.ESCALATE,
    CaseAction.SUPERVISE,
    CaseAction.REOPEN,
)

ACTION_KINDS = [
    ("visit", _("Visit")),
    ("mediation", _("Mediation session")),
    ("agreement", _("Mediation agreement")),
    ("evidence", _("Evidence")),
    ("other", _("Other")),
]
# What each action needs besides `action`; the services check the rest.
REQUIRED = {
    CaseAction.MERGE: ["into"],
    CaseAction.ASSIGN: ["lines"],
    CaseAction.RECORD: ["action_kind", "note"],
    CaseAction.RETURN: ["line", "reason"],
    CaseAction.RESOLVE: ["line", "outcome"],
    CaseAction.EVALUATE: ["satisfaction"],
    CaseAction.ESCALATE: ["reason"],
    CaseAction.SUPERVISE: ["deadline", "note"],
    CaseAction.REOPEN: ["reason"],
}


class LineInput(serializers.Serializer):
    line = serializers.ChoiceField(choices=AssignmentLine.choices)
    unit = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Leave unit and handler empty to route the line by the roster."),
    )
    handler = serializers.IntegerField(required=False, allow_null=True)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    criminal_risk = serializers.BooleanField(required=False, allow_null=True, default=None)
    into = serializers.IntegerField(required=False)
    lines = LineInput(many=True, required=False)
    line = serializers.ChoiceField(choices=AssignmentLine.choices, required=False)
    outcome = serializers.ChoiceField(
        choices=[CaseStatus.RESOLVED, CaseStatus.STABILISED], required=False
    )
    action_kind = serializers.ChoiceField(choices=ACTION_KINDS, required=False)
    reason = serializers.CharField(max_length=1000, required=False)
    deadline = serializers.DateTimeField(required=False)
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False)

    def validate(self, data):
        missing = {
            field: [_("This field is required for “%(action)s”.") % {"action": data["action"]}]
            for field in REQUIRED.get(data["action"], [])
            if data.get(field) in (None, "")
        }
        if missing:
            raise serializers.ValidationError(missing)
        return data


def run_transition(case: Case, actor, data: dict) -> Case:
    """Run one validated TransitionInput; raises django ValidationError with field messages."""
    action = data["action"]
    note = data["note"]
    if action == CaseAction.ACCEPT:
        return services.case_accept(
            case=case,
            actor=actor,
            severity=data.get("severity"),
            criminal_risk=data["criminal_risk"],
            note=note,
        )
    if action == CaseAction.MERGE:
        into = selectors.cases_visible_to(actor).filter(pk=data["into"]).first()
        if into is None:
            raise ValidationError({"into": [_("No case with this number in your jurisdiction.")]})
        return services.case_merge(case=case, into=into, actor=actor, note=note)
    if action == CaseAction.ASSIGN:
        handlers = scope(actor, User.objects.all(), via="area")
        lines = []
        for line in data["lines"]:
            handler = None
            if line.get("handler"):
                handler = handlers.filter(pk=line["handler"]).first()
                if handler is None:
                    raise ValidationError({"lines": [_("Unknown handler.")]})
            lines.append({"line": line["line"], "unit": line["unit"], "handler": handler})
        return services.case_assign(case=case, actor=actor, lines=lines, note=note)
    if action == CaseAction.RECORD:
        return services.case_record_action(
            case=case, actor=actor, action_kind=data["action_kind"], note=note
        )
    if action == CaseAction.RETURN:
        return services.case_return(
            case=case, line=data["line"], actor=actor, reason=data["reason"]
        )
    if action == CaseAction.RESOLVE:
        return services.case_resolve(
            case=case, line=data["line"], actor=actor, outcome=data["outcome"], note=note
        )
    if action == CaseAction.CLOSE:
        return services.case_close(case=case, actor=actor, note=note)
    if action == CaseAction.EVALUATE:
        return services.case_evaluate(
            case=case, actor=actor, satisfaction=data["satisfaction"], review=note
        )
    if action == CaseAction.ESCALATE:
        return services.case_escalate(case=case, actor=actor, reason=data["reason"])
    if action == CaseAction.SUPERVISE:
        return services.case_supervise(case=case, actor=actor, deadline=data["deadline"], note=note)
    return services.case_reopen(case=case, actor=actor, reason=data["reason"])


def available_actions(user, case: Case) -> list[str]:
    """The transitions this user may take on this case right now, in workflow order."""
    return [
        action
        for action in ACTIONS
        if case.status in services.ALLOWED_FROM[action]
        and not (action == CaseAction.ESCALATE and case.level not in services.LEVEL_ABOVE)
        and can_act_on_case(user, case, action)
    ]
