"""Campaigns 专项行动 and urgent instructions 预警指令 over REST: thin views over
`campaigns.services.campaigns`, `campaigns.selectors` and `campaigns.services.instructions`."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors
from campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTask,
    Instruction,
    TargetMode,
    TaskStatus,
)
from campaigns.services import campaigns, instructions
from disputes.api import CaseDraftInput
from disputes.services import CaseDraft
from disputes.services.attachments import photo_checked
from governance.platform.api import DepthLimitedJSONParser, once_field
from governance.platform.resends import made_before
from grids.api import VisibleAreaField
from grids.models import Area
from personnel.models import MemberType, PostKind


@extend_schema_field(OpenApiTypes.INT)
# --- Campaigns ---------------------------------------------------------------------------


class TargetInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    grid = serializers.CharField(
        max_length=Area._meta.get_field("code").max_length, help_text="the grid's code"
    )
    detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CampaignInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    instructions = serializers.CharField(max_length=4000)
    area = VisibleAreaField()
    target_mode = serializers.ChoiceField(choices=TargetMode.choices)
    post_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PostKind.choices), required=False, default=list
    )
    member_types = serializers.ListField(
        child=serializers.ChoiceField(choices=MemberType.choices), required=False, default=list
    )
    needs_photo = serializers.BooleanField(default=False)
    needs_location = serializers.BooleanField(default=False)
    starts_at = serializers.DateTimeField(required=False, default=None)
    deadline = serializers.DateTimeField()
    targets = TargetInput(many=True, required=False, default=list, max_length=campaigns.MAX_TARGETS)
    launch = serializers.BooleanField(default=False, help_text="launch at once")
    client_uuid = once_field()


class CampaignOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    organiser = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "instructions",
            "area",
            "area_name",
            "target_mode",
            "post_kinds",
            "member_types",
            "needs_photo",
            "needs_location",
            "starts_at",
            "deadline",
            "status",
            "launched_at",
            "finished_at",
            "organiser",
            "created_at",
        ]

    def get_organiser(self, campaign: Campaign) -> str:
        return str(campaign.created_by)


class CampaignList(GenericAPIView):
    serializer_class = CampaignOutput

    def get_queryset(self):
        return selectors.campaigns_list(
            user=self.request.user, status=self.request.query_params.get("status", "")
        )

    @extend_schema(
        operation_id="campaigns_list",
        parameters=[OpenApiParameter("status", enum=CampaignStatus.values, required=False)],
        summary="Campaigns in the user's jurisdiction (and those covering it)",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CampaignOutput(page, many=True).data)

    @extend_schema(
        request=CampaignInput,
        responses={201: CampaignOutput},
        summary="Create a campaign, optionally with its targets, optionally launching it",
    )
    def post(self, request):
        data = CampaignInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        targets = fields.pop("targets")
        launch = fields.pop("launch")
        fields["starts_at"] = fields["starts_at"] or timezone.now()
        campaign = _create(request.user, campaigns.CampaignInput(**fields), targets, launch)
        return Response(CampaignOutput(campaign).data, status=status.HTTP_201_CREATED)


def _create(actor, data, targets: list[dict], launch: bool) -> Campaign:
    visible = selectors.campaigns_visible_to(actor)
    if made := made_before(visible, client_uuid=data.client_uuid, actor=actor):
        return made  # a resend: its targets were set and its launch done the first time
    with transaction.atomic():  # all or nothing: no half-made campaign on a bad target
        campaign = campaigns.campaign_create(actor=actor, data=data)
        if targets:
            rows = [
                campaigns.TargetRow(line=index, **target)
                for index, target in enumerate(targets, start=1)
            ]
            try:
                campaigns.campaign_targets_set(campaign=campaign, actor=actor, rows=rows)
            except DjangoValidationError as error:  # the upload's "file" is "targets" here
                raise DjangoValidationError({"targets": error.messages}) from error
        if launch:
            campaigns.campaign_launch(campaign=campaign, actor=actor)
    campaign.refresh_from_db()
    return campaign


def _campaign(request, pk: int) -> Campaign:
    campaign = selectors.campaign_for(user=request.user, pk=pk)
    if campaign is None:
        raise NotFound
    return campaign


class CampaignDetail(APIView):
    @extend_schema(responses=CampaignOutput, summary="One campaign")
    def get(self, request, pk: int):
        return Response(CampaignOutput(_campaign(request, pk)).data)


class CampaignLaunch(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "LaunchOutput",
            {"tasks": serializers.IntegerField(), "unassigned": serializers.IntegerField()},
        ),
        summary="Launch a draft: every task is made at once",
    )
    def post(self, request, pk: int):
        campaign = _campaign(request, pk)
        result = campaigns.campaign_launch(campaign=campaign, actor=request.user)
        return Response({"tasks": result.tasks, "unassigned": result.unassigned})


class AreaProgressOutput(serializers.Serializer):
    level = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    itself = serializers.BooleanField(help_text="the area's own tasks, not a child's")


class FocusOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    level = serializers.CharField()


class ProgressOutput(serializers.Serializer):
    area = FocusOutput(help_text="the area counted: by_area holds its child areas")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    unassigned = serializers.IntegerField()
    by_area = AreaProgressOutput(many=True)


class AreaQuery(serializers.Serializer):
    area = serializers.IntegerField(
        required=False, min_value=1, help_text="an area of yours in the campaign (drill-down)"
    )


def _focus(request, campaign: Campaign) -> Area:
    """The area asked for (?area=), or the user's default part; outside: 404."""
    query = AreaQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    focus = selectors.campaign_focus(
        campaign=campaign, user=request.user, area_pk=query.validated_data.get("area")
    )
    if focus is None:
        raise NotFound
    return focus


