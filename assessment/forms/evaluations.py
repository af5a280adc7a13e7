"""Page forms for evaluations, the pay sheet, trainings and spot checks. They parse input
and give field messages; the rules live in assessment.services.evaluations, .pay and .training."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from assessment.models import FollowUp, Outcome
from assessment.services.evaluations import EVALUATED_KINDS
from assessment.services.pay import last_finished_quarter, pay_townships_for
from governance.platform.months import (
    last_month,
    month_format,
    month_options,
    month_parse,
    months_back,
)
from grids import tree
from grids.forms import AreaLabelField
from grids.models import Area, AreaLevel
from grids.selectors import area_filter_options, area_for, areas_visible_to
from personnel.models import PostKind

ANY = _("Any")
MONTHS_SHOWN = 24  # how far back the month select goes


def month_choices(today: date | None = None) -> list[tuple[str, str]]:
    """This month, then the MONTHS_SHOWN months before it."""
    return month_options(months_back(today or timezone.localdate(), MONTHS_SHOWN + 1))


class EvaluationFilterForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Post"),
        required=False,
        choices=[("", ANY)] + [(k.value, k.label) for k in EVALUATED_KINDS],
    )
    outcome = forms.ChoiceField(
        label=pgettext_lazy("evaluation", "Outcome"),
        required=False,
        choices=[("", ANY), *Outcome.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["month"].choices = month_choices()
        self.fields["month"].initial = month_format(last_month())
        self.fields["area"].choices = area_filter_options(user=user)

    def clean_month(self) -> date:
        return month_parse(self.cleaned_data["month"]) or last_month()

    def clean_area(self) -> Area | None:
        pk = self.cleaned_data.get("area")
        return area_for(user=self.user, pk=pk)

    def filters(self) -> dict:
        """The list's filters; the defaults when the form is unbound or invalid."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()
            # A field that does not validate falls back to its default; the others apply.
            data = self.cleaned_data
        return {
            "month": data.get("month") or last_month(),
            "area": data.get("area"),
            "kind": data.get("kind", ""),
            "outcome": data.get("outcome", ""),
        }


class ReviewForm(forms.Form):
    supervisor_score = forms.IntegerField(
        label=_("Supervisor's score"),
        min_value=0,
        max_value=100,
        help_text=_("0 to 100; the final score is 70 % work and 30 % this score."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    supervisor_comment = forms.CharField(
        label=_("Supervisor's comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FollowUpForm(forms.Form):
    follow_up = forms.ChoiceField(label=_("Follow-up"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Why; it goes into the person's file and the post history."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_area = AreaLabelField(
        label=_("Reassign to"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("— choose —"),
        help_text=_("Only for a reassignment: where the person takes the same post."),
    )

    def __init__(self, *args, user, evaluation, allowed: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].choices = [(v, FollowUp(v).label) for v in allowed]
        if FollowUp.REASSIGNED in allowed:
            level = AreaLevel.GRID if evaluation.kind == PostKind.GRID_WORKER else AreaLevel.VILLAGE
            # The new post lies under the unit that manages the person, like every post.
            self.fields["new_area"].queryset = (
                areas_visible_to(user)
                .filter(tree.subtree_q(evaluation.staff.area), level=level)
                .select_related("parent")
                .order_by("tree_id", "lft")
            )
        else:
            del self.fields["new_area"]


class PayForm(forms.Form):
    township = AreaLabelField(label=_("Township"), queryset=Area.objects.none(), empty_label=None)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = pay_townships_for(user)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, y) for y in range(this_year, this_year - 6, -1)]
        self.fields["quarter"].choices = [
            (q, gettext("Q%(quarter)s") % {"quarter": q}) for q in (1, 2, 3, 4)
        ]

    def choice(self) -> tuple[Area | None, int, int]:
        """(township, year, quarter): the form's, else the first township and the last
        finished quarter."""
        year, quarter = last_finished_quarter()
        township = self.fields["township"].queryset.first()
        if self.is_bound and self.is_valid():
            return (
                self.cleaned_data["township"],
                self.cleaned_data["year"],
                self.cleaned_data["quarter"],
            )
        return township, year, quarter
