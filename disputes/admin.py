from django.contrib import admin

from audit.admin_changes import AuditedAdmin
from disputes.models import Category, DeadlineRule


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["name", "code"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["category", "severity", "level", "hours"]
    list_filter = ["severity", "level"]
    list_editable = ["hours"]
