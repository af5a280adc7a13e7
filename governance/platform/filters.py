"""Query-string filters shared by the lists of every app (pages, exports and the API)."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An object's id: a whole number the database can hold, or a field error (“2.5”,
    “1e30”) rather than a failed query."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return None  # max_value above is the bound


def as_id(value: object) -> int | None:
    """A row id sent as text ("42"), or None for anything else: "²" is a digit to
    str.isdigit() but int() refuses it, and 10**30 fits no column."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None
