"""The monthly ranking over REST: one level of one month, within the caller's jurisdiction
(a township's staff get their own township's row and their villages' rows)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.models import RankingRow
from assessment.selectors.rankings import RANKED_LEVELS, ranking_rows, snapshot_for
from governance.platform.months import month_parse


class RankingRowOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    area_code = serializers.CharField(source="area.code")
    change = serializers.IntegerField(
        source="rank_change",
        allow_null=True,
        help_text=_("Places gained since last month (negative: lost); null when unranked then."),
    )
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = RankingRow
        fields = [
            "area",
            "area_name",
            "area_code",
            "level",
            "township",
            "rank",
            "rank_in_township",
            "score",
            "score_change",
            "change",
            "veto",
            "veto_kinds",
            "safe_candidate",
            "cases",
            "below_minimum",
            "indicators",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_indicators(self, row: RankingRow) -> dict:
        return row.values


class RankingQuery(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    level = serializers.ChoiceField(choices=RANKED_LEVELS, default="township")
    version = serializers.IntegerField(required=False, min_value=1)
    township = serializers.IntegerField(required=False, min_value=1)

    def validate_month(self, value: str):
        month = month_parse(value)
        if month is None:
            raise serializers.ValidationError(_("Give the month as YYYY-MM."))
        return month


class RankingList(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, required=True, description="YYYY-MM"),
            OpenApiParameter("level", str, enum=list(RANKED_LEVELS)),
            OpenApiParameter("version", int, description="default: the newest published"),
            OpenApiParameter("township", int, description="a township's villages only"),
        ],
        responses=inline_serializer(
            "RankingPage",
            {
                "month": serializers.CharField(),
                "version": serializers.IntegerField(),
                "status": serializers.CharField(),
                "published_at": serializers.DateTimeField(allow_null=True),
                "reason": serializers.CharField(),
                "indicators": serializers.ListField(child=serializers.DictField()),
                "results": RankingRowOutput(many=True),
            },
        ),
        summary="The monthly ranking of one level, within your jurisdiction",
    )
    def get(self, request: Request) -> Response:
        query = RankingQuery(data=request.query_params)
        if not query.is_valid():
            raise ApiValidationError(query.errors)
        data = query.validated_data
        snapshot = snapshot_for(user=request.user, month=data["month"], version=data.get("version"))
        if snapshot is None:
            raise NotFound(_("No ranking of this month is available to you."))
        rows = ranking_rows(
            user=request.user,
            snapshot=snapshot,
            level=data["level"],
            township_id=data.get("township"),
        )
        return Response(
            {
                "month": f"{snapshot.month:%Y-%m}",
                "version": snapshot.version,
                "status": snapshot.status,
                "published_at": snapshot.published_at,
                "reason": snapshot.reason,
                "indicators": [
                    spec for spec in snapshot.indicators if data["level"] in spec["levels"]
                ],
                "results": RankingRowOutput(rows, many=True).data,
            }
        )
