from rest_framework.routers import SimpleRouter

from personnel.evaluation_api import EvaluationViewSet, SpotCheckViewSet, TrainingViewSet

router = SimpleRouter()
router.register("staff/evaluations", EvaluationViewSet, basename="evaluation")
router.register("staff/trainings", TrainingViewSet, basename="training")
router.register("staff/spot-checks", SpotCheckViewSet, basename="spot-check")
urlpatterns = router.urls
