"""The audit log in words: who (name and role), what (the action's label), which object (its
kind, its number, a link to its page), and the changed fields under their labels with the
values people read (a choice's label, 是/否, a local time, a name for an id), masked where
personal. Used by the log's page and its export alike.

The log stores what the services wrote: field names and raw values. Their labels come from
the models themselves (verbose_name, choices), found through Django's app registry, so the
wording follows the models without this module importing any app above it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import ACTION_LABELS, AuditEntry
from audit.services import HIDDEN, masked, scrubbed

# Keys the services write that are not a field of the object's model.
KEY_LABELS = {
    "note": gettext_lazy("Note"),
    "reason": gettext_lazy("Reason"),
    "source": gettext_lazy("Decided at"),
    "label": gettext_lazy("Label"),
    "lines": gettext_lazy("Assignment lines"),
    "unit": gettext_lazy("Handling unit"),
    "routing": gettext_lazy("Routing"),
    "into": gettext_lazy("Merged into case"),
    "outcome": gettext_lazy("Outcome"),
    "satisfaction": gettext_lazy("Satisfaction"),
    "ip": gettext_lazy("IP address"),
    "deleted": gettext_lazy("Deleted"),
    "added_as": gettext_lazy("Added as staff member"),
    "month": gettext_lazy("Month"),
    "version": gettext_lazy("Version"),
    "value": gettext_lazy("Value"),
    "indicator": gettext_lazy("Indicator"),
    "targets": gettext_lazy("Targets"),
    "recipients": gettext_lazy("Recipients"),
    "confirmed": gettext_lazy("Confirmed"),
    "photo": gettext_lazy("Photo"),
    "cases": gettext_lazy("Cases"),
    "decisions": gettext_lazy("Decisions"),
    "limit": gettext_lazy("Limit per hour"),
    "erased_on": gettext_lazy("Erased on"),
    "visit": gettext_lazy("Visit"),
    "attendees": gettext_lazy("Attendees"),
    "reached": gettext_lazy("Reached"),
    "problems": gettext_lazy("Problems"),
    "count": gettext_lazy("Count"),
    "files": gettext_lazy("Files"),
    "meeting": gettext_lazy("Meeting"),
    "post_kinds": gettext_lazy("Posts"),
    "member_types": gettext_lazy("Member types"),
    "kind": gettext_lazy("Kind"),
    "status": gettext_lazy("Status"),
    "level": gettext_lazy("Level"),
    "line": gettext_lazy("Line"),
    "staff": gettext_lazy("Staff member"),
    "handler": gettext_lazy("Handler"),
    "username": gettext_lazy("Login"),
    "area": gettext_lazy("Area"),
    "campaign": gettext_lazy("Campaign"),
    "case": gettext_lazy("Case"),
    "id_number": gettext_lazy("ID number"),
    "phone": gettext_lazy("Mobile"),
}
# The object's page, by the kind the log names it by.
PAGES = {
    "case": "case_detail",
    "staff": "staff_detail",
    "resident": "resident_detail",
    "campaign": "campaign_detail",
    "instruction": "instruction_detail",
    "meeting": "meeting_detail",
    "inspection": "inspection_detail",
    "evaluation": "evaluation_detail",
    "area": "area_detail",
    "rankingsnapshot": "ranking_bulletin",
}
# Ids worth a name in place of a number (one query per kind per page).
NAMED = ("grids.area", settings.AUTH_USER_MODEL.lower(), "personnel.staff", "disputes.category")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Described:
    entry: AuditEntry
    who: str
    role: str
    login: str  # masked: logins were once phone numbers (personnel migration 0004)
    action: str
    object_kind: str
    object_number: str
    link: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def object_text(self) -> str:
        return f"{self.object_kind} #{self.object_number}" if self.object_number else ""

    def changes_text(self) -> str:
        return "; ".join(
            f"{change.label}: {change.before} → {change.after}"
            if change.before
            else f"{change.label}: {change.after}"
            for change in self.changes
        )


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {model._meta.model_name: model for model in apps.get_models()}


@cache
def _fields_by_name() -> dict[str, list[models.Field]]:
    """Every concrete field of every model, by name and by attname, for keys the object's
    own model does not have (a line of an assignment, the kind of an incident)."""
    found: dict[str, list[models.Field]] = defaultdict(list)
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            found[model_field.name].append(model_field)
            if model_field.attname != model_field.name:
                found[model_field.attname].append(model_field)
    return found


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if (own := _own_field(model, key)) is not None:
        return own
    candidates = _fields_by_name().get(key, [])
    # A name other models use alike (all with the same choices, or all plain) is safe.
    if candidates and len({tuple(f.choices or ()) for f in candidates}) == 1:
        return candidates[0]
    return None


def _own_field(model, key: str) -> models.Field | None:
    if model is None:
        return None
    for model_field in model._meta.concrete_fields:
        if key in (model_field.name, model_field.attname):
            return model_field
    return None


def _label(model, key: str) -> str:
    """The object's own field's label, else the log's own word for the key, else a field of
    that name elsewhere."""
    own = _own_field(model, key)
    if own is not None:
        return str(own.verbose_name)
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    model_field = _field(None, key)
    return str(model_field.verbose_name) if model_field is not None else key.replace("_", " ")


class Names:
    """Names of the ids a page of entries mentions, looked up once per kind."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model_field: models.Field | None, value: Any) -> None:
        target = _named_target(model_field)
        if target is not None and isinstance(value, int) and not isinstance(value, bool):
            self.wanted[target].add(value)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            self.found[model] = model._default_manager.in_bulk(ids)

    def name(self, model_field: models.Field, value: int) -> str | None:
        target = _named_target(model_field)
        obj = self.found.get(target, {}).get(value) if target else None
        return scrubbed(str(obj)) if obj is not None else None


