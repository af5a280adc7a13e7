"""Searchable choosers: a choice among more than CHOOSER_THRESHOLD entries (a county's 3,771
grids, its 7,842 staff) is a search box, not a <select> of thousands.

The field renders a plain text input that holds the chosen entry's key (a division code),
marked with the address of a JSON search (`data-chooser`). static/js/chooser.js turns it
into a search box over that address and submits the chosen entry's id; without JavaScript
people type the key (or an exact name) themselves. Either way the field looks the value up
in its own queryset, which the form has scoped to the user's jurisdiction: an id from
outside it is refused like any unknown value, with the field's message.

The JSON answer (`chooser_response`) is a page of at most CHOOSER_PAGE_SIZE results:
{"results": [{"id", "key", "label"}], "page", "more"}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _

CHOOSER_THRESHOLD = 50  # above this many choices a <select> becomes a chooser
CHOOSER_PAGE_SIZE = 20
QUERY_MAX = 50
LONGEST_ID = 18  # digits of a bigint: anything longer is no id


class ChooserInput(forms.TextInput):
    """The text input the chooser script enhances; `describe` names the current value."""

    def __init__(self, *, url: str, describe: Callable[[Any], str], attrs=None) -> None:
        defaults = {
            "autocomplete": "off",
            "spellcheck": "false",
            "data-chooser": url,
            # The script's words, in the page's language ("%s": the text, the number).
            "data-chooser-none": _("Nothing in your jurisdiction matches “%s”."),
            "data-chooser-more": _("Only the first %s are shown: type more to narrow them down."),
        }
        super().__init__(attrs={**defaults, **(attrs or {})})
        self.describe = describe

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if value not in (None, ""):
            context["widget"]["attrs"]["data-chooser-label"] = self.describe(value)
        return context


class ChooserField(forms.ModelChoiceField):
    """A ModelChoiceField for long lists: rendered as a ChooserInput, it takes the entry's
    id (what the script submits), its `key_field` (a division code) or, when exactly one
    entry bears it, its `name_field`."""

    default_error_messages = {
        "invalid_choice": _("Nothing in your jurisdiction matches this; choose from the list."),
        "ambiguous": _("More than one entry is called this; choose from the list."),
    }

    def __init__(
        self,
        *,
        queryset: QuerySet,
        url: str,
        params: dict[str, str] | None = None,
        key_field: str = "pk",
        name_field: str = "",
        label_from: Callable[[Any], str] | None = None,
        placeholder: str = "",
        **kwargs,
    ) -> None:
        self.key_field, self.name_field = key_field, name_field
        if label_from is not None:
            self.label_from_instance = label_from
        address = f"{url}?{urlencode(params)}" if params else url
        attrs = {"placeholder": placeholder} if placeholder else {}
        kwargs.setdefault("widget", ChooserInput(url=address, describe=self._describe, attrs=attrs))
        kwargs.pop("empty_label", None)
        super().__init__(queryset=queryset, empty_label=None, **kwargs)

    def _find(self, value: str) -> Model | None:
        queryset = self.queryset
        if self.key_field != "pk":
            found = queryset.filter(**{self.key_field: value}).first()
            if found is not None:
                return found
        if value.isdigit() and len(value) <= LONGEST_ID:
            found = queryset.filter(pk=int(value)).first()
            if found is not None:
                return found
        if self.name_field:
            named = list(queryset.filter(**{self.name_field: value})[:2])
            if len(named) > 1:
                raise ValidationError(self.error_messages["ambiguous"], code="ambiguous")
            if named:
                return named[0]
        return None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Model):
            value = value.pk
        text = str(value).strip()[:QUERY_MAX]
        found = self._find(text) if text else None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": text},
            )
        return found

    def prepare_value(self, value):
        """What the input holds: the entry's key, which the field also takes back."""
        if isinstance(value, Model):
            return getattr(value, self.key_field) if self.key_field != "pk" else value.pk
        return value

    def _describe(self, value) -> str:
        try:
            found = self._find(str(value).strip()[:QUERY_MAX])
        except ValidationError:
            return ""
        return self.label_from_instance(found) if found is not None else ""

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        initial_key = "" if initial is None else str(self.prepare_value(initial))
        return initial_key != ("" if data is None else str(data))


def needs_chooser(queryset: QuerySet) -> bool:
    """More choices than a <select> should hold (one bounded COUNT)."""
    return queryset[: CHOOSER_THRESHOLD + 1].count() > CHOOSER_THRESHOLD


def chooser_query(request: HttpRequest) -> tuple[str, int]:
    """The search text and the page number (from 1) of a chooser's GET."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    return query, min(page, 1000)


def chooser_response(
    rows: QuerySet, *, page: int, key: Callable[[Any], str], label: Callable[[Any], str]
) -> JsonResponse:
    start = (page - 1) * CHOOSER_PAGE_SIZE
    found = list(rows[start : start + CHOOSER_PAGE_SIZE + 1])
    return JsonResponse(
        {
            "results": [
                {"id": row.pk, "key": key(row), "label": label(row)}
                for row in found[:CHOOSER_PAGE_SIZE]
            ],
            "page": page,
            "more": len(found) > CHOOSER_PAGE_SIZE,
        }
    )
