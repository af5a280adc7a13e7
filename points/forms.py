"""Forms of village points: they parse input and hand it to one service."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.platform.pages import OnceForm
from grids.models import Area, AreaLevel
from points.models import ItemKind, RuleItem

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def yuan_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=Decimal("0"), max_digits=12, decimal_places=2,
        help_text=_("In yuan, to the fen."),
    )  # fmt: skip


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


class HouseholdForm(forms.Form):
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Area.objects.none())
    head_name = forms.CharField(label=_("Head of household"), max_length=50)
    address = forms.CharField(label=_("Address"), max_length=200)
    members = forms.IntegerField(label=_("Members"), min_value=1, max_value=50, initial=1)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids.filter(level=AreaLevel.GRID)


class RecordForm(OnceForm):
    item = forms.ModelChoiceField(label=_("Item"), queryset=RuleItem.objects.none())
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("One photo as evidence, taken now or chosen from the album."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: (
            f"[{item.get_kind_display()}] {item.text}（{item.points:+d}）"
        )
        self.fields["occurred_on"].initial = timezone.localdate()


class ObjectionForm(forms.Form):
    raised_by_name = forms.CharField(label=_("Raised by"), max_length=50)
    text = forms.CharField(label=_("Objection"), max_length=500, widget=forms.Textarea(
        attrs={"rows": 3}))  # fmt: skip


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for not approving"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Upheld: the item is voided")), ("0", _("Dismissed: the item stands"))],
        coerce=lambda value: value == "1",
    )
    decision = forms.CharField(label=_("Reasons"), max_length=500)


class DonationForm(OnceForm):
    donor = forms.CharField(label=_("Donor"), max_length=100)
    amount = yuan_field(_("Amount"))
    receipt = forms.CharField(label=_("Receipt No."), max_length=50)
    received_on = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class RedemptionForm(OnceForm):
    points = forms.IntegerField(label=_("Points spent"), min_value=1, max_value=100000)
    goods = forms.CharField(label=_("Goods or services"), max_length=200)
    amount = yuan_field(_("Amount paid by the fund"))
    redeemed_on = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["redeemed_on"].initial = timezone.localdate()


class MonthForm(forms.Form):
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )  # fmt: skip


class ThresholdForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Township or village"), queryset=Area.objects.none())
    threshold = forms.IntegerField(label=_("At least (points)"), min_value=0, initial=50)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].error_messages["invalid_choice"] = _(
            "Choose an area in your jurisdiction."
        )


class RuleItemForm(forms.Form):
    text = forms.CharField(label=_("Item"), max_length=200)
    points = forms.IntegerField(
        label=_("Points"), min_value=-100, max_value=100,
        help_text=_("Positive items add points, negative ones take them (-5); veto items 0."),
    )  # fmt: skip
    evidence = forms.CharField(label=_("Evidence required"), max_length=200, required=False)


class AwardAllForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=RuleItem.objects.none())
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items.filter(kind=ItemKind.POSITIVE)
        self.fields["item"].label_from_instance = lambda item: f"{item.text}（{item.points:+d}）"
        self.fields["occurred_on"].initial = timezone.localdate()