def _named_target(model_field: models.Field | None):
    if model_field is None or not model_field.is_relation or model_field.related_model is None:
        return None
    return (
        model_field.related_model if model_field.related_model._meta.label_lower in NAMED else None
    )


def _text(value: Any, model_field: models.Field | None, model, names: Names) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if value == HIDDEN:
        return _("(changed; not kept in the log)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "、".join(_text(item, model_field, model, names) for item in value)
    if isinstance(value, Mapping):
        return "，".join(
            f"{_label(None, key)}：{_text(item, _field(None, key), None, names)}"
            for key, item in value.items()
        )
    if model_field is not None and model_field.choices:
        labels = {str(key): label for key, label in model_field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if model_field is not None and model_field.is_relation:
        named = names.name(model_field, value) if isinstance(value, int) else None
        if named:
            return named
        return f"{model_field.related_model._meta.verbose_name} #{value}"
    if isinstance(value, str) and ISO_DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return scrubbed(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(scrubbed(value))


def describe(entries: Iterable[AuditEntry]) -> list[Described]:
    """The entries in words (entries come with their actor and area)."""
    entries = list(entries)
    models_by_name = _models_by_name()
    names = Names()
    for entry in entries:
        model = models_by_name.get(entry.object_type)
        for values in (entry.old_values, entry.new_values):
            for key, value in values.items():
                model_field = _field(model, key)
                for item in value if isinstance(value, list) else [value]:
                    names.want(model_field, item)
    names.load()
    return [_described(entry, models_by_name.get(entry.object_type), names) for entry in entries]


def _described(entry: AuditEntry, model, names: Names) -> Described:
    actor = entry.actor
    if actor is not None:
        who, role = scrubbed(str(actor)), actor.get_role_display()
    elif entry.actor_name:
        who, role = scrubbed(entry.actor_name), ""
    else:
        who, role = _("(the system)"), ""
    old, new = masked(entry.old_values or {}), masked(entry.new_values or {})
    changes = []
    for key in dict.fromkeys([*old, *new]):
        model_field = _field(model, key)
        changes.append(
            Change(
                label=_label(model, key),
                before=_text(old[key], model_field, model, names) if key in old else "",
                after=_text(new.get(key), model_field, model, names),
            )
        )
    kind = str(model._meta.verbose_name) if model is not None else entry.object_type
    return Described(
        entry=entry,
        who=who,
        role=role,
        login=scrubbed(entry.actor_name) if entry.actor_name != who else "",
        action=action_label(entry.action),
        object_kind=kind,
        object_number=entry.object_id,
        link=_link(entry),
        changes=changes,
    )


def _link(entry: AuditEntry) -> str:
    page = PAGES.get(entry.object_type)
    if not page or not entry.object_id.isdigit():
        return ""
    try:
        return reverse(page, args=[int(entry.object_id)])
    except NoReverseMatch:
        return ""
