"""The camera network over REST: the video platform's status batches (authenticated by the
platform's own key, not a user), and the register and online rates for the app's users."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cameras import selectors
from cameras.models import Camera, device_code_validator
from cameras.services import ingestion
from governance.platform.months import month_start

KEY_HEADER = "X-Platform-Key"
# A platform's clock may run a little ahead; a report further in the future is refused.
CLOCK_SKEW = timedelta(minutes=10)


class StatusInput(serializers.Serializer):
    code = serializers.CharField(max_length=20, validators=[device_code_validator])
    online = serializers.BooleanField()
    at = serializers.DateTimeField(help_text="when the platform saw this status")

    def validate_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("This time lies in the future."))
        return value


class BatchInput(serializers.Serializer):
    statuses = StatusInput(many=True, allow_empty=False, max_length=ingestion.MAX_BATCH)


class BatchOutput(serializers.Serializer):
    stored = serializers.IntegerField()
    skipped = serializers.IntegerField(help_text="no newer than the camera's last report")
    refused = serializers.IntegerField(help_text="cameras of another county")
    unknown = serializers.IntegerField(help_text="device codes not in the register")


class StatusBatch(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=BatchInput,
        responses=BatchOutput,
        parameters=[OpenApiParameter(KEY_HEADER, str, OpenApiParameter.HEADER, required=True)],
        summary="A video platform's batch of camera statuses (its own county's cameras only)",
    )
    def post(self, request):
        platform = ingestion.platform_for_key(key=request.headers.get(KEY_HEADER, ""))
        if platform is None:
            raise AuthenticationFailed(_("Send the video platform's key in X-Platform-Key."))
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        reports = [ingestion.StatusReport(**row) for row in data.validated_data["statuses"]]
        result = ingestion.statuses_ingest(platform=platform, reports=reports)
        return Response(BatchOutput(result).data)


class CameraOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    township_name = serializers.CharField(source="township.name")

    class Meta:
        model = Camera
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "lat",
            "lng",
            "area",
            "area_name",
            "township_name",
            "owner_unit",
            "builder",
            "installed_on",
            "status",
            "online",
            "last_report_at",
        ]


class CameraList(GenericAPIView):
    serializer_class = CameraOutput

    @extend_schema(
        operation_id="cameras_list",
        parameters=[OpenApiParameter("q", str, description="device code start, name or owner")],
        summary="Cameras in your jurisdiction",
    )
    def get(self, request):
        query = str(request.query_params.get("q", ""))[:100].strip()
        page = self.paginate_queryset(selectors.cameras_list(user=request.user, query=query))
        return self.get_paginated_response(CameraOutput(page, many=True).data)


class CameraDetail(APIView):
    @extend_schema(responses=CameraOutput, summary="One camera")
    def get(self, request, pk: int):
        camera = selectors.camera_for(user=request.user, pk=pk)
        if camera is None:
            raise NotFound
        return Response(CameraOutput(camera).data)


class MonthInput(serializers.Serializer):
    month = serializers.DateField(required=False, help_text="any day of the month")


class RateOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    area_id = serializers.IntegerField()
    name = serializers.CharField()
    cameras = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class OnlineRates(APIView):
    @extend_schema(
        parameters=[MonthInput],
        responses=RateOutput(many=True),
        summary="The month's camera online rate per township, ranked",
    )
    def get(self, request):
        data = MonthInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        month = month_start(data.validated_data.get("month") or timezone.localdate())
        lines = selectors.online_rates(user=request.user, month=month)
        return Response(RateOutput(lines, many=True).data)
