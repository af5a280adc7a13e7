"""Page forms for the login and the roster 一警三专N员. They parse input and offer choices
within the user's jurisdiction; the rules (valid ID numbers, one grid worker per grid, posts
under the managing unit) live in personnel.services.staff and come back as field messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import tree
from grids.forms import AreaChoiceField, chooser_if_long
from grids.models import Area, AreaLevel
from grids.selectors import area_filter_options
from personnel.models import EndReason, Gender, MemberType, PostKind
from personnel.services.coverage import REQUIREMENTS
from personnel.services.staff import STAFF_LEVELS


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )


# Above this many areas a select is unusable (a township has thousands of micro-grids):
# the centre types the division code instead, helped by a list of villages and grids.
POST_LEVELS = (AreaLevel.VILLAGE, AreaLevel.GRID, AreaLevel.MICROGRID)
OUTSIDE = _("Choose an area in your jurisdiction.")
ANY = _("Any")


def area_field(
    areas: QuerySet[Area], *, levels: tuple[str, ...], label, required: bool = True
) -> forms.Field:
    """A select of `areas`, or a search by name or division code when there are too many of
    them. Either way only these areas (already scoped to the user) are accepted."""
    messages = {"invalid_choice": OUTSIDE, "required": OUTSIDE}
    field = AreaChoiceField(
        top=AreaLevel.COUNTY,
        with_code=True,
        label=label,
        queryset=tree.in_order(areas.filter(level__in=levels)),
        required=required,
        empty_label=_("— choose —"),
        error_messages=messages,
    )
    return chooser_if_long(field, levels=levels)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffForm(forms.Form):
    """A person of the roster; on creation, optionally with their first post."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=50,
        error_messages={"required": _("Give the person's name.")},
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose male or female.")},
    )
    phone = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter an 11-digit mainland mobile number, e.g. 13812345678.")
        },
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={
            "required": _(
                "This is not a valid ID number: 18 characters, the last a check digit or X."
            )
        },
    )
    employer = forms.CharField(label=_("Employer / unit"), max_length=100, required=False)

    def __init__(self, *args, user, areas: QuerySet[Area], with_post: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["area"] = area_field(areas, levels=STAFF_LEVELS, label=_("Managed by"))
        self.fields["area"].help_text = _(
            "The village (or township, for police covering several villages) that manages "
            "the person; all their posts lie under it."
        )
        self.with_post = with_post
        if with_post:
            self.fields["post_kind"] = forms.ChoiceField(
                label=_("Post"),
                choices=[("", _("— no post yet —")), *PostKind.choices],
                required=False,
            )
            self.fields["post_member_type"] = forms.ChoiceField(
                label=_("Member type"),
                choices=[("", _("— only for an N member —")), *MemberType.choices],
                required=False,
            )
            self.fields["post_area"] = area_field(
                areas,
                levels=POST_LEVELS,
                label=_("Area"),
                required=False,
            )
            self.fields["post_start"] = forms.DateField(
                label=_("Start date"),
                required=False,
                initial=timezone.localdate,
                widget=_date_input(),
            )

    def staff_fields(self) -> list:
        return [self[name] for name in ("name", "phone", "id_number", "employer", "area")]

    def post_fields(self) -> list:
        names = ("post_kind", "post_member_type", "post_area", "post_start")
        return [self[name] for name in names] if self.with_post else []


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Post"),
        choices=[("", _("— choose —")), *PostKind.choices],
        error_messages={"required": _("Choose a post.")},
    )
    member_type = forms.ChoiceField(
        label=_("Member type"),
        choices=[("", _("— only for an N member —")), *MemberType.choices],
        required=False,
    )
    start = forms.DateField(
        label=_("Start date"),
        initial=timezone.localdate,
        widget=_date_input(),
        error_messages={"required": _("Give the date the post starts.")},
    )

    def __init__(self, *args, areas: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = area_field(areas, levels=POST_LEVELS, label=_("Area"))
        self.order_fields(["kind", "member_type", "area", "start"])


class PostEndForm(forms.Form):
    end = forms.DateField(
        label=_("End date"),
        initial=timezone.localdate,
        widget=_date_input(),
        error_messages={"required": _("Give the date the post ends.")},
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=EndReason.choices,
        initial=EndReason.RESIGNED,
        error_messages={"invalid_choice": _("Choose why the post ends.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LoginGrantForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        help_text=_("The staff number is offered; never a mobile or ID number."),
        error_messages={"required": _("Choose a username.")},
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Tell it to the person in private; they change it after logging in."),
    )


STATE_CHOICES = [("", ANY), ("active", _("Holding a post")), ("ended", _("No open post"))]


class RosterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, full mobile number or full ID number")}
        ),
    )
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Post"), choices=[("", ANY), *PostKind.choices], required=False
    )
    member_type = forms.ChoiceField(
        label=_("Member type"), choices=[("", ANY), *MemberType.choices], required=False
    )
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_filter_options(user=user)


class CoverageFilterForm(forms.Form):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, required=False, empty_value=None)
    post = forms.ChoiceField(
        label=_("Missing post"),
        choices=[("", ANY), *((code, r.label) for code, r in REQUIREMENTS.items())],
        required=False,
    )
    # Its choices are the townships of the report, known once the report is made.
    township = forms.IntegerField(
        label=_("Township / street"), required=False, widget=forms.Select(choices=[("", ANY)])
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_filter_options(user=user)
