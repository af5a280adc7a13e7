from django.urls import path

from governance import incident_views

urlpatterns = [
    path("", incident_views.incident_list_page, name="incident_list"),
    path("new/", incident_views.incident_create, name="incident_create"),
]
