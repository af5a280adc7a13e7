from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes import services, transitions
from disputes.filters import CaseFilter
from disputes.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseEvent,
    CaseKind,
    Category,
    Severity,
)
from disputes.selectors import cases as selectors
from disputes.selectors.stats_cache import cached_area_stats
from disputes.services.attachments import attachments_add
from disputes.services.contacts import NoNumber
from disputes.services.contacts import case_party_reveal as party_reveal
from governance.platform.api import api_errors
from grids.jurisdiction import can_act_on_case, can_attach, can_report
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to, counties_of


class PartyInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    role = serializers.CharField(max_length=20, required=False, allow_blank=True)


# A report's grid and its ancestors up to the county (four above a micro-grid).
GRID_ANCESTORS = "parent__parent__parent__parent"
GRID_FIELDS = [
    f"{'parent__' * depth}{name}"
    for depth in range(GRID_ANCESTORS.count("parent") + 1)
    for name in ("level", "name", "parent", "tree_id", "lft", "rght")
]


@extend_schema_field(OpenApiTypes.STR)
class CategoryField(serializers.SlugRelatedField):
    """A category by its code, among those in use in the caller's counties: another
    county's reads as one that does not exist. (For a caller of several counties, one of
    theirs with the code: the report then takes its grid's county's, category_for_grid.)"""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Category.objects.none()
        return selectors.categories_for(user=request.user)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        found = self.get_queryset().filter(code=data).order_by("county_id").first()
        if found is None and self.context.get("request") is not None:
            # A county's categories are made the first time they are needed.
            user = self.context["request"].user
            if services.categories_ensure_started(counties=counties_of(user)):
                found = self.get_queryset().filter(code=data).order_by("county_id").first()
        if found is None:
            self.fail("does_not_exist", slug_name="code", value=data)
        return found


class CaseInput(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    category = CategoryField()
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.ORDINARY)
    criminal_risk = serializers.BooleanField(default=False)
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    # Limited to the caller's areas in __init__: a grid outside reads as one that does not
    # exist, so ids of other jurisdictions cannot be probed.
    grid = serializers.PrimaryKeyRelatedField(queryset=Area.objects.none())
    parties = PartyInput(many=True, required=False)
    location_lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    location_lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # With its ancestors up to the county (a micro-grid's too), which the case stores:
            # only what placing the case and checking the jurisdiction read.
            self.fields["grid"].queryset = (
                areas_visible_to(request.user).select_related(GRID_ANCESTORS).only(*GRID_FIELDS)
            )

    def validate(self, data):
        data["category"] = services.category_for_grid(category=data["category"], grid=data["grid"])
        return data


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "name", "kind", "county"]


class CaseOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "client_uuid",
            "kind",
            "category",
            "category_name",
            "severity",
            "criminal_risk",
            "title",
            "description",
            "grid",
            "village",
            "township",
            "county",
            "level",
            "status",
            "status_display",
            "deadline",
            "overdue",
            "supervised",
            "created_at",
            "updated_at",
        ]


class AttachmentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    files = serializers.ListField(child=serializers.FileField(), min_length=1)


class AttachmentOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "content_type", "size", "event", "created_at", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return reverse("case_attachment", args=[attachment.case_id, attachment.pk])


