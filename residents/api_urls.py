from django.urls import path

from residents import api

urlpatterns = [
    path("residents/", api.ResidentList.as_view(), name="api_resident_list"),
    path("residents/lookup/", api.ResidentLookup.as_view(), name="api_resident_lookup"),
    path("residents/<int:pk>/", api.ResidentDetail.as_view(), name="api_resident_detail"),
    path("residents/<int:pk>/visits/", api.ResidentVisits.as_view(), name="api_resident_visits"),
    path("residents/<int:pk>/reveal/", api.ResidentReveal.as_view(), name="api_resident_reveal"),
]
