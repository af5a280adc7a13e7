from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from disputes.selectors.stats_cache import cached_area_stats
from governance.platform.filters import IdFilter
from grids import selectors, tree
from grids.models import Area, AreaLevel


class AreaOutput(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    child_count = serializers.IntegerField(read_only=True)
    descendant_count = serializers.IntegerField(source="descendant_total", read_only=True)
    centre = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "kind",
            "kind_display",
            "households",
            "residents",
            "child_count",
            "descendant_count",
            "centre",
            "boundary",
        ]

    def get_centre(self, area: Area) -> dict[str, float] | None:
        if area.centre_lat is None:
            return None
        return {"lat": float(area.centre_lat), "lng": float(area.centre_lng)}


class AreaFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = IdFilter(field_name="parent_id")
    code = filters.CharFilter(field_name="code", lookup_expr="startswith")

    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class StatsQuery(serializers.Serializer):
    to = serializers.DateField(required=False)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        return {"from": serializers.DateField(required=False), **super().get_fields()}

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(
                {"to": [_("The last day must not be before the first day (“from”).")]}
            )
        return attrs


def figure_fields() -> dict[str, serializers.Field]:
    """The figures of the stats of a subtree, of each child area and of each month."""
    return {
        "total": serializers.IntegerField(),
        "resolved": serializers.IntegerField(),
        "resolution_rate": serializers.FloatField(allow_null=True),
        "on_time_rate": serializers.FloatField(allow_null=True),
    }


def open_case_fields() -> dict[str, serializers.Field]:
    return {
        "open": serializers.IntegerField(),
        "overdue": serializers.IntegerField(),
        "supervised": serializers.IntegerField(),
    }


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas in the caller's jurisdiction; anything outside it is 404."""

    lookup_value_regex = r"\d+"  # any other id is no route: a 404, not a failed query
    serializer_class = AreaOutput
    filterset_class = AreaFilter
    search_fields = ["name"]
    ordering_fields = ["code", "name", "households", "residents"]

    def get_queryset(self):
        areas = selectors.areas_visible_to(self.request.user)
        return tree.in_order(areas.annotate(child_count=Count("children")))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day reported (local), inclusive"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last day reported (local), inclusive"
            ),
        ],
        responses=inline_serializer(
            "AreaStats",
            {
                **figure_fields(),
                **open_case_fields(),
                "by_status": serializers.DictField(child=serializers.IntegerField()),
                "by_kind": serializers.DictField(child=serializers.IntegerField()),
                "by_level": serializers.DictField(child=serializers.IntegerField()),
                "top_categories": inline_serializer(
                    "AreaStatsCategory",
                    {
                        "code": serializers.CharField(),
                        "name": serializers.CharField(),
                        "count": serializers.IntegerField(),
                    },
                    many=True,
                ),
                "past_deadline": serializers.IntegerField(),
                "escalated": inline_serializer(
                    "AreaStatsEscalated",
                    {"township": serializers.IntegerField(), "county": serializers.IntegerField()},
                ),
                "by_month": inline_serializer(
                    "AreaStatsMonth",
                    {"month": serializers.CharField(), **figure_fields()},
                    many=True,
                ),
                "children": inline_serializer(
                    "AreaStatsChild",
                    {
                        "id": serializers.IntegerField(),
                        "name": serializers.CharField(),
                        "level": serializers.ChoiceField(choices=AreaLevel.choices),
                        "households": serializers.IntegerField(),
                        "has_boundary": serializers.BooleanField(),
                        **figure_fields(),
                        **open_case_fields(),
                        "per_thousand_households": serializers.FloatField(allow_null=True),
                    },
                    many=True,
                    help_text=_(
                        "The same figures for each direct child area, weakest first (lowest "
                        "resolution rate; areas without a rate last); empty below villages."
                    ),
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        """Case figures of the area's subtree for cases reported from `from` to `to`."""
        # The area by id within the jurisdiction, without the list's filters and child
        # counts that get_object() would build (a dashboard polls this endpoint).
        area = get_object_or_404(selectors.areas_visible_to(request.user), pk=pk)
        self.check_object_permissions(request, area)
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        dates = query.validated_data
        return Response(
            cached_area_stats(
                user=request.user, area=area, start=dates.get("from"), end=dates.get("to")
            )
        )

    @extend_schema(
        responses=inline_serializer(
            "AreaBoundaries",
            {
                "type": serializers.ChoiceField(choices=["FeatureCollection"]),
                "features": inline_serializer(
                    "AreaBoundaryFeature",
                    {
                        "type": serializers.ChoiceField(choices=["Feature"]),
                        "properties": inline_serializer(
                            "AreaBoundaryProperties",
                            {"id": serializers.IntegerField(), "name": serializers.CharField()},
                        ),
                        "geometry": serializers.JSONField(
                            help_text=_("A GeoJSON Polygon or MultiPolygon")
                        ),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def boundaries(self, request, pk=None):
        """The boundaries of the area's direct children that have one, as a GeoJSON
        FeatureCollection (for the dashboard's map)."""
        area = self.get_object()
        children = selectors.areas_visible_to(request.user).filter(
            parent=area, boundary__isnull=False
        )
        features = [
            {
                "type": "Feature",
                "properties": {"id": child.pk, "name": child.name},
                "geometry": child.boundary,
            }
            for child in tree.in_order(children).only("pk", "name", "boundary")
        ]
        return Response({"type": "FeatureCollection", "features": features})
