"""Page forms of the scoring scheme 考核方案 and of the committee's monthly values. They parse
input; the rules (weights adding up to 100, thresholds by direction, values in range) live in
assessment.services.scoring and come back as field messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Indicator, ScoringScheme
from governance.platform.months import month_options, month_parse
from grids.models import Area, AreaLevel

SCORED_LEVEL_CHOICES = [
    (AreaLevel.TOWNSHIP.value, AreaLevel.TOWNSHIP.label),
    (AreaLevel.VILLAGE.value, AreaLevel.VILLAGE.label),
]


class SchemeForm(forms.ModelForm):
    class Meta:
        model = ScoringScheme
        fields = ["min_cases", "below_min_rule", "safe_village_score", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


# The page's table: related fields share a column so that a row fits a desktop screen.
COLUMNS = [
    ("sort_order",),
    ("name", "code"),
    ("weight",),
    ("direction",),
    ("formula", "source"),
    ("full_marks_at",),
    ("zero_at",),
    ("is_percentage", "unit"),
    ("applies_to_township",),
    ("applies_to_village",),
]


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [name for names in COLUMNS for name in names]
        widgets = {
            "code": forms.TextInput(attrs={"autocomplete": "off"}),
            "unit": forms.TextInput(attrs={"size": 5, "placeholder": "%"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The monthly results name an indicator by its code: it stays as it was created.
        if self.instance.pk:
            self.fields["code"].disabled = True
        else:
            self.fields["code"].widget.attrs["placeholder"] = "road-safety"

    def columns(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for names in COLUMNS]

    def row(self) -> dict:
        """The row as scheme_update takes it."""
        data = {key: self.cleaned_data[key] for key in self.Meta.fields}
        return {"id": self.instance.pk, **data} if self.instance.pk else data


MAX_NEW_ROWS = 20
IndicatorFormSet = forms.modelformset_factory(
    Indicator, form=IndicatorForm, extra=1, can_delete=True, can_delete_extra=False
)


def indicator_formset(
    scheme: ScoringScheme, data=None, *, draft: list[Indicator] | None = None
) -> forms.BaseModelFormSet:
    """The scheme's indicators; for a year whose scheme is not saved yet, the `draft`'s
    (scoring.scheme_draft) as new rows that count even when left as they are."""
    if draft is None:
        indicators = scheme.indicators.order_by("sort_order", "id")
        drafted = []
    else:
        indicators = Indicator.objects.none()
        drafted = [{name: getattr(i, name) for name in IndicatorForm.Meta.fields} for i in draft]
    last = max([i.sort_order for i in indicators] + [d["sort_order"] for d in drafted], default=0)
    formset = IndicatorFormSet(
        data,
        queryset=indicators,
        prefix="indicators",
        # New rows go last, in the order they are added.
        initial=drafted + [{"sort_order": last + 10 * n} for n in range(1, MAX_NEW_ROWS + 1)],
    )
    if drafted:
        formset.min_num = len(drafted)  # checked and kept even when untouched
        formset.can_delete_extra = True
    return formset


def column_headings(formset: forms.BaseModelFormSet) -> list[str]:
    form = formset.empty_form
    return [" / ".join(str(form[name].label) for name in names) for names in COLUMNS]


def with_another_row(data, formset: forms.BaseModelFormSet):
    """The posted data with one more blank row, filled with a new row's initial values so
    that the row reads as untouched."""
    data = data.copy()
    count = len(formset.forms)
    new_rows = count - formset.initial_form_count() - formset.min_num
    if new_rows >= MAX_NEW_ROWS:
        return data
    prefix = formset.add_prefix(count)
    form = formset.empty_form
    for name, field in form.fields.items():
        initial = formset.initial_extra[formset.min_num + new_rows].get(
            name, form.get_initial_for_field(field, name)
        )
        if isinstance(field, forms.BooleanField):
            if initial:
                data[f"{prefix}-{name}"] = "on"
        elif initial is not None:
            data[f"{prefix}-{name}"] = str(initial)
    data[formset.management_form.add_prefix("TOTAL_FORMS")] = str(count + 1)
    return data


def weight_totals(formset: forms.BaseModelFormSet) -> dict[str, Decimal]:
    """Per level, the sum of the weights shown on the page (as typed, before saving)."""
    totals = {"township": Decimal(0), "village": Decimal(0)}
    for form in formset.forms:
        if "DELETE" in form.fields and form["DELETE"].value():
            continue
        try:
            weight = Decimal(str(form["weight"].value()))
        except InvalidOperation:
            continue  # a blank row, or a weight that is not a number yet
        if not weight.is_finite():
            continue
        for level in totals:
            if form[f"applies_to_{level}"].value():
                totals[level] += weight
    return totals


class EnteredValuesFilter(forms.Form):
    month = forms.ChoiceField(label=_("Month"))
    level = forms.ChoiceField(label=_("Level"), choices=SCORED_LEVEL_CHOICES, required=False)
    township = forms.TypedChoiceField(
        label=_("Township"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, months: list[date], townships: list[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_options(months)
        self.fields["township"].choices = [(t.pk, t.name) for t in townships]

    def month_value(self) -> date | None:
        return month_parse(self.cleaned_data["month"])


def cell_name(indicator_id: int, area_id: int) -> str:
    return f"v-{indicator_id}-{area_id}"


def plain(value: Decimal) -> str:
    """91.50 → "91.5", 100.00 → "100": as the committee would type it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class EnteredValuesForm(forms.Form):
    """One text input per (area, entered indicator), prefilled with the stored value."""

    def __init__(self, *args, indicators, areas, stored: dict[tuple[int, int], Decimal], **kw):
        super().__init__(*args, **kw)
        self.grid = []
        for area in areas:
            cells = []
            for indicator in indicators:
                name = cell_name(indicator.pk, area.pk)
                stored_value = stored.get((indicator.pk, area.pk))
                self.fields[name] = forms.CharField(
                    label=f"{area.name} · {indicator.name}",
                    required=False,
                    max_length=20,
                    initial=plain(stored_value) if stored_value is not None else "",
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "decimal",
                            "autocomplete": "off",
                            "class": "cell",
                            "aria-label": f"{area.name} {indicator.name}",
                        }
                    ),
                )
                cells.append((indicator, name))
            self.grid.append((area, cells))

    def rows(self):
        """For the template: each area with its bound cells."""
        for area, cells in self.grid:
            yield area, [(indicator, self[name]) for indicator, name in cells]

    def values(self) -> dict[tuple[int, int], str]:
        return {
            (indicator.pk, area.pk): self.cleaned_data[name]
            for area, cells in self.grid
            for indicator, name in cells
        }

    def add_cell_errors(self, errors: dict) -> None:
        for (indicator_id, area_id), messages in errors.items():
            name = cell_name(indicator_id, area_id)
            self.add_error(name if name in self.fields else None, messages)
