"""Page forms for evaluations, the pay sheet, trainings and spot checks. They parse input
and give field messages; the rules live in assessment.services.evaluations, .pay and .training."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.filters import as_id
from grids.forms import AreaLabelField
from grids.models import Area
from grids.selectors import areas_visible_to
from personnel.models import Staff
from personnel.selectors import staff_visible_to
from personnel.services.training import ORGANISER_LEVELS


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]

    def chosen_year(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TrainingForm(forms.Form):
    area = AreaLabelField(label=_("Organised by"), queryset=Area.objects.none(), empty_label=None)
    day = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0.5"),
        max_value=Decimal(99),
        decimal_places=1,
        initial=2,
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=Staff.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose people on the roster of your jurisdiction.")},
    )

    def __init__(self, *args, user, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = (
            areas_visible_to(user)
            .filter(level__in=ORGANISER_LEVELS)
            .select_related("parent")
            .order_by("tree_id", "lft")
        )
        # Any visible person validates (the service checks again); the list shows the
        # roster of the chosen area, plus whoever was already ticked.
        self.fields["attendees"].queryset = staff_visible_to(user)
        ticked = set(self["attendees"].value() or []) if self.is_bound else set()
        shown = {person.pk: person for person in roster}
        extra = [pk for pk in (as_id(p) for p in ticked) if pk and pk not in shown]
        for person in staff_visible_to(user).filter(pk__in=extra).select_related("area"):
            shown[person.pk] = person
        self.fields["attendees"].widget.choices = [
            (pk, f"{person.name} · {person.area.name}") for pk, person in shown.items()
        ]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        return f"{obj.name} · {obj.area.name}"


class SpotCheckForm(forms.Form):
    staff = StaffChoiceField(
        label=_("Staff member"), queryset=Staff.objects.none(), empty_label=_("— choose —")
    )
    day = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    reached = forms.TypedChoiceField(
        label=_("Reached by phone"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        initial="true",
    )
    problems = forms.CharField(
        label=_("Problems found"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fix = forms.CharField(
        label=_("Fix"),
        max_length=500,
        required=False,
        help_text=_("What was agreed to put the problem right."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, roster, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        field.queryset = staff_visible_to(user).select_related("area")
        choices = [("", field.empty_label)] + [(p.pk, field.label_from_instance(p)) for p in roster]
        picked = self["staff"].value()
        if (pk := as_id(picked)) and pk not in {p.pk for p in roster}:
            chosen = field.queryset.filter(pk=pk).first()
            if chosen is not None:
                choices.append((chosen.pk, field.label_from_instance(chosen)))
        field.widget.choices = choices
