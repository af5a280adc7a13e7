"""Forms of supervision inspections 督导检查: the visit with its score, the checklist (the
county's usual items prefilled, a few blank rows for more), the problems found, and the
report that a problem is fixed. They parse input; supervision.services.inspections holds
the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.platform.pages import OnceForm
from grids import tree
from grids.forms import AreaChoiceField, chooser_if_long
from grids.models import Area, AreaLevel
from grids.selectors import area_filter_options, areas_visible_to
from supervision.services.inspections import (
    DEFAULT_CHECKLIST,
    INSPECTED_LEVELS,
    InspectionInput,
    ItemInput,
    ProblemInput,
)

BLANK_ROWS = 3
MAX_ROWS = 60


class InspectionForm(OnceForm):
    area = AreaChoiceField(
        top=AreaLevel.TOWNSHIP,
        label=gettext_lazy("Township or village inspected"),
        queryset=Area.objects.none(),
        empty_label=gettext_lazy("— choose —"),
    )
    inspected_on = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    inspectors = forms.CharField(label=gettext_lazy("Inspectors"), max_length=200)
    score = forms.DecimalField(
        label=gettext_lazy("Score"),
        min_value=0,
        max_value=100,
        max_digits=4,
        decimal_places=1,
        help_text=gettext_lazy("0 to 100, one decimal place."),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("inspected_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = tree.in_order(
            areas_visible_to(user).filter(level__in=INSPECTED_LEVELS)
        )
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose a township or village in your jurisdiction."
        )
        self.fields["area"] = chooser_if_long(self.fields["area"], levels=INSPECTED_LEVELS)


class ChecklistItemForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Checklist item"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Another item")}),
    )
    passed = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[("yes", gettext_lazy("Pass")), ("no", gettext_lazy("Fail"))],
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Note (optional)")}),
    )

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        if text and not data.get("passed"):
            self.add_error("passed", _("Mark it passed or failed."))
        elif not text and (data.get("passed") or (data.get("note") or "").strip()):
            self.add_error("text", _("Write the item, or clear its row to leave it out."))
        return data


class ProblemForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("Problem found"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext_lazy("A problem found")}),
    )
    fix_by = forms.DateField(
        label=gettext_lazy("Fix by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        described = bool((data.get("description") or "").strip())
        if described and not data.get("fix_by") and "fix_by" not in self.errors:
            self.add_error("fix_by", _("Give the date by which it is to be fixed."))
        elif not described and data.get("fix_by"):
            self.add_error("description", _("Describe the problem, or clear the date."))
        return data


ChecklistFormSet = forms.formset_factory(
    ChecklistItemForm, extra=BLANK_ROWS, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
)
ProblemFormSet = forms.formset_factory(
    ProblemForm, extra=BLANK_ROWS, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
)


def checklist_formset(data=None) -> forms.BaseFormSet:
    initial = None if data is not None else [{"text": str(text)} for text in DEFAULT_CHECKLIST]
    return ChecklistFormSet(data, initial=initial, prefix="items")


def problem_formset(data=None) -> forms.BaseFormSet:
    return ProblemFormSet(data, prefix="problems")


def inspection_input(
    form: InspectionForm, items: forms.BaseFormSet, problems: forms.BaseFormSet
) -> tuple[InspectionInput, list[int], list[int]]:
    """The service's input from valid forms; blank rows are left out. With it, the row of
    each item and each problem (the service keys their errors by their index)."""
    item_rows = [i for i, row in enumerate(items.forms) if row.cleaned_data.get("text", "").strip()]
    problem_rows = [
        i for i, row in enumerate(problems.forms) if row.cleaned_data.get("description", "").strip()
    ]
    data = form.cleaned_data
    inspection = InspectionInput(
        area=data["area"],
        inspected_on=data["inspected_on"],
        inspectors=data["inspectors"],
        score=data["score"],
        summary=data["summary"],
        client_uuid=data["client_uuid"],
        items=[
            ItemInput(
                text=items.forms[i].cleaned_data["text"],
                passed=items.forms[i].cleaned_data["passed"] == "yes",
                note=items.forms[i].cleaned_data["note"],
            )
            for i in item_rows
        ],
        problems=[
            ProblemInput(
                description=problems.forms[i].cleaned_data["description"],
                fix_by=problems.forms[i].cleaned_data["fix_by"],
            )
            for i in problem_rows
        ],
    )
    return inspection, item_rows, problem_rows


class ProblemFixForm(forms.Form):
    fix_note = forms.CharField(
        label=gettext_lazy("How it was fixed"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Say how the problem was fixed.")},
    )
    fixed_on = forms.DateField(
        label=gettext_lazy("Fixed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, problem, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("fixed_on", timezone.localdate())
        super().__init__(*args, prefix=f"fix-{problem.pk}", **kwargs)


class ProblemFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("All problems")),
            ("open", gettext_lazy("To be fixed")),
            ("overdue", gettext_lazy("Overdue")),
            ("fixed", gettext_lazy("Fixed")),
        ],
    )


class InspectionFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("inspectors or summary")}
        ),
    )
    area = forms.TypedChoiceField(
        label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_filter_options(user=user)
