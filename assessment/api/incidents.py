""" "三零" incidents over REST: read by everyone within their subtree, recorded by the county."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from assessment.models import Incident, IncidentKind
from assessment.services.incidents import incident_list, incident_record
from governance.platform.months import month_parse
from grids.api import VisibleAreaField
from grids.jurisdiction import can_record_incidents
from grids.models import Area
from grids.selectors import area_for


@extend_schema_field(OpenApiTypes.INT)
class IncidentInput(serializers.Serializer):
    area = VisibleAreaField(help_text=_("A township, village, grid or micro-grid."))
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    occurred_at = serializers.DateTimeField()
    description = serializers.CharField(max_length=2000)


class AreaBrief(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level"]
        ref_name = "IncidentArea"


class IncidentOutput(serializers.ModelSerializer):
    area = AreaBrief(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "area",
            "kind",
            "kind_display",
            "occurred_at",
            "description",
            "recorded_by",
            "created_at",
        ]

    def get_recorded_by(self, incident: Incident) -> str:
        return str(incident.recorded_by)


def _month(value: str) -> date | None:
    if not value:
        return None
    if (month := month_parse(value)) is None:
        raise ApiValidationError({"month": [_("Give the month as YYYY-MM.")]})
    return month


def _area_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ApiValidationError({"area": [_("Give the area as its numeric id.")]}) from None


class IncidentList(GenericAPIView):
    serializer_class = IncidentOutput

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind", "")
        if kind and kind not in IncidentKind.values:
            raise ApiValidationError({"kind": [_("Unknown incident kind.")]})
        area = None
        if params.get("area"):
            area = area_for(user=self.request.user, pk=_area_id(params["area"]))
            if area is None:
                raise ApiValidationError(
                    {"area": [_("No area with this id in your jurisdiction.")]}
                )
        return incident_list(
            user=self.request.user, month=_month(params.get("month", "")), kind=kind, area=area
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM, local time"),
            OpenApiParameter("kind", str, enum=IncidentKind.values),
            OpenApiParameter("area", int, description="the subtree of this area"),
        ],
        responses=IncidentOutput(many=True),
        summary='"三零" incidents in your jurisdiction',
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(IncidentOutput(page, many=True).data)

    @extend_schema(
        request=IncidentInput,
        responses={201: IncidentOutput},
        summary="Record an incident (county only)",
    )
    def post(self, request):
        if not can_record_incidents(request.user):
            raise PermissionDenied(_("Only the county records incidents."))
        data = IncidentInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        incident = incident_record(actor=request.user, **data.validated_data)
        return Response(IncidentOutput(incident).data, status=status.HTTP_201_CREATED)
