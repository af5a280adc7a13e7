from django.contrib import admin
from django.utils.translation import gettext_lazy

from governance.platform.validators import mask_id_number, mask_phone
from grids.jurisdiction import can_read_access_log, scope
from residents.models import Resident, ResidentAccess, ResidentStatusChange, Visit, VisitCycle
from residents.selectors import access_log
from residents.services.residents import residents_visible_to

# Residents of concern: read-only here. Registering, correcting and moving people out of
# management go through the register's pages (residents.services.residents checks and logs
# them); the full ID numbers and phones are never shown in the admin, and the access log is
# only ever appended to.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _visible_residents(request):

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
