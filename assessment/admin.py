from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from assessment.models import EnteredValue, Indicator, PayRate, ScoringScheme
from assessment.services.schemes import EDITABLE_FIELDS, scheme_update
from audit.admin_changes import AuditedAdmin
from governance.platform.pages import error_dict
from grids.jurisdiction import can_see, scope
from grids.models import AreaLevel


class IndicatorFormSet(BaseInlineFormSet):
    """The scheme's indicators as scheme_update takes them: checked by it (a dry run) with
    the scheme's fields from the form above, so the administration refuses exactly what
    the settings page refuses, with the same messages."""

    request = None  # set by IndicatorInline.get_formset

    def changes(self) -> tuple[list[dict], list[int]]:
        """The rows to save (each listed, an existing one with its id) and the ids to delete."""
        rows, deleted = [], []
        for form in self.forms:
            if form in self.deleted_forms:
                if form.instance.pk is not None:
                    deleted.append(form.instance.pk)
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra row
            row = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            rows.append({"id": form.instance.pk, **row} if form.instance.pk else row)
        return rows, deleted

    def rows_forms(self) -> list:
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return  # the fields' own messages first
        rows, deleted = self.changes()
        try:
            scheme_save(self.instance, actor=self.request.user, rows=rows, deleted=deleted,
                        dry_run=True)  # fmt: skip
        except ValidationError as error:
            forms, general = self.rows_forms(), []
            for key, problems in error_dict(error).items():
                if key.startswith("indicators."):
                    _prefix, row, field = key.split(".", 2)
                    form = forms[int(row)]
                    form.add_error(field if field in form.fields else None, problems)
                else:
                    general.extend(problems)
            if general:
                raise ValidationError(general) from error


def scheme_save(scheme: ScoringScheme, *, actor, rows, deleted, dry_run: bool) -> None:
    scheme_update(
        scheme=scheme,
        actor=actor,
        min_cases=scheme.min_cases,
        below_min_rule=scheme.below_min_rule,
        safe_village_score=scheme.safe_village_score,
        note=scheme.note,
        indicators=rows,
        deleted=deleted,
        dry_run=dry_run,
    )


class IndicatorInline(admin.TabularInline):
    model = Indicator
    formset = IndicatorFormSet
    extra = 0
    fields = [
        "sort_order",
        "code",
        "name",
        "source",
        "formula",
        "is_percentage",
        "unit",
        "weight",
        "direction",
        "full_marks_at",
        "zero_at",
        "applies_to_township",
        "applies_to_village",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(AuditedAdmin, admin.ModelAdmin):
    """The scheme is saved by scheme_update, as from the settings page: checked whole,
    all or nothing, and audited by it. A year's scheme is created on the settings page
    (from its draft) or by the monthly computation, not here; its county and year stay."""

    list_display = ["county", "year", "min_cases", "below_min_rule", "safe_village_score"]
    list_filter = ["year"]
    inlines = [IndicatorInline]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="county")

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["county", "year"]

    def save_model(self, request, obj, form, change):
        pass  # with its indicators, in save_related

    def save_related(self, request, form, formsets, change):
        (indicators,) = formsets
        rows, deleted = indicators.changes()
        scheme_save(form.instance, actor=request.user, rows=rows, deleted=deleted, dry_run=False)
        # What the admin's own history (construct_change_message) reads of a saved formset.
        indicators.new_objects, indicators.changed_objects, indicators.deleted_objects = [], [], []


@admin.register(EnteredValue)
class EnteredValueAdmin(admin.ModelAdmin):
    """A list to review; values are entered through `entered_value_set` (the settings page),
    which checks the area, level and range that a plain admin form would not."""

    list_display = ["month", "indicator", "area", "value", "entered_by", "entered_at"]
    list_filter = ["month", "indicator__scheme__year"]
    list_select_related = ["indicator", "area", "entered_by"]
    search_fields = ["area__name", "indicator__name"]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PayRate)
class PayRateAdmin(AuditedAdmin, admin.ModelAdmin):
    """Each village's annual performance pay; without a row, the default amount applies.
    The roster itself is kept on its own pages, where its rules are checked."""

    list_display = ["area", "year", "annual_amount"]
    list_filter = ["year"]
    search_fields = ["area__name", "area__code"]
    raw_id_fields = ["area"]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="area").select_related("area")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                data = super().clean()
                area = data.get("area")
                if area is not None and (
                    area.level != AreaLevel.VILLAGE or not can_see(request.user, area)
                ):
                    raise ValidationError(
                        {"area": _("Choose a village or community in your jurisdiction.")}
                    )
                return data

        return CheckedForm
