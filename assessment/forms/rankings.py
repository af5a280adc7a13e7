"""The monthly ranking pages: the table per level, one area's breakdown with the cases
behind each number, computing and publishing (the committee), and the bulletin 通报 as a
printable page and an Excel workbook."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from governance.platform.months import last_month, month_format, month_options, months_back


class ComputeForm(forms.Form):
    month = forms.ChoiceField(label=gettext_lazy("Month"))
    new_version = forms.BooleanField(
        label=gettext_lazy("Compute a published month again as a new version"), required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the new version"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. cases returned for redo")}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_options(months_back(timezone.localdate(), 13))
        self.fields["month"].initial = month_format(last_month())
