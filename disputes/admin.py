from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from audit.admin_changes import AuditedAdmin
from disputes.models import Category, DeadlineRule
from disputes.selectors.cases import categories_for
from disputes.services import categories_ensure_started, deadline_rule_errors
from grids.models import Area
from grids.selectors import counties_of


class CountySettingForm(forms.ModelForm):
    # The administrator's county when they have only one: a new row's county when the
    # request names none (the page offers it as the only choice).
    own_county: Area | None = None

    def clean(self):
        data = super().clean()
        if "county" in self.fields and not data.get("county"):
            if self.own_county is None:
                self.add_error("county", self.fields["county"].error_messages["required"])
            else:
                data["county"] = self.own_county
        return data


class CountySettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    """A county's own settings: its administrator sees and edits its county's rows only,
    and a new row is its county's (a city's administrator chooses among the city's
    counties). A row stays in its county."""

    form = CountySettingForm

    def get_queryset(self, request):
        return super().get_queryset(request).filter(county__in=counties_of(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = counties_of(request.user)
            kwargs["empty_label"] = None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "county" in form.base_fields:
            field = form.base_fields["county"]
            if obj is not None:
                # Shown and checked (the unique constraints name it), never changed.
                field.disabled = True
            counties = list(field.queryset[:2])
            if len(counties) == 1:
                form.own_county = counties[0]
                field.required = False
        return form

    def changelist_view(self, request, extra_context=None):
        # A county's categories are written the first time a change needs them (a GET
        # writes nothing: the lists show what is stored).
        if request.method == "POST":
            categories_ensure_started(counties=counties_of(request.user))
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            categories_ensure_started(counties=counties_of(request.user))
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(Category)
class CategoryAdmin(CountySettingsAdmin):
    list_display = ["name", "code", "kind", "sort_order", "is_active", "county"]
    list_filter = ["kind", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_select_related = ["county"]
    search_fields = ["name", "code"]
    fields = ["county", "code", "name", "kind", "sort_order", "is_active"]


class DeadlineRuleForm(CountySettingForm):
    class Meta:
        model = DeadlineRule
        fields = ["county", "category", "severity", "level", "hours"]

    def clean(self):
        data = super().clean()
        county = data.get("county")
        if errors := deadline_rule_errors(
            county_id=county.pk if county else self.instance.county_id,
            category=data.get("category"),
        ):
            raise ValidationError(errors)
        return data


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(CountySettingsAdmin):
    form = DeadlineRuleForm
    list_display = ["category", "severity", "level", "hours", "county"]
    list_filter = ["severity", "level"]
    list_editable = ["hours"]
    list_select_related = ["category", "county"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = categories_for(user=request.user, active=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