class CampaignProgress(APIView):
    @extend_schema(
        parameters=[AreaQuery],
        responses=ProgressOutput,
        summary="Done and total in your part of the campaign, overall and per child area "
        "(county → townships → villages → grids); ?area= drills down",
    )
    def get(self, request, pk: int):
        campaign = _campaign(request, pk)
        focus = _focus(request, campaign)
        progress = selectors.campaign_progress(campaign=campaign, user=request.user, area=focus)
        response = Response(ProgressOutput(progress).data)
        response["Cache-Control"] = "no-store"
        return response


class TaskOutput(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", default="")
    target_detail = serializers.CharField(source="target.detail", default="")
    area_name = serializers.CharField(source="area.name")

    class Meta:
        model = CampaignTask
        fields = [
            "id",
            "campaign",
            "target_name",
            "target_detail",
            "area",
            "area_name",
            "staff",
            "status",
            "result",
            "done_at",
            "case",
        ]


class TaskQuery(AreaQuery):
    mine = serializers.BooleanField(
        required=False,
        default=False,
        help_text="only my own: the tasks of my roster entry, and for the village staff "
        "those of their village's grids without a grid worker (the centres have none)",
    )
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False, default="")
    unassigned = serializers.BooleanField(
        required=False, default=False, help_text="only those in grids without a grid worker"
    )


class CampaignTasks(GenericAPIView):
    serializer_class = TaskOutput

    @extend_schema(
        parameters=[TaskQuery],
        summary="The campaign's tasks in your jurisdiction (or only yours), a page at a time",
    )
    def get(self, request, pk: int):
        campaign = _campaign(request, pk)
        query = TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        area = _focus(request, campaign) if "area" in wanted else None
        tasks = selectors.campaign_task_list(
            campaign=campaign,
            user=request.user,
            area=area,
            status=wanted["status"],
            unassigned=wanted["unassigned"],
            mine=wanted["mine"],
        )
        page = self.paginate_queryset(tasks)
        return self.get_paginated_response(TaskOutput(page, many=True).data)


class TaskCompleteInput(serializers.Serializer):
    client_uuid = serializers.UUIDField()
    result = serializers.CharField(max_length=campaigns.RESULT_MAX)
    location_lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90, default=None
    )
    location_lng = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180, default=None
    )
    photo = serializers.FileField(
        required=False, default=None, help_text="JPEG, PNG, WebP or HEIC, checked by content"
    )
    raise_case = CaseDraftInput(required=False, default=None, help_text="a case raised in one step")

    def validate_photo(self, photo):
        return photo_checked(photo) if photo else None


