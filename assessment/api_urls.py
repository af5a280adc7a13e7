from django.urls import path

from assessment.api import incidents, rankings

urlpatterns = [
    path("incidents/", incidents.IncidentList.as_view(), name="api_incident_list"),
    path("rankings/", rankings.RankingList.as_view(), name="api_ranking_list"),
]
