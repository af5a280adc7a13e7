"""Pages of the register of residents of concern and their visits."""

from django.urls import path

from residents.views import residents as views
from residents.views import visits as visit_views

urlpatterns = [
    # residents/
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/lookup/", views.resident_lookup, name="resident_lookup"),
    path("residents/export/", views.resident_export, name="resident_export"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/access-log/", views.access_log, name="access_log"),
    path("residents/access-log/export/", views.access_log_export, name="access_log_export"),
    path("residents/cycles/", views.visit_cycles, name="visit_cycles"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/status/", views.resident_status, name="resident_status"),
    # visits/
    path("visits/", visit_views.my_visits, name="my_visits"),
    path("visits/overdue/", visit_views.visits_overdue, name="visits_overdue"),
    path("visits/new/<int:resident_pk>/", visit_views.visit_record, name="visit_record"),
    path("visits/<int:visit_pk>/photo/", visit_views.visit_photo, name="visit_photo"),
]
