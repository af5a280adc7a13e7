from django.urls import path
from rest_framework.routers import SimpleRouter

from assessment.api import incidents, rankings
from assessment.api.evaluations import EvaluationViewSet

router = SimpleRouter()
router.register("staff/evaluations", EvaluationViewSet, basename="evaluation")

urlpatterns = [
    path("incidents/", incidents.IncidentList.as_view(), name="api_incident_list"),
    path("rankings/", rankings.RankingList.as_view(), name="api_ranking_list"),
    *router.urls,
]
