"""Pages of the register of residents of concern (mounted at /residents/)."""

from django.urls import path

from grids import resident_views as views

urlpatterns = [
    path("", views.resident_list, name="resident_list"),
    path("lookup/", views.resident_lookup, name="resident_lookup"),
    path("export/", views.resident_export, name="resident_export"),
    path("new/", views.resident_create, name="resident_create"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export/", views.access_log_export, name="access_log_export"),
    path("cycles/", views.visit_cycles, name="visit_cycles"),
    path("<int:pk>/", views.resident_detail, name="resident_detail"),
    path("<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("<int:pk>/status/", views.resident_status, name="resident_status"),
]
