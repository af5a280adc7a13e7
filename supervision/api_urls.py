from django.urls import path

from supervision import api as meeting_api

urlpatterns = [
    path("meetings/", meeting_api.MeetingList.as_view(), name="api_meeting_list"),
    path("meetings/<int:pk>/", meeting_api.MeetingDetail.as_view(), name="api_meeting_detail"),
    path("inspections/", meeting_api.InspectionList.as_view(), name="api_inspection_list"),
    path(
        "inspections/<int:pk>/",
        meeting_api.InspectionDetail.as_view(),
        name="api_inspection_detail",
    ),
    path(
        "inspection-problems/<int:pk>/fix/",
        meeting_api.ProblemFix.as_view(),
        name="api_problem_fix",
    ),
]
