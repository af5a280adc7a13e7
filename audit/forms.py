from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import ACTION_FAMILIES, ACTION_LABELS
from governance.platform.pages import LoggedBetweenForm

ANY = _("Any")
OBJECT_TYPES = {
    "case": _("Case"),
    "staff": _("Staff member"),
    "post": _("Post"),
    "user": _("Login"),
    "evaluation": _("Evaluation"),
    "resident": _("Resident of concern"),
    "scheme": _("Scoring scheme"),
    "snapshot": _("Monthly ranking"),
    "incident": _("Incident"),
    "inspection": _("Inspection"),
    "campaign": _("Campaign"),
    "deadlinerule": _("Deadline rule"),
    "category": _("Category"),
    "visitcycle": _("Visit cycles"),
    "payrate": _("Pay rate"),
    "area": _("Area"),
    "training": _("Training"),
    "spotcheck": _("Spot check"),
}


class AuditFilterForm(LoggedBetweenForm):
    field_order = ["actor", "action", "object_type", "object_id", "since", "until"]

    actor = forms.CharField(label=_("Who (name or login)"), max_length=40, required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[
            ("", ANY),
            (_("All of"), list(ACTION_FAMILIES.items())),
            (_("One action"), list(ACTION_LABELS.items())),
        ],
    )
    object_type = forms.ChoiceField(
        label=_("Object type"), required=False, choices=[("", ANY), *OBJECT_TYPES.items()]
    )
    object_id = forms.CharField(label=_("Object number"), max_length=64, required=False)

    def query(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "actor_query": (data.get("actor") or "").strip(),
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "object_id": (data.get("object_id") or "").strip(),
            "since": data.get("since"),
            "until": data.get("until"),
        }
