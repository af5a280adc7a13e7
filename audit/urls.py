"""The audit log's pages (mounted at /audit/)."""

from django.urls import path

from audit import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("export/", views.audit_log_export, name="audit_log_export"),
]
