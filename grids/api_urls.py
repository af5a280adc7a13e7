from rest_framework.routers import SimpleRouter

from grids.api import AreaViewSet

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
urlpatterns = router.urls
