from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.jurisdiction import can_read_access_log, can_see, scope, sees_everything
from governance.validators import mask_id_number, mask_phone
from grids import tree
from grids.access import access_log
from grids.importing import read_area_file
from grids.models import Area, Resident, ResidentAccess, ResidentStatusChange, Visit, VisitCycle
from grids.rules import area_errors
from grids.services import (
    EDITABLE_FIELDS,
    AreaImportError,
    area_create,
    area_update,
    areas_import,
)


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "kind",
            "households",
            "residents",
            "boundary",
            "centre_lat",
            "centre_lng",
        ]

    def clean(self):
        data = super().clean()

        def value(name: str):
            # Code, level and parent are read-only once created: the area's own then.
            return data.get(name) if name in self.fields else getattr(self.instance, name)

        errors = area_errors(
            code=value("code") or "",
            level=value("level") or "",
            parent=value("parent"),
            kind=data.get("kind") or "",
            boundary=data.get("boundary"),
            centre_lat=data.get("centre_lat"),
            centre_lng=data.get("centre_lng"),
        )
        if errors:
            raise ValidationError(errors)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy(
            "Columns: code, name, level, parent_code, kind, households, residents."
        ),
    )


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ["name", "code", "level", "kind", "parent", "households", "residents"]
    list_filter = ["level", "kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    list_per_page = 50
    change_list_template = "admin/grids/area/change_list.html"

    def get_queryset(self, request):
        return tree.in_order(scope(request.user, super().get_queryset(request)))

    def get_readonly_fields(self, request, obj=None):
        # Code, level and parent place an area in the tree; they are fixed once created.
        return ["code", "level", "parent"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ScopedForm(form):
            def clean_parent(self):
                parent = self.cleaned_data.get("parent")
                if parent is not None and not can_see(request.user, parent):
                    raise ValidationError(_("This area lies outside your jurisdiction."))
                if parent is None and not sees_everything(request.user):
                    raise ValidationError(_("Choose the parent area within your jurisdiction."))
                return parent

        return ScopedForm

    def save_model(self, request, obj, form, change):
        # Through the area services, which check the jurisdiction again and audit the
        # change (the form has already shown any error on its fields).
        values = {name: form.cleaned_data[name] for name in form.cleaned_data}
        if change:
            stored = Area.objects.get(pk=obj.pk)
            area_update(
                area=stored,
                actor=request.user,
                **{name: value for name, value in values.items() if name in EDITABLE_FIELDS},
            )
            obj.refresh_from_db()
        else:
            created = area_create(actor=request.user, **values)
            obj.pk = created.pk
            obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False  # areas carry history; retire them by import, never delete

    def get_urls(self):
        extra = [
            path("import/", self.admin_site.admin_view(self.import_view), name="grids_area_import")
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:grids_area_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = areas_import(rows=read_area_file(upload, upload.name), actor=request.user)
            except AreaImportError as error:
                problems = error.errors
            else:
                messages.success(
                    request,
                    _(
                        "Import finished: %(created)s created, %(updated)s updated, %(unchanged)s "
                        "unchanged."
                    )
                    % vars(result),
                )
                return redirect("admin:grids_area_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
            "title": _("Import areas"),
        }
        return render(request, "admin/grids/area/import.html", context)


# --- Residents of concern: read-only here. Registering, correcting and moving people out of
# management go through the register's pages (grids.residents checks and logs them); the
# full ID numbers and phones are never shown in the admin, and the access log is only ever
# appended to.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _visible_residents(request):
    from grids.residents import residents_visible_to

    return residents_visible_to(request.user)


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["name", "masked_id_number", "category", "risk", "grid", "status"]
    list_filter = ["category", "risk", "status"]
    search_fields = ["name"]
    list_select_related = ["grid"]
    # No id_number, phone or situation: the encrypted fields stay on the logged pages.
    fields = [
        "name",
        "masked_id_number",
        "masked_phone",
        "address",
        "grid",
        "category",
        "risk",
        "responsible",
        "status",
        "last_visited_on",
        "next_visit_due",
        "closed_on",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return _visible_residents(request)

    @admin.display(description=gettext_lazy("ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=gettext_lazy("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(ResidentStatusChange)
class ResidentStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["resident", "from_status", "to_status", "reason", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["resident", "actor"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(resident__in=_visible_residents(request))


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["resident", "visited_on", "met", "risk_before", "risk_after", "recorded_by"]
    list_filter = ["met"]
    list_select_related = ["resident", "recorded_by"]
    # No situation: it may hold health details, kept encrypted and shown on the logged pages.
    fields = [*list_display, "due_on", "needs", "follow_up", "case", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(resident__in=_visible_residents(request))


@admin.register(VisitCycle)
class VisitCycleAdmin(ReadOnlyAdmin):
    """Set on the visit cycles page, which also moves the residents' next visits."""

    list_display = ["county", "category", "risk", "days"]
    list_filter = ["category", "risk"]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="county")


@admin.register(ResidentAccess)
class ResidentAccessAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "resident", "reason", "denied"]
    list_filter = ["action", "denied"]
    search_fields = ["actor__username", "resident__name", "reason"]
    list_select_related = ["actor", "resident"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        if not can_read_access_log(request.user):
            return ResidentAccess.objects.none()
        return access_log(user=request.user)
