from django.urls import path
from rest_framework.routers import SimpleRouter

from grids import resident_api
from grids.api import AreaViewSet

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
urlpatterns = [
    *router.urls,
    path("residents/", resident_api.ResidentList.as_view(), name="api_resident_list"),
    path("residents/lookup/", resident_api.ResidentLookup.as_view(), name="api_resident_lookup"),
    path("residents/<int:pk>/", resident_api.ResidentDetail.as_view(), name="api_resident_detail"),
    path(
        "residents/<int:pk>/visits/",
        resident_api.ResidentVisits.as_view(),
        name="api_resident_visits",
    ),
    path(
        "residents/<int:pk>/reveal/",
        resident_api.ResidentReveal.as_view(),
        name="api_resident_reveal",
    ),
]
