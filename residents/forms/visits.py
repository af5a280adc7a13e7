"""The visit form 走访记录 a grid worker fills in at the door, with an optional case raised
from the visit. It parses input and gives field messages; the rules live in
residents.services.visits."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.forms import FieldWorkForm
from disputes.models import CaseKind
from residents.models import RiskLevel
from residents.services.visits import NOTE_MAX, SITUATION_MAX, VisitInput


class VisitForm(FieldWorkForm):
    visited_on = forms.DateField(
        label=_("Visit date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    met = forms.TypedChoiceField(
        label=_("Did you meet the person?"),
        choices=[("yes", _("Met in person")), ("no", _("Not met"))],
        coerce=lambda value: value == "yes",
        initial="yes",
        widget=forms.RadioSelect,
    )
    situation = forms.CharField(
        label=_("Situation"),
        max_length=SITUATION_MAX,
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": _("How the person is doing; if not met, why and what you did"),
            }
        ),
    )
    risk_after = forms.ChoiceField(
        label=_("Risk after the visit"),
        choices=[("", _("Unchanged")), *RiskLevel.choices],
        required=False,
        initial="",
        widget=forms.RadioSelect,
    )
    needs = forms.CharField(
        label=_("Needs"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Help the person or family asked for")}
        ),
    )
    follow_up = forms.CharField(
        label=_("Next steps"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What you will do next")}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("One photo of the visit, taken now or chosen from the album."),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    # A case raised from this visit: the case report's fields, always on the page; the box
    # decides (clean() drops their errors when it is not ticked).
    raise_case = forms.BooleanField(label=_("Raise a case from this visit"), required=False)

    field_order = ["client_uuid", "visited_on", "met", "situation", "risk_after", "needs"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = CaseKind.KEY_PERSON
        self.fields["title"].widget.attrs["placeholder"] = _(
            "e.g. Released prisoner without work or income"
        )
        self.fields["description"].widget.attrs.pop("placeholder", None)

    def visit_input(self) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            client_uuid=data["client_uuid"],
            visited_on=data["visited_on"],
            met=data["met"],
            situation=data["situation"],
            risk_after=data["risk_after"],
            needs=data["needs"],
            follow_up=data["follow_up"],
            location_lat=data["location_lat"],
            location_lng=data["location_lng"],
            photo=data["photo"],
            raise_case=self.case_draft(),
        )
