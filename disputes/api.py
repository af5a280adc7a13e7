from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from disputes import selectors, services
from disputes.models import (
    AssignmentLine,
    Case,
    CaseEvent,
    CaseKind,
    CaseLevel,
    CaseStatus,
    Category,
    Severity,
)
from governance.jurisdiction import (
    CENTRE_ACTIONS,
    HANDLER_ACTIONS,
    can_act_on_case,
    can_report,
    scope,
)
from grids.models import Area
from grids.selectors import areas_visible_to
from personnel.models import User


class PartyInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    role = serializers.CharField(max_length=20, required=False, allow_blank=True)


class CaseInput(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.ORDINARY)
    criminal_risk = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    # Limited to the caller's areas in __init__: a grid outside reads as one that does not
    # exist, so ids of other jurisdictions cannot be probed.
    grid = serializers.PrimaryKeyRelatedField(queryset=Area.objects.none())
    parties = PartyInput(many=True, required=False)
    location_lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    location_lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["grid"].queryset = areas_visible_to(request.user)


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "kind"]


class CaseOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "client_uuid",
            "kind",
            "category",
            "category_name",
            "severity",
            "criminal_risk",
            "title",
            "description",
            "grid",
            "village",
            "township",
            "county",
            "level",
            "status",
            "status_display",
            "deadline",
            "overdue",
            "supervised",
            "created_at",
            "updated_at",
        ]


class EventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "level",
            "note",
            "data",
            "actor",
            "created_at",
        ]


ACTION_KINDS = [
    ("visit", _("Visit")),
    ("mediation", _("Mediation session")),
    ("agreement", _("Mediation agreement")),
    ("evidence", _("Evidence")),
    ("other", _("Other")),
]
# What each action needs besides `action`; the services check the rest.
REQUIRED = {
    "merge": ["into"],
    "assign": ["lines"],
    "record": ["action_kind", "note"],
    "return": ["line", "reason"],
    "resolve": ["line", "outcome"],
    "evaluate": ["satisfaction"],
    "escalate": ["reason"],
    "supervise": ["deadline", "note"],
    "reopen": ["reason"],
}


class LineInput(serializers.Serializer):
    line = serializers.ChoiceField(choices=AssignmentLine.choices)
    unit = serializers.CharField(max_length=100)
    handler = serializers.IntegerField(required=False, allow_null=True)


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=sorted(CENTRE_ACTIONS | HANDLER_ACTIONS | {"supervise"})
    )
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


def _run_transition(case: Case, actor, data: dict) -> Case:
    action = data["action"]
    note = data["note"]
    if action == "accept":
        return services.case_accept(
            case=case,
            actor=actor,
            severity=data.get("severity"),
            criminal_risk=data["criminal_risk"],
            note=note,
        )
    if action == "merge":
        into = get_object_or_404(selectors.cases_visible_to(actor), pk=data["into"])
        return services.case_merge(case=case, into=into, actor=actor, note=note)
    if action == "assign":
        handlers = scope(actor, User.objects.all(), via="area")
        lines = []
        for line in data["lines"]:
            handler = None
            if line.get("handler"):
                handler = handlers.filter(pk=line["handler"]).first()
                if handler is None:
                    raise ApiValidationError({"lines": [_("Unknown handler.")]})
            lines.append({"line": line["line"], "unit": line["unit"], "handler": handler})
        return services.case_assign(case=case, actor=actor, lines=lines, note=note)
    if action == "record":
        return services.case_record_action(
            case=case, actor=actor, action_kind=data["action_kind"], note=note
        )
    if action == "return":
        return services.case_return(
            case=case, line=data["line"], actor=actor, reason=data["reason"]
        )
    if action == "resolve":
        return services.case_resolve(
            case=case, line=data["line"], actor=actor, outcome=data["outcome"], note=note
        )
    if action == "close":
        return services.case_close(case=case, actor=actor, note=note)
    if action == "evaluate":
        return services.case_evaluate(
            case=case, actor=actor, satisfaction=data["satisfaction"], review=note
        )
    if action == "escalate":
        return services.case_escalate(case=case, actor=actor, reason=data["reason"])
    if action == "supervise":
        return services.case_supervise(case=case, actor=actor, deadline=data["deadline"], note=note)
    return services.case_reopen(case=case, actor=actor, reason=data["reason"])


class CaseFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    kind = filters.ChoiceFilter(choices=CaseKind.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)
    level = filters.ChoiceFilter(choices=CaseLevel.choices)
    category = filters.CharFilter(field_name="category__code")
    overdue = filters.BooleanFilter()
    supervised = filters.BooleanFilter()
    created_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Case
        fields = ["status", "kind", "severity", "level", "category", "overdue", "supervised"]


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases in the caller's jurisdiction. A resent report (same client_uuid) answers 200
    with the case filed the first time."""

    serializer_class = CaseOutput
    filterset_class = CaseFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at", "deadline", "severity"]

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    @extend_schema(request=CaseInput, responses={200: CaseOutput, 201: CaseOutput})
    def create(self, request, *args, **kwargs):
        if not can_report(request.user):
            raise PermissionDenied()
        data = CaseInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            result = services.case_report(reporter=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise ApiValidationError(error.message_dict) from error
        return Response(
            CaseOutput(result.case).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=TransitionInput, responses=CaseOutput)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Move the case through its workflow: {"action": "accept" | "assign" | …}."""
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not can_act_on_case(request.user, case, data.validated_data["action"]):
            raise PermissionDenied(_("Your role may not do this on this case."))
        try:
            case = _run_transition(case, request.user, data.validated_data)
        except DjangoValidationError as error:
            raise ApiValidationError(error.message_dict) from error
        return Response(CaseOutput(case).data)

    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        return Response(EventOutput(selectors.case_events(case=case), many=True).data)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategoryOutput
    pagination_class = None
    filterset_fields = ["kind"]
    lookup_field = "code"

    def get_queryset(self):
        return selectors.categories_active()
