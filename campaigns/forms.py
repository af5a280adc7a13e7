"""Page forms of campaigns 专项行动: the draft, the target upload, the list's filters and the
phone form a participant completes a task with (optionally raising a case, as a visit does).
They parse input and give field messages; the rules live in campaigns.services.campaigns."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import CampaignStatus, TargetMode, TaskStatus
from campaigns.services import instructions
from campaigns.services.campaigns import RESULT_MAX, CampaignInput, TaskInput
from disputes.forms import FieldWorkForm
from disputes.models import CaseKind
from governance.platform.pages import OnceForm
from grids import tree
from grids.forms import AreaChoiceField, chooser_if_long
from grids.jurisdiction import jurisdiction_root
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to
from personnel.models import MemberType, PostKind

CAMPAIGN_LEVELS = (AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)
DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CampaignStatus.choices],
    )
    q = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words of the title")}),
    )


class TaskFilterForm(forms.Form):
    """The campaign page's task list: a page at a time, narrowed by status."""

    tasks = forms.BooleanField(required=False, widget=forms.HiddenInput)  # shown on demand
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *TaskStatus.choices],
    )
    unassigned = forms.BooleanField(label=_("Only grids without a grid worker"), required=False)


class CampaignForm(OnceForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Drowning prevention home visits")}),
    )
    instructions = forms.CharField(
        label=_("What the participants are to do"),
        max_length=4000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("What to do at each target and what to report")}
        ),
    )
    area = AreaChoiceField(
        top=AreaLevel.COUNTY,
        label=_("Area covered"),
        queryset=Area.objects.none(),
        empty_label=None,
    )
    target_mode = forms.ChoiceField(
        label=_("Targets"),
        choices=TargetMode.choices,
        initial=TargetMode.ITEMS,
        widget=forms.RadioSelect,
    )
    post_kinds = forms.MultipleChoiceField(
        label=_("Who takes part"),
        choices=PostKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “each participant reports once”: everyone holding these posts."),
    )
    member_types = forms.MultipleChoiceField(
        label=_("Which N members"),
        choices=MemberType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every N member."),
    )
    needs_photo = forms.BooleanField(label=_("A photo is required"), required=False)
    needs_location = forms.BooleanField(label=_("The location is required"), required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )

    def __init__(self, *args, user, **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("starts_at", now)
        initial.setdefault("deadline", now + timedelta(days=1))
        super().__init__(*args, **kwargs)
        areas = tree.in_order(areas_visible_to(user).filter(level__in=CAMPAIGN_LEVELS))
        self.fields["area"].queryset = areas
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose an area in your jurisdiction."
        )
        if user.area_id and "area" not in initial:
            self.fields["area"].initial = user.area_id
        self.fields["area"] = chooser_if_long(self.fields["area"], levels=CAMPAIGN_LEVELS)

    def campaign_input(self) -> CampaignInput:
        data = self.cleaned_data
        return CampaignInput(
            title=data["title"],
            instructions=data["instructions"],
            area=data["area"],
            target_mode=data["target_mode"],
            starts_at=data["starts_at"],
            deadline=data["deadline"],
            post_kinds=data["post_kinds"],
            member_types=data["member_types"],
            needs_photo=data["needs_photo"],
            needs_location=data["needs_location"],
            client_uuid=data["client_uuid"],
        )


class TargetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("List of targets"),
        help_text=_("A .csv or .xlsx file with the columns 名称, 网格编码 and 地址."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class TaskForm(FieldWorkForm):
    """The participant's report on one task, with an optional case raised from it (the case
    report form's fields, so the report form's script filters the categories here too)."""

    result = forms.CharField(
        label=_("Result"),
        max_length=RESULT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("What you found or did, in a few words")}
        ),
    )
    # Whether the campaign needs one is the service's rule (its message says so).
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("One photo, taken now or chosen from the album."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    field_order = ["client_uuid", "result", "photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = CaseKind.HAZARD
        self.fields["description"].widget.attrs.pop("placeholder", None)

    # The location's error goes on the hidden latitude (shown by the location button).
    SERVICE_FIELDS = {"location": "location_lat", "client_uuid": None}

    def task_input(self) -> TaskInput:
        data = self.cleaned_data
        return TaskInput(
            client_uuid=data["client_uuid"],
            result=data["result"],
            location_lat=data["location_lat"],
            location_lng=data["location_lng"],
            photo=data["photo"],
            raise_case=self.case_draft(),
        )


class InstructionForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=instructions.TITLE_MAX)
    body = forms.CharField(
        label=_("Message"),
        max_length=instructions.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("At most 400 characters: it also goes out by SMS."),
    )
    area = AreaChoiceField(
        top=AreaLevel.COUNTY,
        label=_("Send to the area"),
        queryset=Area.objects.none(),
        empty_label=_("— choose —"),
    )
    post_kinds = forms.MultipleChoiceField(
        label=_("Who receives it"),
        choices=PostKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=PostKind.values,
        error_messages={"required": _("Choose who receives it.")},
    )
    member_types = forms.MultipleChoiceField(
        label=_("Only these N members"),
        choices=MemberType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every N member."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        levels = [AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
        self.fields["area"].queryset = tree.in_order(
            areas_visible_to(user).filter(level__in=levels)
        )
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose an area in your jurisdiction."
        )
        root = jurisdiction_root(user)
        if root is not None and root.level in levels:
            self.fields["area"].initial = root.pk
        self.fields["area"] = chooser_if_long(self.fields["area"], levels=levels)

    def instruction_input(self) -> instructions.InstructionInput:
        data = self.cleaned_data
        return instructions.InstructionInput(
            title=data["title"],
            body=data["body"],
            area=data["area"],
            post_kinds=list(data["post_kinds"]),
            member_types=list(data["member_types"]),
            client_uuid=data["client_uuid"],
        )
