from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.platform.filters import IdFilter
from grids import selectors, tree
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to


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


@extend_schema_field(OpenApiTypes.INT)
class VisibleAreaField(serializers.PrimaryKeyRelatedField):
    """An area id the caller sees; another jurisdiction's reads as one that does not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return areas_visible_to(request.user) if request else Area.objects.none()
