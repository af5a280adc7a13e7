"""The roster and its coverage over REST: people, their posts, and the gaps against the
standard. Every list and object is limited to the caller's jurisdiction; writes need a
centre that keeps the roster (township centre or county)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
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
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.platform.api import MaskedPersonFields, api_errors
from governance.platform.filters import as_id
from grids.api import VisibleAreaField
from grids.jurisdiction import jurisdiction_root, require_roster_manager
from grids.models import Area
from grids.selectors import area_for
from personnel import selectors
from personnel.models import EndReason, Gender, MemberType, Post, PostKind, Staff
from personnel.services import staff as services
from personnel.services.coverage import REQUIREMENTS, coverage_report


@extend_schema_field(OpenApiTypes.INT)
class StaffInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    phone = serializers.CharField(max_length=20)
    id_number = serializers.CharField(max_length=18)
    employer = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    area = VisibleAreaField(help_text=_("The managing unit: a county, township or village."))


class PostInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PostKind.choices)
    member_type = serializers.ChoiceField(
        choices=MemberType.choices, required=False, allow_blank=True, default=""
    )
    area = VisibleAreaField()
    start = serializers.DateField(required=False)


class PostEndInput(serializers.Serializer):
    end = serializers.DateField(required=False)
    reason = serializers.ChoiceField(choices=EndReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AreaBrief(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level"]


class PostOutput(serializers.ModelSerializer):
    area = AreaBrief(read_only=True)
    label = serializers.CharField(read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "staff",
            "kind",
            "member_type",
            "label",
            "area",
            "start",
            "end",
            "end_reason",
            "end_note",
            "active",
        ]


class StaffOutput(MaskedPersonFields, serializers.ModelSerializer):
    """ID number and phone are masked: nobody needs them in full to read the roster."""

    area = AreaBrief(read_only=True)
    has_login = serializers.SerializerMethodField()
    posts = serializers.SerializerMethodField()

    class Meta:
        model = Staff
        fields = [
            "id",
            "name",
            "gender",
            "phone",
            "id_number",
            "employer",
            "area",
            "has_login",
            "posts",
            "created_at",
            "updated_at",
        ]

    def get_has_login(self, staff: Staff) -> bool:
        return staff.user_id is not None

    @extend_schema_field(PostOutput(many=True))
    def get_posts(self, staff: Staff) -> list[dict]:
        # The list prefetches the open posts; the detail passes the whole history.
        posts = getattr(staff, "open_posts", None)
        if posts is None:
            posts = selectors.staff_posts(staff=staff)
        return PostOutput(posts, many=True).data


def _visible_staff(request, pk: int) -> Staff:
    staff = selectors.staff_detail(user=request.user, pk=pk)
    if staff is None:
        raise Http404
    return staff


class StaffReveal(APIView):
    @extend_schema(
        request=inline_serializer("StaffRevealInput", {"reason": serializers.CharField()}),
        responses=inline_serializer(
            "StaffRevealed",
            {"id_number": serializers.CharField(), "phone": serializers.CharField()},
        ),
        summary="A staff member's full ID number and phone, for a stated purpose (logged)",
    )
    def post(self, request, pk: int):
        staff = _visible_staff(request, pk)
        require_roster_manager(request.user)
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        try:
            shown = services.staff_reveal(staff=staff, actor=request.user, reason=str(reason))
        except DjangoValidationError as error:
            raise api_errors(error) from error
        response = Response(shown)
        response["Cache-Control"] = "no-store"
        return response


class StaffList(GenericAPIView):
    serializer_class = StaffOutput

    def get_queryset(self):
        params = self.request.query_params
        area = None
        if params.get("area"):
            area = area_for(user=self.request.user, pk=_int(params["area"]))
            if area is None:
                raise ApiValidationError(
                    {"area": [_("No area with this id in your jurisdiction.")]}
                )
        active = {"true": True, "false": False}.get(params.get("active", "").lower())
        return selectors.staff_list(
            user=self.request.user,
            query=params.get("search", "").strip(),
            area=area,
            kind=params.get("kind", ""),
            member_type=params.get("member_type", ""),
            active=active,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search", str, description="name, full mobile number or full ID number"
            ),
            OpenApiParameter("area", int),
            OpenApiParameter("kind", str, enum=PostKind.values),
            OpenApiParameter("member_type", str, enum=MemberType.values),
            OpenApiParameter("active", bool),
        ],
        responses=StaffOutput(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StaffOutput(page, many=True).data)

    @extend_schema(request=StaffInput, responses={201: StaffOutput})
    def post(self, request):
        require_roster_manager(request.user)
        data = StaffInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        staff = services.staff_create(
            data=services.StaffInput(**data.validated_data), actor=request.user
        )
        return Response(StaffOutput(staff).data, status=status.HTTP_201_CREATED)


class StaffDetail(APIView):
    @extend_schema(responses=StaffOutput)
    def get(self, request, pk: int):
        return Response(StaffOutput(_visible_staff(request, pk)).data)

    @extend_schema(request=StaffInput, responses=StaffOutput)
    def patch(self, request, pk: int):
        staff = _visible_staff(request, pk)
        require_roster_manager(request.user)
        current = {
            "name": staff.name,
            "gender": staff.gender,
            "phone": staff.phone,
            "id_number": staff.id_number,
            "employer": staff.employer,
            "area": staff.area_id,
        }
        if not isinstance(request.data, dict):  # a JSON list or string is no set of fields
            raise ApiValidationError({"non_field_errors": [_("Send the fields as an object.")]})
        data = StaffInput(data={**current, **request.data}, context={"request": request})
        data.is_valid(raise_exception=True)
        staff = services.staff_update(
            staff=staff, data=services.StaffInput(**data.validated_data), actor=request.user
        )
        return Response(StaffOutput(staff).data)


class StaffPosts(APIView):
    @extend_schema(responses=PostOutput(many=True), summary="The person's posts, history included")
    def get(self, request, pk: int):
        staff = _visible_staff(request, pk)
        return Response(PostOutput(selectors.staff_posts(staff=staff), many=True).data)

    @extend_schema(request=PostInput, responses={201: PostOutput}, summary="Give a post")
    def post(self, request, pk: int):
        staff = _visible_staff(request, pk)
        require_roster_manager(request.user)
        data = PostInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        post = services.post_add(staff=staff, actor=request.user, **data.validated_data)
        return Response(PostOutput(post).data, status=status.HTTP_201_CREATED)


class PostEnd(APIView):
    @extend_schema(request=PostEndInput, responses=PostOutput, summary="End a post (kept)")
    def post(self, request, pk: int):
        post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
        require_roster_manager(request.user)
        data = PostEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_end(post=post, actor=request.user, **data.validated_data)
        return Response(PostOutput(post).data)


def _int(value: str) -> int:
    if (pk := as_id(value)) is None:
        raise ApiValidationError({"area": [_("Give the area as its numeric id.")]})
    return pk


class Coverage(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, description="the subtree; default your jurisdiction"),
            OpenApiParameter("post", str, enum=list(REQUIREMENTS)),
            OpenApiParameter("day", OpenApiTypes.DATE),
        ],
        responses=inline_serializer(
            "CoverageOutput",
            {
                "day": serializers.DateField(),
                "required": serializers.IntegerField(),
                "filled": serializers.IntegerField(),
                "rate": serializers.FloatField(),
                "gaps": serializers.ListField(child=serializers.DictField()),
                "rates": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary="Gaps against 一警三专N员 and the coverage rate per township",
    )
    def get(self, request):
        params = request.query_params
        if params.get("area"):
            root = area_for(user=request.user, pk=_int(params["area"]))
            if root is None:
                raise ApiValidationError(
                    {"area": [_("No area with this id in your jurisdiction.")]}
                )
        else:
            root = jurisdiction_root(request.user)
            if root is None:
                raise PermissionDenied(_("Your account has no area."))
        post = params.get("post", "")
        if post and post not in REQUIREMENTS:
            raise ApiValidationError({"post": [_("Unknown post requirement.")]})
        day = timezone.localdate()
        if params.get("day"):
            try:
                day = serializers.DateField().run_validation(params["day"])
            except ApiValidationError as error:
                raise ApiValidationError({"day": error.detail}) from error
        report = coverage_report(root=root, day=day, post=post)
        return Response(
            {
                "day": report.day,
                "required": report.required,
                "filled": report.filled,
                "rate": report.rate,
                "gaps": [
                    {
                        "area": gap.area_id,
                        "area_name": gap.area_name,
                        "area_code": gap.area_code,
                        "level": gap.level,
                        "village": gap.village_name,
                        "township": gap.township_id,
                        "township_name": gap.township_name,
                        "post": gap.post,
                        "post_label": gap.post_label,
                        "missing": gap.missing,
                        "since": gap.since,
                    }
                    for gap in report.gaps
                ],
                "rates": [
                    {
                        "area": rate.area_id,
                        "name": rate.name,
                        "code": rate.code,
                        "required": rate.required,
                        "filled": rate.filled,
                        "gaps": rate.gaps,
                        "rate": rate.rate,
                    }
                    for rate in report.rates
                ],
            }
        )
