"""Pages of analysis meetings (mounted at /meetings/)."""

from django.urls import path

from governance import meeting_views

urlpatterns = [
    path("", meeting_views.meeting_list, name="meeting_list"),
    path("new/", meeting_views.meeting_create, name="meeting_create"),
    path("<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
]
