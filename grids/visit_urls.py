"""Pages of visits to residents of concern (mounted at /visits/)."""

from django.urls import path

from grids import visit_views

urlpatterns = [
    path("", visit_views.my_visits, name="my_visits"),
    path("overdue/", visit_views.visits_overdue, name="visits_overdue"),
    path("new/<int:resident_pk>/", visit_views.visit_record, name="visit_record"),
    path("<int:visit_pk>/photo/", visit_views.visit_photo, name="visit_photo"),
]
