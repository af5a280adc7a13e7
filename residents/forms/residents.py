"""Page forms of the register of residents of concern. They parse input and give field
messages; the rules (who may register whom, valid ID numbers, cycles) live in
residents.services.residents, residents.selectors and residents.services.cycles."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from disputes.forms import GridChoiceField
from governance.platform.choosers import ChooserField, needs_chooser
from governance.platform.pages import LoggedBetweenForm
from grids.forms import grid_chooser_field
from grids.models import Area, AreaLevel
from residents.models import (
    KEY_PERSON_CATEGORIES,
    AccessAction,
    Resident,
    ResidentCategory,
    ResidentStatus,
    RiskLevel,
)
from residents.services.residents import (
    NAME_MAX,
    REASON_MAX,
    REASON_MIN,
    SITUATION_MAX,
    ResidentInput,
)

ANY = _("Any")


def grouped_categories() -> list:
    """Key persons 重点人员 and care groups 特殊人群, as <optgroup>s."""
    key = [(v, label) for v, label in ResidentCategory.choices if v in KEY_PERSON_CATEGORIES]
    care = [(v, label) for v, label in ResidentCategory.choices if v not in KEY_PERSON_CATEGORIES]
    return [(_("Key persons"), key), (_("Groups needing care"), care)]


class ResidentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Full name"),
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("part of the name")}),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", ANY), *grouped_categories()]
    )
    risk = forms.ChoiceField(
        label=_("Risk level"), required=False, choices=[("", ANY), *RiskLevel.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", ANY), *ResidentStatus.choices]
    )
    area = forms.TypedChoiceField(label=_("Area"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue visits only"), required=False)

    def __init__(self, data, *, area_choices):
        if data is not None and "status" not in data:
            # Under management by default; "Any" is an explicit, empty choice.
            data = data.copy()
            data["status"] = ResidentStatus.ACTIVE
        super().__init__(data)
        self.fields["area"].choices = area_choices


class LookupForm(forms.Form):
    id_number = forms.CharField(
        label=_("Full ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the full 18-digit ID number.")},
    )


class ReasonForm(forms.Form):
    # Checked by residents.selectors alone, so that a refusal is written to the access log too.
    reason = forms.CharField(
        label=_("Purpose"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX, "autocomplete": "off"}),
        help_text=_("Why you need it; kept in the access log with your name."),
    )


class ResidentForm(forms.Form):
    """Register a person, or correct one (`resident` given): on correction the ID number
    and phone start empty and only a newly typed value replaces the registered one, so the
    page never carries the full numbers."""

    name = forms.CharField(label=_("Full name"), max_length=NAME_MAX)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("— choose —"))])
    risk = forms.ChoiceField(
        label=_("Risk level"),
        choices=RiskLevel.choices,
        initial=RiskLevel.LOW,
        widget=forms.RadioSelect,
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible staff member"),
        queryset=None,
        required=False,
        empty_label=_("— nobody yet —"),
        help_text=_("Who visits the person; they see the person even in a health category."),
    )
    situation = forms.CharField(
        label=_("Situation"),
        max_length=SITUATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Background, needs and what to watch for. Kept encrypted."),
    )

    def __init__(self, *args, user, grids, staff, resident: Resident | None = None, **kwargs):
        self.resident = resident
        if resident is not None:
            kwargs.setdefault("initial", {}).update(
                name=resident.name,
                address=resident.address,
                grid=resident.grid,
                category=resident.category,
                risk=resident.risk,
                responsible=resident.responsible_id,
                situation=resident.situation,
            )
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("— choose —")), *grouped_categories()]
        staff = staff.select_related("area").order_by("name", "id")
        self.fields["responsible"].queryset = staff
        self.fields["responsible"].label_from_instance = staff_label
        if needs_chooser(staff):  # a county's roster: thousands of names
            old = self.fields["responsible"]
            self.fields["responsible"] = ChooserField(
                queryset=staff,
                url=reverse("choose_staff"),
                name_field="name",
                label_from=staff_label,
                label=old.label,
                required=False,
                help_text=_("Type a name and pick the person from the list."),
                placeholder=_("Full name"),
            )
        self.fields["grid"] = grid_field(user=user, grids=grids, resident=resident)
        if resident is not None:
            keep = _("Leave empty to keep the registered number.")
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = keep
            self.fields["phone"].help_text = keep
            self.fields["clear_phone"] = forms.BooleanField(
                label=_("Remove the registered mobile number"), required=False
            )
        self.order_fields(["name", "id_number", "phone", "clear_phone", "address", "grid"])

    def resident_input(self) -> ResidentInput:
        data = self.cleaned_data
        id_number, phone = data["id_number"].strip(), data["phone"].strip()
        if self.resident is not None:
            id_number = id_number or self.resident.id_number
            if not phone and not data.get("clear_phone"):
                phone = self.resident.phone
        return ResidentInput(
            name=data["name"],
            id_number=id_number,
            grid=data["grid"],
            category=data["category"],
            risk=data["risk"],
            phone=phone,
            address=data["address"],
            situation=data["situation"],
            responsible=data["responsible"],
        )


def staff_label(staff) -> str:
    return f"{staff.name} · {staff.area.name}"


def grid_field(*, user, grids, resident: Resident | None) -> forms.ModelChoiceField:
    """A select of the user's grids; above CHOOSER_THRESHOLD, a search by name or code."""
    grids = grids.filter(level=AreaLevel.GRID).select_related("parent").order_by("code")
    if needs_chooser(grids):
        return grid_chooser_field(grids)
    field = GridChoiceField(
        label=_("Grid"),
        queryset=grids,
        empty_label=_("— choose —"),
        error_messages={"invalid_choice": _("Choose one of your grids.")},
    )
    home: Area | None = user.area
    if home is not None and home.level == AreaLevel.MICROGRID:
        home = home.parent
    if resident is None and home is not None and home.level == AreaLevel.GRID:
        field.initial = home.pk
    return field


