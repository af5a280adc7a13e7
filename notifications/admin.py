from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Delivery, Notification
from notifications.services import deliveries_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """For operators tracing a message; notifications are written only by the services."""

    list_display = ["created_at", "recipient", "kind", "case", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "case"]
    search_fields = ["recipient__username", "text"]
    raw_id_fields = ["recipient", "case"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "notification", "channel", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["notification"]
    raw_id_fields = ["notification"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def retry(self, request, queryset):
        count = deliveries_retry(ids=queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again within five minutes.",
                "%(count)d messages will be sent again within five minutes.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
