"""Forms of the analysis meeting record 研判会: where and when (first the level and area,
which decide the queue of cases to pick from), then the cases discussed, one row each. They
parse input; supervision.services.meetings holds the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disputes.models import AssignmentLine, Case, Severity
from governance.platform.filters import as_id
from governance.platform.pages import OnceForm
from grids import tree
from grids.forms import AreaChoiceField
from grids.models import Area, AreaLevel
from grids.selectors import areas_visible_to
from supervision.models import Decision, Judgement, MeetingLevel, MeetingUnit, RiskFlag
from supervision.services.meetings import MEETING_AREA_LEVEL, ItemInput, MeetingInput

CANDIDATES_SHOWN = 200  # the queue's head; the service takes at most 100 cases a meeting
DEFAULT_UNITS = [
    MeetingUnit.CENTRE,
    MeetingUnit.COURT,
    MeetingUnit.POLICE_STATION,
    MeetingUnit.JUSTICE_OFFICE,
    MeetingUnit.PETITIONS,
]


class MeetingPlaceForm(forms.Form):
    """The first step: which meeting, held by which area."""

    level = forms.ChoiceField(
        label=gettext_lazy("Meeting"), choices=MeetingLevel.choices, widget=forms.RadioSelect
    )
    area = AreaChoiceField(
        top=AreaLevel.COUNTY,
        label=gettext_lazy("Held by"),
        queryset=Area.objects.none(),
        empty_label=gettext_lazy("— choose —"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = tree.in_order(
            areas_visible_to(user).filter(level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP])
        )
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose an area in your jurisdiction."
        )

    def clean(self):
        data = super().clean()
        level, area = data.get("level"), data.get("area")
        if level and area and area.level != MEETING_AREA_LEVEL[level]:
            self.add_error(
                "area",
                _("A %(meeting)s is held by a %(level)s.")
                % {
                    "meeting": MeetingLevel(level).label,
                    "level": AreaLevel(MEETING_AREA_LEVEL[level]).label,
                },
            )
        return data


class MeetingForm(OnceForm, MeetingPlaceForm):
    held_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    chair = forms.CharField(label=gettext_lazy("Chaired by"), max_length=50)
    units = forms.MultipleChoiceField(
        label=gettext_lazy("Units present"),
        choices=MeetingUnit.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    participants = forms.CharField(
        label=gettext_lazy("Participants"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        kwargs["initial"].setdefault("units", DEFAULT_UNITS)
        super().__init__(*args, **kwargs)
        # Chosen in the first step; carried along.
        self.fields["level"].widget = forms.HiddenInput()
        self.fields["area"].widget = forms.HiddenInput()


class ItemForm(forms.Form):
    """One case of the queue: ticked if discussed, with the judgement and the decision."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    pick = forms.BooleanField(label=gettext_lazy("Discussed"), required=False)
    judgement = forms.ChoiceField(
        label=gettext_lazy("Judgement"),
        choices=Judgement.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    risk_flags = forms.MultipleChoiceField(
        label=gettext_lazy("Risks"),
        choices=RiskFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=Decision.choices,
        required=False,
        initial=Decision.WATCH,
        widget=forms.RadioSelect,
    )
    lines = forms.MultipleChoiceField(
        label=gettext_lazy("Assign on"),
        choices=AssignmentLine.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: the political-legal line."),
    )
    supervision_deadline = forms.DateTimeField(
        label=gettext_lazy("Supervision deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=gettext_lazy("Decision note"),
        max_length=500,
        required=False,
        widget=forms.TextInput(),
    )

    def clean(self):
        data = super().clean()
        if not data.get("pick"):
            # A case not ticked was not discussed: whatever its row holds is ignored.
            for name in list(self.errors):
                if name != "case":
                    self.errors.pop(name)
            return data
        if not data.get("judgement"):
            self.add_error("judgement", _("Choose attention or key attention."))
        if data.get("decision") == Decision.SUPERVISE and not data.get("supervision_deadline"):
            self.add_error("supervision_deadline", _("Give the deadline of the supervision."))
        return data


ItemFormSet = forms.formset_factory(
    ItemForm,
    extra=0,
    max_num=CANDIDATES_SHOWN,
    absolute_max=CANDIDATES_SHOWN,
    validate_max=True,
)


def item_formset(*, data=None, candidates: list[Case] | None = None) -> forms.BaseFormSet:
    initial = None
    if candidates is not None:
        initial = [
            {
                "case": case.pk,
                "judgement": (
                    Judgement.KEY_ATTENTION
                    if case.severity == Severity.KEY_ATTENTION
                    else Judgement.ATTENTION
                ),
            }
            for case in candidates
        ]
    return ItemFormSet(data, initial=initial, prefix="items")


def posted_case_ids(formset: forms.BaseFormSet) -> list[int]:
    """The case ids of a bound formset's rows, as sent (before validation)."""
    ids = []
    for form in formset.forms:
        value = form.data.get(form.add_prefix("case"), "")
        if (pk := as_id(value)) is not None:
            ids.append(pk)
    return ids


def meeting_input(
    form: MeetingForm, formset: forms.BaseFormSet, cases: dict[int, Case]
) -> tuple[MeetingInput, list[int]]:
    """The service's input from valid forms, and for each item the index of its row (the
    service keys an item's errors by the item's index). A ticked case the user may not
    see gets an error on its row here."""
    data = form.cleaned_data
    items, rows = [], []
    for index, row in enumerate(formset.forms):
        values = row.cleaned_data
        if not values.get("pick"):
            continue
        case = cases.get(values["case"])
        if case is None:
            row.add_error(
                None, _("Case %(id)s is not a case of this area.") % {"id": values["case"]}
            )
            continue
        decision = values.get("decision") or Decision.WATCH
        items.append(
            ItemInput(
                case=case,
                judgement=values["judgement"],
                risk_flags=list(values["risk_flags"]),
                decision=decision,
                lines=list(values["lines"]) if decision == Decision.ASSIGN else [],
                supervision_deadline=(
                    values["supervision_deadline"] if decision == Decision.SUPERVISE else None
                ),
                note=values["note"],
            )
        )
        rows.append(index)
    meeting = MeetingInput(
        level=data["level"],
        area=data["area"],
        held_on=data["held_on"],
        chair=data["chair"],
        units=list(data["units"]),
        participants=data["participants"],
        summary=data["summary"],
        items=items,
        client_uuid=data["client_uuid"],
    )
    return meeting, rows


class MeetingFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("chair or summary")}
        ),
    )
    level = forms.ChoiceField(label=gettext_lazy("Meeting"), required=False)
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("All meetings")), *MeetingLevel.choices]
        areas = areas_visible_to(user).filter(level__in=[AreaLevel.COUNTY, AreaLevel.TOWNSHIP])
        self.fields["area"].choices = [("", _("All areas"))] + [
            (pk, name) for pk, name in tree.in_order(areas).values_list("id", "name")
        ]
