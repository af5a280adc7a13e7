"""REST API for monthly evaluations, trainings and phone spot checks. Every list and object
is limited to the caller's jurisdiction (another jurisdiction's ids answer 404); writes
need a centre that keeps the roster."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from grids.api import VisibleAreaField
from grids.jurisdiction import require_roster_manager
from personnel.models import SpotCheck, Staff, Training
from personnel.selectors import staff_visible_to
from personnel.services import training


@extend_schema_field(OpenApiTypes.INT)
class VisibleStaffField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context.get("request")
        return staff_visible_to(request.user) if request else Staff.objects.none()


# --- Evaluations -----------------------------------------------------------------------


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
        session = training.training_create(actor=request.user, **data.validated_data)
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
        check = training.spot_check_create(actor=request.user, **data.validated_data)
        return Response(SpotCheckOutput(check).data, status=status.HTTP_201_CREATED)
