"""REST API for monthly evaluations, trainings and phone spot checks. Every list and object
is limited to the caller's jurisdiction (another jurisdiction's ids answer 404); writes
need a centre that keeps the roster."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessment.models import Evaluation, FollowUp, Outcome
from assessment.services import evaluations
from assessment.services.evaluations import EVALUATED_KINDS
from governance.platform.months import last_month, month_parse
from grids.api import VisibleAreaField
from grids.jurisdiction import require_roster_manager


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
        evaluation = evaluations.evaluation_review(
            evaluation=evaluation,
            score=data.validated_data["supervisor_score"],
            comment=data.validated_data["supervisor_comment"],
            actor=request.user,
        )
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
        evaluation = evaluations.evaluation_follow_up(
            evaluation=evaluation, actor=request.user, **data.validated_data
        )
        return Response(EvaluationOutput(evaluation).data)
