from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from audit.admin_changes import AuditedAdmin
from governance.platform.validators import mobile_is_valid
from grids.jurisdiction import can_see, role_area_errors, scope
from personnel.models import Staff, User
from personnel.services.staff import login_post


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    audit_action = "user.update"

    list_display = ["username", "last_name", "first_name", "role", "area", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    # The phone whole or not at all (get_search_results): a part would uncover the masked
    # digits one by one.
    search_fields = ["username", "first_name", "last_name", "area__name"]
    raw_id_fields = ["area"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Post and jurisdiction"), {"fields": ["role", "area", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Post and jurisdiction"), {"fields": ["role", "area", "phone"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Only operators grant operator rights: a county admin edits posts, not privileges.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [
            "is_superuser",
            "is_staff",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
        ]

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        phone = search_term.strip()
        if mobile_is_valid(phone):
            # Encrypted at rest: compared in clear, over the logins that have a phone.
            same = [
                pk
                for pk, stored in queryset.exclude(phone="").values_list("pk", "phone")
                if stored == phone
            ]
            found = found | queryset.filter(pk__in=same)
        return found, duplicates

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="area")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def clean(self):
                data = super().clean()
                area = data.get("area")
                problems = role_area_errors(data.get("role") or "", area)
                if area is not None and not can_see(request.user, area):
                    problems.append(_("This area lies outside your jurisdiction."))
                staff = Staff.objects.filter(user=obj).first() if obj is not None else None
                moved = obj is not None and (
                    data.get("role") != obj.role or getattr(area, "pk", None) != obj.area_id
                )
                if moved and staff and (data.get("role"), area) != login_post(staff=staff):
                    problems.append(
                        _(
                            "This login belongs to %(name)s on the roster: its role and area "
                            "follow their posts. Change the posts on the roster pages."
                        )
                        % {"name": staff.name}
                    )
                if problems:
                    raise ValidationError({"area": problems})
                return data

        return CheckedForm
