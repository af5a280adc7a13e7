from django.urls import path
from rest_framework.routers import SimpleRouter

from personnel.api import roster as roster_api
from personnel.api.accounts import TokenLogin
from personnel.api.training import SpotCheckViewSet, TrainingViewSet

router = SimpleRouter()
router.register("staff/trainings", TrainingViewSet, basename="training")
router.register("staff/spot-checks", SpotCheckViewSet, basename="spot-check")

urlpatterns = [
    path("auth/token/", TokenLogin.as_view(), name="api_token"),
    path("staff/", roster_api.StaffList.as_view(), name="api_staff_list"),
    path("staff/<int:pk>/", roster_api.StaffDetail.as_view(), name="api_staff_detail"),
    path("staff/<int:pk>/reveal/", roster_api.StaffReveal.as_view(), name="api_staff_reveal"),
    path("staff/<int:pk>/posts/", roster_api.StaffPosts.as_view(), name="api_staff_posts"),
    path("staff/posts/<int:pk>/end/", roster_api.PostEnd.as_view(), name="api_post_end"),
    path("staffing/coverage/", roster_api.Coverage.as_view(), name="api_staffing_coverage"),
    *router.urls,
]
