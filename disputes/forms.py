"""Page forms for cases. They parse input and give field messages; the rules themselves
(parties, grids, transitions) live in the services and are only called from here."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    Assignment,
    AssignmentLine,
    AssignmentStatus,
    AttachmentKind,
    Case,
    CaseAction,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Category,
    Severity,
)
from disputes.selectors.cases import categories_for, categories_offered
from disputes.services import (
    CaseDraft,
    categories_ensure_started,
    category_for_grid,
    parties_errors,
)
from disputes.services.attachments import MAX_FILES, attachments_errors, photo_checked
from governance.platform.choosers import needs_chooser
from governance.platform.pages import OnceForm
from grids.forms import grid_chooser_field
from grids.models import Area, AreaLevel
from grids.selectors import counties_of
from personnel.selectors import RoutedLine, line_routing

PARTY_ROWS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data or []) if upload]
        if errors := attachments_errors(uploads, self.kind):
            raise forms.ValidationError(errors)
        return uploads


def photo_field() -> MultipleFileField:
    return MultipleFileField(
        kind=AttachmentKind.PHOTO,
        label=_("Photos"),
        help_text=_("Up to %(max)s photos, taken now or chosen from the album.")
        % {"max": MAX_FILES},
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


def document_field() -> MultipleFileField:
    return MultipleFileField(
        kind=AttachmentKind.DOCUMENT,
        label=_("Documents"),
        help_text=_("PDF, Word, Excel or pictures, e.g. a signed mediation agreement."),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,image/*"}),
    )


class CategoryChoiceField(forms.ModelChoiceField):
    """A category by its code, among the user's counties' (the form's queryset). A user of
    several counties may name a code that more than one of them has: one of those, and the
    report takes its grid's county's (category_for_grid)."""

    # The user's counties (the form's __init__): one that has no category yet is given
    # its default set when a report names one of them.
    counties = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        found = self.queryset.filter(code=str(value)).order_by("county_id").first()
        if (
            found is None
            and self.counties is not None
            and categories_ensure_started(counties=self.counties)
        ):
            found = self.queryset.filter(code=str(value)).order_by("county_id").first()
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name} · {obj.name}"


class FieldReportForm(OnceForm):
    """What a report from the field holds: the client's UUID (a resend never files twice),
    the kind and category, one line and the story, severity and the 民转刑 flag, and where
    the phone was. The case report form and the visit form (a case raised from a visit)."""

    # Required here: the services of field reports key everything on it.
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)

    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=CaseKind.choices,
        initial=CaseKind.DISPUTE,
        widget=forms.RadioSelect,
    )
    category = CategoryChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),  # the user's counties' (__init__)
        to_field_name="code",
        empty_label=_("— choose —"),
    )
    title = forms.CharField(
        label=_("In one line"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Two households quarrel over a wall")}),
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": _("Who, where, since when, what they ask for")}
        ),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.ORDINARY,
        widget=forms.RadioSelect,
    )
    criminal_risk = forms.BooleanField(
        label=_("Risk of turning into a criminal case (民转刑)"), required=False
    )
    location_lat = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip
    location_lng = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False,
        widget=forms.HiddenInput,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The categories of the user's own county (a county without any is offered the
        # defaults, written when a report names one); a code once for a user of several
        # counties.
        self.fields["category"].queryset = categories_for(user=user)
        self.fields["category"].counties = counties_of(user)
        by_code: dict[str, Category] = {}
        for category in categories_offered(user=user):
            by_code.setdefault(category.code, category)
        categories = sorted(by_code.values(), key=lambda c: (c.sort_order, c.code))
        # Grouped by kind, so the page can show only the chosen kind's.
        self.category_groups = [
            (value, label, [c for c in categories if c.kind == value])
            for value, label in CaseKind.choices
        ]


# The fields of a case raised from other field work (the case report form's names, so the
# report form's script filters the categories by kind there too); the services report
# their errors as case_<field>.
CASE_FIELDS = ("kind", "category", "title", "description", "severity", "criminal_risk")


class FieldWorkForm(FieldReportForm):
    """Field work (a visit, a campaign task) with one photo, that may raise a case in the
    same step: the case report's fields are always on the page, the `raise_case` box
    decides (clean() drops their errors when it is not ticked)."""

    raise_case = forms.BooleanField(label=_("Raise a case from this"), required=False)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return photo_checked(photo) if photo else None

    def clean(self):
        data = super().clean()
        if not data.get("raise_case"):
            for name in CASE_FIELDS:
                self.errors.pop(name, None)
        return data

    # A service's field names that are not the form's: {service field: form field or None}.
    SERVICE_FIELDS: dict[str, str | None] = {}

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """A service's {field: messages}, the raised case's case_<field> on our case fields."""
        for field, problems in errors.items():
            if field.startswith("case_") and field[5:] in CASE_FIELDS:
                field = field[5:]
            field = self.SERVICE_FIELDS.get(field, field)
            self.add_error(field if field in self.fields else None, problems)

    def case_draft(self) -> CaseDraft | None:
        data = self.cleaned_data
        if not data["raise_case"]:
            return None
        return CaseDraft(**{name: data[name] for name in CASE_FIELDS})


class CaseReportForm(FieldReportForm):
    """The field report: the first fields are all a grid worker must fill in; the rest is
    under "more details"."""

    def __init__(self, *args, user, grids, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        grids = grids.filter(level=AreaLevel.GRID).select_related("parent")
        if needs_chooser(grids):  # a county's thousands of grids: searched, not listed
            self.fields["grid"] = grid_chooser_field(grids)
        else:
            self.fields["grid"] = GridChoiceField(
                label=_("Grid"),
                queryset=grids,
                empty_label=_("— choose —"),
                error_messages={"invalid_choice": _("Choose one of your grids.")},
            )
            home = user.area
            if home is not None and home.level == AreaLevel.MICROGRID:
                home = home.parent
            if home is not None and home.level == AreaLevel.GRID:
                self.fields["grid"].initial = home.pk
        for row in range(1, PARTY_ROWS + 1):
            self.fields[f"party{row}_name"] = forms.CharField(
                label=_("Full name"), max_length=50, required=False
            )
            self.fields[f"party{row}_phone"] = forms.CharField(
                label=_("Mobile"),
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            )
            self.fields[f"party{row}_id_number"] = forms.CharField(
                label=_("ID number"),
                max_length=18,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"party{row}_role"] = forms.CharField(
                label=_("Role in the matter"), max_length=20, required=False
            )
        self.fields["photos"] = photo_field()
        self.fields["documents"] = document_field()

    def party_rows(self) -> list[list]:
        return [
            [self[f"party{row}_{part}"] for part in ("name", "phone", "id_number", "role")]
            for row in range(1, PARTY_ROWS + 1)
        ]

    def clean(self):
        data = super().clean()
        parties = []
        for row in range(1, PARTY_ROWS + 1):
            party = {
                part: data.get(f"party{row}_{part}", "").strip()
                for part in ("name", "phone", "id_number", "role")
            }
            if any(party.values()):
                parties.append({key: value for key, value in party.items() if value})
        if errors := parties_errors(parties):
            self.add_error(None, errors)
        data["parties"] = parties
        if data.get("category") and data.get("grid"):
            data["category"] = category_for_grid(category=data["category"], grid=data["grid"])
        return data

    def report_data(self) -> dict:
        data = self.cleaned_data
        fields = ("client_uuid", "kind", "category", "title", "description", "grid")
        fields += ("severity", "criminal_risk", "parties", "location_lat", "location_lng")
        return {name: data[name] for name in fields}


class BatchAssignForm(forms.Form):
    """Assign the ticked cases of the list on one line, to one handler or unit, or as the
    roster routes each case."""

    line = forms.ChoiceField(
        label=_("Assignment line"), choices=AssignmentLine.choices, widget=forms.RadioSelect
    )
    unit = forms.CharField(
        label=_("Handling unit"),
        required=False,
        max_length=100,
        help_text=_("Leave the unit and the handler empty to follow the roster for each case."),
    )
    handler = forms.TypedChoiceField(
        label=_("Handler"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, handlers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.handlers = {user.pk: user for user in handlers}
        roster = _("— as the roster says, or the unit decides —")
        self.fields["handler"].choices = [("", roster)] + [
            (user.pk, f"{user} · {user.get_role_display()} · {user.area.name}") for user in handlers
        ]

    def clean_handler(self):
        pk = self.cleaned_data.get("handler")
        return self.handlers.get(pk) if pk else None


# --- The assign step (交办) -----------------------------------------------------------------


@dataclass
class LineProposal:
    """One line of the assign form as the roster proposes it."""

    value: str
    label: str
    routed: RoutedLine
    checked: bool


def assign_proposals(case: Case) -> list[LineProposal]:
    """双线交办: both lines routed by the roster. The political-legal line is always
    proposed; the police line too when the roster has a police officer for the area (a
    line the centre may untick)."""
    proposals = []
    for value, label in AssignmentLine.choices:
        routed = line_routing(case=case, line=value)
        checked = value == AssignmentLine.POLITICAL_LEGAL or routed.staff is not None
        proposals.append(LineProposal(value, str(label), routed, checked))
    return proposals


def case_status_words(case: Case, assignments: list[Assignment], events: list[CaseEvent]) -> str:
    """The case's status, with how many of its lines are done while others are still
    handled: "办理中（1/2 条线已办结）" rather than a bare 办理中."""
    words = case.get_status_display()
    if case.status not in (CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS):
        return words
    # This round's lines: of the case's level, since it was last reopened.
    reopened = max(
        (e.created_at for e in events if e.action == CaseAction.REOPEN and e.level == case.level),
        default=None,
    )
    lines = [
        a
        for a in assignments
        if a.level == case.level
        and (
            a.status == AssignmentStatus.ACTIVE
            or (
                a.status == AssignmentStatus.DONE and (reopened is None or a.finished_at > reopened)
            )
        )
    ]
    done = sum(1 for a in lines if a.status == AssignmentStatus.DONE)
    if len(lines) < 2 or not done:
        return words
    return gettext("%(status)s (%(done)s of %(total)s lines handled)") % {
        "status": words,
        "done": done,
        "total": len(lines),
    }
