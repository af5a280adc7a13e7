"""Residents of concern over REST. ID numbers and phones leave masked; the full values only
through `reveal` with a stated reason, and a full ID number is looked up only in a request
body (never in a URL, where logs would keep it). Every detail view, reveal and lookup is
written to the access log, and no response may be cached."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.api import CaseDraftInput
from governance.platform.api import MaskedPersonFields
from governance.platform.filters import as_id
from grids.selectors import area_for, areas_visible_to
from personnel.selectors import staff_visible_to
from residents import selectors as access
from residents.models import (
    AccessAction,
    Resident,
    ResidentCategory,
    ResidentStatus,
    RiskLevel,
    Visit,
)
from residents.services import residents, visits


class NoStore:
    """Personal data must not stay in a browser's or a proxy's cache."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema_field(OpenApiTypes.INT)
class VisibleGrid(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return areas_visible_to(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleStaff(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return staff_visible_to(self.context["request"].user)


class ResidentInput(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18)
    grid = VisibleGrid()
    category = serializers.ChoiceField(choices=ResidentCategory.choices)
    risk = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.LOW)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    situation = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    responsible = VisibleStaff(required=False, allow_null=True, default=None)


class ResidentOutput(MaskedPersonFields, serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name")
    category_display = serializers.CharField(source="get_category_display")
    responsible_name = serializers.CharField(source="responsible.name", default=None)

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "address",
            "grid",
            "grid_name",
            "category",
            "category_display",
            "risk",
            "status",
            "responsible",
            "responsible_name",
        ]


class ResidentDetailOutput(ResidentOutput):
    class Meta(ResidentOutput.Meta):
        fields = [*ResidentOutput.Meta.fields, "situation", "created_at"]


def _choice(params, name: str, choices) -> str:
    value = params.get(name, "")
    if value and value not in choices:
        raise ApiValidationError({name: [_("Unknown value.")]})
    return value


class ResidentList(NoStore, GenericAPIView):
    serializer_class = ResidentOutput

    def get_queryset(self):
        params = self.request.query_params
        area = None
        if params.get("area"):
            pk = as_id(params["area"])
            area = area_for(user=self.request.user, pk=pk)
            if area is None:
                raise ApiValidationError(
                    {"area": [_("No area with this id in your jurisdiction.")]}
                )
        return residents.resident_list(
            user=self.request.user,
            category=_choice(params, "category", ResidentCategory.values),
            risk=_choice(params, "risk", RiskLevel.values),
            status=_choice(params, "status", ResidentStatus.values),
            area=area,
            query=params.get("search", "").strip()[:40],
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, enum=ResidentCategory.values),
            OpenApiParameter("risk", str, enum=RiskLevel.values),
            OpenApiParameter("status", str, enum=ResidentStatus.values),
            OpenApiParameter("area", int, description="the subtree of this area"),
            OpenApiParameter("search", str, description="part of the name"),
        ],
        responses=ResidentOutput(many=True),
        summary="Residents of concern in your jurisdiction (masked)",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ResidentOutput(page, many=True).data)

    @extend_schema(request=ResidentInput, responses={201: ResidentDetailOutput})
    def post(self, request):
        data = ResidentInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        resident = residents.resident_register(
            data=residents.ResidentInput(**data.validated_data), actor=request.user
        )
        return Response(ResidentDetailOutput(resident).data, status=status.HTTP_201_CREATED)


def _field(request, name: str) -> str:
    data = request.data if hasattr(request.data, "get") else {}  # a JSON list reads as empty
    return str(data.get(name, "")).strip()


def _resident(request, pk: int) -> Resident:
    resident = access.resident_detail(user=request.user, pk=pk)
    if resident is None:
        raise NotFound
    return resident


class ResidentDetail(NoStore, APIView):
    @extend_schema(responses=ResidentDetailOutput, summary="One resident (masked; logged)")
    def get(self, request, pk: int):
        return Response(ResidentDetailOutput(_resident(request, pk)).data)


class ResidentReveal(NoStore, APIView):
    @extend_schema(
        request=inline_serializer("RevealInput", {"reason": serializers.CharField()}),
        responses=inline_serializer(
            "Revealed", {"id_number": serializers.CharField(), "phone": serializers.CharField()}
        ),
        summary="The full ID number and phone, for a stated reason (logged)",
    )
    def post(self, request, pk: int):
        resident = access.resident_for(user=request.user, pk=pk, action=AccessAction.REVEAL)
        if resident is None:
            raise NotFound
        shown = access.resident_reveal(
            resident=resident, actor=request.user, reason=_field(request, "reason")
        )
        return Response(shown)


class ResidentLookup(NoStore, APIView):
    @extend_schema(
        request=inline_serializer("LookupInput", {"id_number": serializers.CharField()}),
        responses=ResidentOutput,
        summary="Find a resident by the full ID number, sent in the body (logged)",
    )
    def post(self, request):
        id_number = _field(request, "id_number")
        if not id_number:
            raise ApiValidationError({"id_number": [_("Enter the full ID number.")]})
        resident = access.resident_lookup(user=request.user, id_number=id_number)
        if resident is None:
            raise NotFound(_("No resident with this ID number in your jurisdiction."))
        return Response(ResidentOutput(resident).data)


class VisitInput(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    visited_on = serializers.DateField(default=timezone.localdate)
    met = serializers.BooleanField(default=True)
    situation = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    risk_after = serializers.ChoiceField(
        choices=RiskLevel.choices, required=False, allow_blank=True, default=""
    )
    needs = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    follow_up = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    location_lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90, default=None
    )
    location_lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180, default=None
    )
    raise_case = CaseDraftInput(required=False, default=None, help_text="a case raised in one step")


class VisitOutput(serializers.ModelSerializer):
    next_visit_due = serializers.DateField(source="resident.next_visit_due")
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_uuid",
            "resident",
            "visited_on",
            "met",
            "situation",
            "risk_before",
            "risk_after",
            "needs",
            "follow_up",
            "due_on",
            "case",
            "recorded_by_name",
            "created_at",
            "next_visit_due",
        ]

    def get_recorded_by_name(self, visit: Visit) -> str:
        return str(visit.recorded_by)


class ResidentVisits(NoStore, APIView):
    @extend_schema(responses=VisitOutput(many=True), summary="A resident's visits (logged)")
    def get(self, request, pk: int):
        resident = _resident(request, pk)
        return Response(VisitOutput(visits.visits_of(resident=resident), many=True).data)

    @extend_schema(
        request=VisitInput,
        responses={201: VisitOutput, 200: VisitOutput},
        summary="Record a visit (idempotent on client_uuid); optionally raise a case",
    )
    def post(self, request, pk: int):
        resident = residents.residents_visible_to(request.user).filter(pk=pk).first()
        if resident is None:
            raise NotFound
        data = VisitInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        draft = fields.pop("raise_case")
        result = visits.visit_record(
            resident=resident,
            actor=request.user,
            data=visits.VisitInput(
                **fields, raise_case=visits.CaseDraft(**draft) if draft else None
            ),
        )
        return Response(
            VisitOutput(result.visit).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