# Out of management 出管: each of these ends the visit cycle.
LEAVING = frozenset({ResidentStatus.MOVED, ResidentStatus.DECEASED, ResidentStatus.CLOSED})


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        min_length=REASON_MIN,  # checked again by resident_set_status; here to tell it at once
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. moved to another county on 1 March; correction order ended."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm: the person leaves management and is no longer visited."),
        required=False,
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in ResidentStatus.choices if value != resident.status
        ]

    def clean(self):
        data = super().clean()
        if data.get("status") in LEAVING and not data.get("confirm"):
            self.add_error("confirm", _("Tick to confirm: this ends the person's visit cycle."))
        return data


class AccessLogFilterForm(LoggedBetweenForm):
    field_order = ["actor", "resident", "action", "refused", "since", "until"]

    actor = forms.CharField(label=_("Who (name or login)"), max_length=40, required=False)
    resident = forms.CharField(label=_("Resident's name"), max_length=NAME_MAX, required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", ANY), *AccessAction.choices]
    )
    refused = forms.BooleanField(label=_("Refused only"), required=False)

    def query(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "actor_query": (data.get("actor") or "").strip(),
            "resident_query": (data.get("resident") or "").strip(),
            "action": data.get("action") or "",
            "denied": True if data.get("refused") else None,
            "since": data.get("since"),
            "until": data.get("until"),
        }


RISKS_SHOWN = [
    RiskLevel.HIGH.value,
    RiskLevel.MEDIUM.value,
    RiskLevel.LOW.value,
]  # the table's columns


class CyclesForm(forms.Form):
    """One number of days per category and risk level."""

    def __init__(self, *args, cycles: dict[tuple[str, str], int], **kwargs):
        super().__init__(*args, **kwargs)
        for (category, risk), days in cycles.items():
            self.fields[cell_name(category, risk)] = forms.IntegerField(
                label=f"{ResidentCategory(category).label} · {RiskLevel(risk).label}",
                min_value=1,
                max_value=366,
                initial=days,
                widget=forms.NumberInput(attrs={"class": "cell", "min": 1, "max": 366}),
            )

    def rows(self) -> list[tuple[str, bool, list]]:
        return [
            (
                label,
                value in KEY_PERSON_CATEGORIES,
                [self[cell_name(value, r)] for r in RISKS_SHOWN],
            )
            for value, label in ResidentCategory.choices
        ]

    def days(self) -> dict[tuple[str, str], int]:
        return {
            (category, risk): self.cleaned_data[cell_name(category, risk)]
            for category in ResidentCategory.values
            for risk in RiskLevel.values
        }


def cell_name(category: str, risk: str) -> str:
    return f"days_{category}_{risk}"
