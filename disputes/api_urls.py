from rest_framework.routers import SimpleRouter

from disputes.api import CaseViewSet, CategoryViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("categories", CategoryViewSet, basename="category")
urlpatterns = router.urls
