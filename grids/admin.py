from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import tree
from grids.importing import read_area_file
from grids.jurisdiction import can_see, scope, sees_everything
from grids.models import Area
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
