"""Lists to review: the register is written by its import, the day figures by the
platforms' batches, tasks by the inspection and their closing (cameras.services); a
platform and its key are made by `manage.py camera_platform_create`, which shows the key
once."""

from django.contrib import admin

from cameras.models import Camera, MaintenanceTask, Platform
from grids.jurisdiction import scope


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Camera)
class CameraAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "township", "owner_unit", "status", "online"]
    list_filter = ["status", "kind"]
    search_fields = ["code", "name", "owner_unit"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("township")
        return scope(request.user, queryset, via="area")


@admin.register(Platform)
class PlatformAdmin(ReadOnlyAdmin):
    list_display = ["name", "county", "is_active", "created_at"]
    exclude = ["key_hash"]

    def get_queryset(self, request):
        return scope(request.user, super().get_queryset(request), via="county")


@admin.register(MaintenanceTask)
class MaintenanceTaskAdmin(ReadOnlyAdmin):
    list_display = ["camera", "month", "offline_hours", "status", "closed_at"]
    list_filter = ["status"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("camera")
        return scope(request.user, queryset, via="camera__area")
