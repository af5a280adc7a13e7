"""Analysis meetings 研判会 and supervision inspections 督导检查 over REST: thin views over
`supervision.services.meetings` and `supervision.services.inspections`."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.models import AssignmentLine
from disputes.selectors.cases import cases_visible_to
from governance.platform.api import once_field
from grids.api import VisibleAreaField
from supervision.models import (
    Decision,
    Inspection,
    InspectionItem,
    InspectionProblem,
    Judgement,
    Meeting,
    MeetingCase,
    MeetingLevel,
    MeetingUnit,
    RiskFlag,
)
from supervision.services import inspections, meetings


@extend_schema_field(OpenApiTypes.INT)
class VisibleCase(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return cases_visible_to(self.context["request"].user)


# --- Meetings ------------------------------------------------------------------------------


class MeetingItemInput(serializers.Serializer):
    case = VisibleCase()
    judgement = serializers.ChoiceField(choices=Judgement.choices)
    risk_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=RiskFlag.choices), required=False, default=list
    )
    decision = serializers.ChoiceField(choices=Decision.choices, default=Decision.WATCH)
    lines = serializers.ListField(
        child=serializers.ChoiceField(choices=AssignmentLine.choices),
        required=False,
        default=list,
        help_text="for assign; empty: the political-legal line, routed by the roster",
    )
    supervision_deadline = serializers.DateTimeField(required=False, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class MeetingInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=MeetingLevel.choices)
    area = VisibleAreaField()
    held_on = serializers.DateField(default=timezone.localdate)
    chair = serializers.CharField(max_length=50)
    units = serializers.ListField(
        child=serializers.ChoiceField(choices=MeetingUnit.choices), required=False, default=list
    )
    participants = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    items = MeetingItemInput(many=True, required=False, default=list, max_length=meetings.MAX_CASES)
    client_uuid = once_field()


class MeetingItemOutput(serializers.ModelSerializer):
    class Meta:
        model = MeetingCase
        fields = [
            "case",
            "judgement",
            "risk_flags",
            "decision",
            "lines",
            "supervision_deadline",
            "note",
            "event",
        ]


class MeetingOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    items = MeetingItemOutput(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "level",
            "area",
            "area_name",
            "held_on",
            "chair",
            "units",
            "participants",
            "summary",
            "items",
            "created_at",
        ]


class MeetingList(GenericAPIView):
    serializer_class = MeetingOutput

    def get_queryset(self):
        return meetings.meetings_list(
            user=self.request.user, level=self.request.query_params.get("level", "")
        ).prefetch_related("items")

    @extend_schema(operation_id="meetings_list", summary="Analysis meetings in your jurisdiction")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingOutput(page, many=True).data)

    @extend_schema(
        request=MeetingInput,
        responses={201: MeetingOutput},
        summary="Record a meeting; its decisions assign or supervise cases through the workflow",
    )
    def post(self, request):
        data = MeetingInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        items = [meetings.ItemInput(**item) for item in fields.pop("items")]
        meeting = meetings.meeting_record(
            actor=request.user, data=meetings.MeetingInput(**fields, items=items)
        )
        return Response(MeetingOutput(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetail(APIView):
    @extend_schema(responses=MeetingOutput, summary="One meeting with the cases discussed")
    def get(self, request, pk: int):
        meeting = meetings.meeting_for(user=request.user, pk=pk)
        if meeting is None:
            raise NotFound
        return Response(MeetingOutput(meeting).data)


# --- Inspections -------------------------------------------------------------------------


class InspectionItemInput(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ProblemInput(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    fix_by = serializers.DateField()


class InspectionInput(serializers.Serializer):
    area = VisibleAreaField()
    inspected_on = serializers.DateField(default=timezone.localdate)
    inspectors = serializers.CharField(max_length=200)
    score = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0, max_value=100)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    items = InspectionItemInput(many=True, allow_empty=False, max_length=100)
    problems = ProblemInput(many=True, required=False, default=list, max_length=100)
    client_uuid = once_field()


class InspectionItemOutput(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["position", "text", "passed", "note"]


class ProblemOutput(serializers.ModelSerializer):
    class Meta:
        model = InspectionProblem
        fields = ["id", "description", "fix_by", "status", "fixed_on", "fix_note"]


class InspectionOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    items = InspectionItemOutput(many=True, read_only=True)
    problems = ProblemOutput(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "area",
            "area_name",
            "inspected_on",
            "inspectors",
            "score",
            "summary",
            "items",
            "problems",
            "created_at",
        ]


class InspectionList(GenericAPIView):
    serializer_class = InspectionOutput

    def get_queryset(self):
        return inspections.inspections_list(user=self.request.user).prefetch_related(
            "items", "problems"
        )

    @extend_schema(
        operation_id="inspections_list", summary="Supervision inspections in your jurisdiction"
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InspectionOutput(page, many=True).data)

    @extend_schema(
        request=InspectionInput,
        responses={201: InspectionOutput},
        summary="Record an inspection with its checklist and the problems found",
    )
    def post(self, request):
        data = InspectionInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        items = [inspections.ItemInput(**item) for item in fields.pop("items")]
        problems = [inspections.ProblemInput(**p) for p in fields.pop("problems")]
        inspection = inspections.inspection_record(
            actor=request.user,
            data=inspections.InspectionInput(**fields, items=items, problems=problems),
        )
        return Response(InspectionOutput(inspection).data, status=status.HTTP_201_CREATED)


class InspectionDetail(APIView):
    @extend_schema(responses=InspectionOutput, summary="One inspection")
    def get(self, request, pk: int):
        inspection = inspections.inspection_for(user=request.user, pk=pk)
        if inspection is None:
            raise NotFound
        return Response(InspectionOutput(inspection).data)


class ProblemFixInput(serializers.Serializer):
    fix_note = serializers.CharField(max_length=500)
    fixed_on = serializers.DateField(default=timezone.localdate)


class ProblemFix(APIView):
    @extend_schema(
        request=ProblemFixInput,
        responses=ProblemOutput,
        summary="Report a problem found by an inspection fixed",
    )
    def post(self, request, pk: int):
        problem = inspections.problems_visible_to(request.user).filter(pk=pk).first()
        if problem is None:
            raise NotFound
        data = ProblemFixInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        problem = inspections.problem_fix(
            problem=problem,
            actor=request.user,
            note=fields["fix_note"],
            fixed_on=fields["fixed_on"],
        )
        return Response(ProblemOutput(problem).data)
