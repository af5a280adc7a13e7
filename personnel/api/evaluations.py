"""REST API for monthly evaluations, trainings and phone spot checks. Every list and object
is limited to the caller's jurisdiction (another jurisdiction's ids answer 404); writes
need a centre that keeps the roster."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.platform.api import api_errors
from governance.platform.jurisdiction import require_roster_manager
from grids.models import Area
from grids.selectors import areas_visible_to
from personnel.models import Evaluation, FollowUp, Outcome, SpotCheck, Staff, Training
from personnel.selectors import staff_visible_to
from personnel.services import evaluations, training
from personnel.services.evaluations import EVALUATED_KINDS, last_month, month_parse


@extend_schema_field(OpenApiTypes.INT)
class VisibleAreaField(serializers.PrimaryKeyRelatedField):
    """An area id the caller sees; another jurisdiction's reads as one that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return areas_visible_to(request.user) if request else Area.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class VisibleStaffField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return staff_visible_to(request.user) if request else Staff.objects.none()


# --- Evaluations -----------------------------------------------------------------------


class EvaluationQuery(serializers.Serializer):
    month = serializers.CharField(required=False, allow_blank=True)
    area = VisibleAreaField(required=False, allow_null=True)
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in EVALUATED_KINDS], required=False, allow_blank=True
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, allow_blank=True)

    def validate_month(self, value: str):
        if not value:
            return last_month()
        month = month_parse(value)
        if month is None:
            raise serializers.ValidationError(_("Give the month as YYYY-MM, e.g. 2025-03."))
        return month


class EvaluationOutput(serializers.ModelSerializer):
    month = serializers.DateField(format="%Y-%m")
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    follow_up_display = serializers.CharField(source="get_follow_up_display", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "staff",
            "staff_name",
            "month",
            "kind",
            "kind_display",
            "area",
            "area_name",
            "cases_reported",
            "cases_handled",
            "cases_on_time",
            "visits",
            "returns",
            "delay_escalations",
            "work_score",
            "supervisor_score",
            "supervisor_comment",
            "score",
            "outcome",
            "outcome_display",
            "follow_up",
            "follow_up_display",
            "follow_up_note",
            "computed_at",
        ]


class ReviewInput(serializers.Serializer):
    supervisor_score = serializers.IntegerField(min_value=0, max_value=100)
    supervisor_comment = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class FollowUpInput(serializers.Serializer):
    follow_up = serializers.ChoiceField(choices=[c for c in FollowUp.choices if c[0]])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    new_area = VisibleAreaField(required=False, allow_null=True, default=None)


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly evaluations of police officers, auxiliary police and grid workers."""

    lookup_value_regex = r"\d+"  # any other id is no route: a 404, not a failed query
    serializer_class = EvaluationOutput
    filter_backends: list = []  # the query is validated by EvaluationQuery

    def get_queryset(self):
        return evaluations.evaluations_visible_to(self.request.user).select_related("staff", "area")

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM; default last month"),
            OpenApiParameter("area", OpenApiTypes.INT, description="an area id: its subtree"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=[k.value for k in EVALUATED_KINDS]),
            OpenApiParameter("outcome", OpenApiTypes.STR, enum=Outcome.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        query = EvaluationQuery(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        listed = evaluations.evaluation_list(
            user=request.user,
            month=data.get("month") or last_month(),
            area=data.get("area"),
            kind=data.get("kind", ""),
            outcome=data.get("outcome", ""),
        )
        page = self.paginate_queryset(listed)
        return self.get_paginated_response(EvaluationOutput(page, many=True).data)

    @extend_schema(request=ReviewInput, responses=EvaluationOutput)
    def partial_update(self, request, pk=None):
        """The supervisor's score (0–100) and comment; the score and outcome follow."""
        evaluation = get_object_or_404(self.get_queryset(), pk=pk)
        require_roster_manager(request.user)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            evaluation = evaluations.evaluation_review(
                evaluation=evaluation,
                score=data.validated_data["supervisor_score"],
                comment=data.validated_data["supervisor_comment"],
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise api_errors(error) from error
        return Response(EvaluationOutput(evaluation).data)

    @extend_schema(request=FollowUpInput, responses=EvaluationOutput)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Excellent → recommended; unfit → reassigned (with new_area), dismissed or kept.
        Reassigning and dismissing end the person's post of the evaluated kind."""
        evaluation = get_object_or_404(self.get_queryset(), pk=pk)
        require_roster_manager(request.user)
        data = FollowUpInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            evaluation = evaluations.evaluation_follow_up(
                evaluation=evaluation, actor=request.user, **data.validated_data
            )
        except DjangoValidationError as error:
            raise api_errors(error) from error
        return Response(EvaluationOutput(evaluation).data)


# --- Trainings and spot checks ---------------------------------------------------------


class YearQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class TrainingOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attendee_count = serializers.IntegerField(read_only=True)
    created_by = serializers.CharField(read_only=True)  # the name, not the username

    class Meta:
        model = Training
        fields = [
            "id",
            "area",
            "area_name",
            "day",
            "topic",
            "hours",
            "attendees",
            "attendee_count",
            "created_by",
            "created_at",
        ]


class TrainingInput(serializers.Serializer):
    area = VisibleAreaField()
    day = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=Decimal("0.1"))
    attendees = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=500
    )


class TrainingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Training sessions 培训 organised in the caller's jurisdiction."""

    serializer_class = TrainingOutput
    filter_backends: list = []

    def get_queryset(self):
        query = YearQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return training.training_list(
            user=self.request.user, year=query.validated_data.get("year")
        ).prefetch_related("attendees")

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TrainingInput, responses={201: TrainingOutput})
    def create(self, request, *args, **kwargs):
        require_roster_manager(request.user)
        data = TrainingInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            session = training.training_create(actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise api_errors(error) from error
        session = (
            training.training_list(user=request.user)
            .prefetch_related("attendees")
            .get(pk=session.pk)
        )
        return Response(TrainingOutput(session).data, status=status.HTTP_201_CREATED)


class SpotCheckOutput(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    checked_by = serializers.CharField(read_only=True)  # the name, not the username

    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "staff",
            "staff_name",
            "area",
            "area_name",
            "day",
            "reached",
            "problems",
            "fix",
            "checked_by",
            "created_at",
        ]


class SpotCheckInput(serializers.Serializer):
    staff = VisibleStaffField()
    day = serializers.DateField()
    reached = serializers.BooleanField()
    problems = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    fix = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SpotCheckViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Phone spot checks 电话访问 of staff in the caller's jurisdiction."""

    serializer_class = SpotCheckOutput
    filter_backends: list = []

    def get_queryset(self):
        query = YearQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return training.spot_check_list(
            user=self.request.user, year=query.validated_data.get("year")
        )

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SpotCheckInput, responses={201: SpotCheckOutput})
    def create(self, request, *args, **kwargs):
        require_roster_manager(request.user)
        data = SpotCheckInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            check = training.spot_check_create(actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise api_errors(error) from error
        return Response(SpotCheckOutput(check).data, status=status.HTTP_201_CREATED)
