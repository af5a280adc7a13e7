from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.selectors.stats import trend_start
from governance.platform.months import month_start


class DashboardQuery(forms.Form):
    PERIODS = {"month": _("This month"), "year": _("Last 12 months")}

    area = forms.IntegerField(required=False, min_value=1)
    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword; the names are the stats endpoint's and the URL's.
        self.fields["from"] = forms.DateField(label=_("Reported from"), required=False)
        self.fields["to"] = forms.DateField(label=_("Reported until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            self.add_error("to", _("The last day must not be before the first day."))
        return data

    def dates(self, today: date) -> tuple[str, date | None, date | None]:
        """The period and its first and last day: a date range if one is given, else the
        last 12 months or (by default) this month."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("from") or data.get("to"):
            return "range", data.get("from"), data.get("to")
        if data.get("period") == "year":
            return "year", trend_start(today), today
        return "month", month_start(today), today