class TaskComplete(APIView):
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=TaskCompleteInput,
        responses={201: TaskOutput, 200: TaskOutput},
        summary="Mark a task done (idempotent on client_uuid: 200 when already done)",
    )
    def post(self, request, pk: int, task_id: int):
        campaign = _campaign(request, pk)
        task = selectors.task_for(user=request.user, pk=task_id)
        if task is None or task.campaign_id != campaign.pk:
            raise NotFound
        data = TaskCompleteInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        draft = fields.pop("raise_case")
        result = campaigns.task_complete(
            task=task,
            actor=request.user,
            data=campaigns.TaskInput(**fields, raise_case=CaseDraft(**draft) if draft else None),
        )
        return Response(
            TaskOutput(result.task).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# --- Urgent instructions --------------------------------------------------------------


class InstructionInput(serializers.Serializer):
    title = serializers.CharField(max_length=instructions.TITLE_MAX)
    body = serializers.CharField(max_length=instructions.BODY_MAX)
    area = VisibleAreaField()
    post_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PostKind.choices), allow_empty=False
    )
    member_types = serializers.ListField(
        child=serializers.ChoiceField(choices=MemberType.choices), required=False, default=list
    )
    client_uuid = once_field()


class InstructionOutput(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name")
    sent_by = serializers.SerializerMethodField()

    class Meta:
        model = Instruction
        fields = [
            "id",
            "title",
            "body",
            "area",
            "area_name",
            "post_kinds",
            "member_types",
            "recipient_count",
            "sent_by",
            "created_at",
        ]

    def get_sent_by(self, instruction: Instruction) -> str:
        return str(instruction.created_by)


class ReceiptsOutput(serializers.Serializer):
    recipients = serializers.IntegerField()
    read = serializers.IntegerField()
    unread = serializers.IntegerField()
    confirmed_by_phone = serializers.IntegerField()
    with_login = serializers.IntegerField()


class InstructionDetailOutput(InstructionOutput):
    receipts = serializers.SerializerMethodField()

    class Meta(InstructionOutput.Meta):
        fields = [*InstructionOutput.Meta.fields, "receipts"]

    @extend_schema_field(ReceiptsOutput)
    def get_receipts(self, instruction: Instruction) -> dict:
        summary = instructions.receipt_summary(
            instruction=instruction, user=self.context["request"].user
        )
        return ReceiptsOutput(summary).data


class InstructionList(GenericAPIView):
    serializer_class = InstructionOutput

    def get_queryset(self):
        return instructions.instructions_list(user=self.request.user)

    @extend_schema(
        operation_id="instructions_list",
        summary="Instructions sent in your jurisdiction, and those you received",
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InstructionOutput(page, many=True).data)

    @extend_schema(
        request=InstructionInput,
        responses={201: InstructionDetailOutput},
        summary="Send an urgent instruction to everyone holding the posts in the area",
    )
    def post(self, request):
        data = InstructionInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        instruction = instructions.instruction_send(
            actor=request.user, data=instructions.InstructionInput(**data.validated_data)
        )
        return Response(
            InstructionDetailOutput(instruction, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _instruction(request, pk: int) -> Instruction:
    instruction = instructions.instruction_for(user=request.user, pk=pk)
    if instruction is None:
        raise NotFound
    return instruction


class InstructionDetail(APIView):
    @extend_schema(
        responses=InstructionDetailOutput,
        summary="One instruction with its read receipts (your part)",
    )
    def get(self, request, pk: int):
        instruction = _instruction(request, pk)
        return Response(InstructionDetailOutput(instruction, context={"request": request}).data)


class InstructionRead(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "ReadOutput",
            {"read": serializers.BooleanField(), "first_time": serializers.BooleanField()},
        ),
        summary="Confirm you have read it (your read receipt)",
    )
    def post(self, request, pk: int):
        instruction = _instruction(request, pk)
        first = instructions.instruction_read(instruction=instruction, user=request.user)
        return Response({"read": True, "first_time": first})
