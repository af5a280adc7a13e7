from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from assessment.models import EnteredValue, Indicator, PayRate, ScoringScheme
from assessment.services.scoring import scheme_errors
from audit.admin_changes import AuditedAdmin
from grids.jurisdiction import can_see, scope
from grids.models import Area, AreaLevel


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = [
        "sort_order",
        "code",
        "name",
        "source",
        "formula",
        "is_percentage",
        "weight",
        "direction",
        "full_marks_at",
        "zero_at",
        "applies_to_township",
        "applies_to_village",
    ]


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["county", "year", "min_cases", "below_min_rule", "safe_village_score"]
    list_filter = ["year"]
    inlines = [IndicatorInline]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="county")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = scope(
                request.user, Area.objects.filter(level__in=[AreaLevel.COUNTY, AreaLevel.CITY])
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The inline is saved only now, so the whole scheme can be checked only here; the
        # scheme is kept (the committee may be half-way through) but the problem is shown.
        for error in scheme_errors(scheme=form.instance):
            messages.warning(request, error)


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
