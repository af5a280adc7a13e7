from django.db.models import Count
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

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
    parent = filters.NumberFilter(field_name="parent_id")
    code = filters.CharFilter(field_name="code", lookup_expr="startswith")

    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas in the caller's jurisdiction; anything outside it is 404."""

    serializer_class = AreaOutput
    filterset_class = AreaFilter
    search_fields = ["name"]
    ordering_fields = ["code", "name", "households", "residents"]

    def get_queryset(self):
        areas = selectors.areas_visible_to(self.request.user)
        return tree.in_order(areas.annotate(child_count=Count("children")))