class EventOutput(serializers.ModelSerializer):
    # The person's name: a username is a login, not who acted (and once was a phone).
    actor = serializers.CharField(default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "level",
            "note",
            "data",
            "actor",
            "created_at",
        ]


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases in the caller's jurisdiction. A resent report (same client_uuid) answers 200
    with the case filed the first time, to its reporter while the case is in their
    jurisdiction; to anyone else it is a 400 on client_uuid (governance.platform.resends)."""

    lookup_value_regex = r"\d+"  # any other id is no route: a 404, not a failed query
    serializer_class = CaseOutput
    filterset_class = CaseFilter
    filter_backends = [DjangoFilterBackend]  # search and ordering are part of CaseFilter

    def get_queryset(self):
        return selectors.case_list(user=self.request.user)

    @extend_schema(request=CaseInput, responses={200: CaseOutput, 201: CaseOutput})
    def create(self, request, *args, **kwargs):
        if not can_report(request.user):
            raise PermissionDenied()
        data = CaseInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        result = services.case_report(reporter=request.user, **data.validated_data)
        return Response(
            CaseOutput(result.case).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(request=transitions.TransitionInput, responses=CaseOutput)
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk=None):
        """Move the case through its workflow: {"action": "accept" | "assign" | …}."""
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        data = transitions.TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        if not can_act_on_case(
            request.user, case, data.validated_data["action"], line=data.validated_data.get("line")
        ):
            raise PermissionDenied(_("Your role may not do this on this case."))
        case = transitions.run_transition(case, request.user, data.validated_data)
        return Response(CaseOutput(case).data)

    @extend_schema(responses=EventOutput(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        return Response(EventOutput(selectors.case_events(case=case), many=True).data)

    @extend_schema(
        methods=["get"], responses=AttachmentOutput(many=True), summary="The case's files"
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput(many=True)},
        summary="Add photos or documents (evidence); all or none",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        if request.method == "GET":
            return Response(AttachmentOutput(case.attachments.all(), many=True).data)
        if not can_attach(request.user, case):
            raise PermissionDenied(_("Only the reporter, a handler or the centre add files."))
        data = AttachmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            added = attachments_add(
                case=case,
                uploaded_by=request.user,
                uploads=data.validated_data["files"],
                kind=data.validated_data["kind"],
            )
        except DjangoValidationError as error:
            raise ApiValidationError({"files": error.messages}) from error
        return Response(AttachmentOutput(added, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer("PartyRevealInput", {"reason": serializers.CharField()}),
        responses=inline_serializer(
            "PartyRevealed",
            {"id_number": serializers.CharField(), "phone": serializers.CharField()},
        ),
        summary="A party's full ID number and phone, for a stated purpose (logged)",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"parties/(?P<index>\d{1,2})/reveal",
        url_name="party-reveal",
    )
    def party_reveal(self, request, pk=None, index=None):
        case = get_object_or_404(selectors.cases_visible_to(request.user), pk=pk)
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        try:
            shown = party_reveal(
                case=case, actor=request.user, index=int(index), reason=str(reason)
            )
        except NoNumber as missing:
            raise NotFound from missing
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(_("Your role may not do this on this case.")) from refused
        except DjangoValidationError as error:
            raise api_errors(error) from error
        response = Response(shown)
        response["Cache-Control"] = "no-store"
        return response


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The categories in use in the caller's county (in each county of a city's, told
    apart by `county`, which also filters them)."""

    serializer_class = CategoryOutput
    pagination_class = None
    filterset_fields = ["kind", "county"]
    lookup_field = "code"

    def get_queryset(self):
        return selectors.categories_for(user=self.request.user).order_by(
            "county_id", "kind", "sort_order", "code"
        )

    def offered(self) -> list[Category]:
        """The filtered categories, with the defaults of a county that has none yet, unsaved
        (categories_offered): written by the first report that names one."""
        saved = self.filter_queryset(self.get_queryset())  # checks the filters
        kind, county = (self.request.query_params.get(name) for name in ("kind", "county"))
        defaults = [
            c
            for c in selectors.categories_offered(user=self.request.user)
            if c.pk is None
            and kind in (None, "", c.kind)
            and county in (None, "", str(c.county_id))
        ]
        return sorted(
            [*saved, *defaults], key=lambda c: (c.county_id, c.kind, c.sort_order, c.code)
        )

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.offered(), many=True).data)

    def get_object(self):
        found = [c for c in self.offered() if c.code == self.kwargs["code"]]
        if not found:
            raise NotFound()
        if len(found) > 1:
            raise ApiValidationError(
                {"county": [_("Several of your counties have this category: name the county.")]}
            )
        self.check_object_permissions(self.request, found[0])
        return found[0]


class CaseDraftInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, default=CaseKind.KEY_PERSON)
    category = CategoryField()  # of the caller's counties; the case takes its grid's county's
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.ORDINARY)
    criminal_risk = serializers.BooleanField(default=False)


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


class AreaStats(APIView):
    """Case figures of an area's subtree (the dashboard's figures). The area is looked up in
    the caller's jurisdiction: another's reads as one that does not exist."""

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
    def get(self, request, pk: int):
        """Case figures of the area's subtree for cases reported from `from` to `to`."""
        # The area by id within the jurisdiction, without the list's filters and child
        # counts that get_object() would build (a dashboard polls this endpoint).
        area = get_object_or_404(areas_visible_to(request.user), pk=pk)
        query = StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        dates = query.validated_data
        return Response(
            cached_area_stats(
                user=request.user, area=area, start=dates.get("from"), end=dates.get("to")
            )
        )
