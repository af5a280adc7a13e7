"""Pages of analysis meetings 研判会 and inspections 督导检查."""

from django.urls import path

from supervision.views import inspections as inspection_views
from supervision.views import meetings as meeting_views

urlpatterns = [
    # meetings/
    path("meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting_minutes"),
    # inspections/
    path("inspections/", inspection_views.inspection_list, name="inspection_list"),
    path("inspections/new/", inspection_views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspection_views.inspection_detail, name="inspection_detail"),
    path("inspections/problems/", inspection_views.problem_list, name="problem_list"),
    path("inspections/problems/<int:pk>/fix/", inspection_views.problem_fix, name="problem_fix"),
]
