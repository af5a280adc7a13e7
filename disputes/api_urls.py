from django.urls import path
from rest_framework.routers import SimpleRouter

from disputes.api import AreaStats, CaseViewSet, CategoryViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("categories", CategoryViewSet, basename="category")
urlpatterns = [
    *router.urls,
    path("areas/<int:pk>/stats/", AreaStats.as_view(), name="area-stats"),
]
