"""Changes made in the administration pages (categories, deadline rules, the scoring
scheme, pay rates, accounts, areas) go to the audit log like any other: a mixin for their
ModelAdmin that records each saved or deleted object inside the admin's own transaction
(Django's change and delete views are atomic), the old and new values from the form."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from audit.services import AuditInput, audit_record, audit_record_many


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple):
        return [_plain(item) for item in value]
    return value


def _form_changes(form) -> tuple[dict, dict]:
    fields = [name for name in form.changed_data if name in form.cleaned_data]
    old = {name: _plain(form.initial.get(name)) for name in fields}
    new = {name: _plain(form.cleaned_data[name]) for name in fields}
    return old, new


def _values(obj: Model) -> dict:
    return {
        field.name: field.value_from_object(obj)
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }


class AuditedAdmin:
    """Put first among the bases: `class CategoryAdmin(AuditedAdmin, admin.ModelAdmin)`."""

    audit_action = "settings.change"

    def audit_area(self, obj: Model) -> int | None:
        """The area an object belongs to, for scoping the log to a county."""
        for name in ("area_id", "county_id"):
            if getattr(obj, name, None) is not None:
                return getattr(obj, name)
        return None

    def _audit(self, request, obj: Model, old: dict, new: dict) -> None:
        audit_record(
            action=self.audit_action,
            actor=request.user,
            obj=obj,
            area_id=self.audit_area(obj),
            old=old,
            new=new,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.audit_saved(request, obj, form, change)

    def audit_saved(self, request, obj, form, change) -> None:
        """For a ModelAdmin whose save_model saves another way (the area tree)."""
        old, new = _form_changes(form) if change else ({}, _values(obj))
        if new:
            self._audit(request, obj, old, new)

    def save_formset(self, request, form, formset, change):
        changed = [
            (inline, _form_changes(inline))
            for inline in formset.forms
            if inline.has_changed() and inline not in formset.deleted_forms
        ]
        deleted = [
            (inline.instance, inline.instance.pk, _values(inline.instance))
            for inline in formset.deleted_forms
            if inline.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        for inline, (old, new) in changed:
            if inline.instance.pk is not None and new:
                self._audit(request, inline.instance, old, new)
        for instance, pk, values in deleted:
            instance.pk = pk  # the entry names what was deleted
            self._audit(request, instance, values, {"deleted": True})

    def delete_model(self, request, obj):
        values, pk = _values(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk  # the entry names what was deleted
        self._audit(request, obj, values, {"deleted": True})

    def delete_queryset(self, request, queryset):
        gone = [(obj, _values(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        audit_record_many(
            [
                AuditInput(
                    action=self.audit_action,
                    object_type=obj._meta.model_name,
                    object_id=str(obj.pk),
                    actor=request.user,
                    area_id=self.audit_area(obj),
                    old=values,
                    new={"deleted": True},
                )
                for obj, values in gone
            ]
        )
