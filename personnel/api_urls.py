from django.urls import include, path

from personnel import roster_api
from personnel.api import TokenLogin

urlpatterns = [
    path("auth/token/", TokenLogin.as_view(), name="api_token"),
    path("staff/", roster_api.StaffList.as_view(), name="api_staff_list"),
    path("staff/<int:pk>/", roster_api.StaffDetail.as_view(), name="api_staff_detail"),
    path("staff/<int:pk>/posts/", roster_api.StaffPosts.as_view(), name="api_staff_posts"),
    path("staff/posts/<int:pk>/end/", roster_api.PostEnd.as_view(), name="api_post_end"),
    path("staffing/coverage/", roster_api.Coverage.as_view(), name="api_staffing_coverage"),
    path("", include("personnel.evaluation_api_urls")),
]
