"""Pages of the assessment: 三零 incidents, the scoring scheme, the rankings and bulletin."""

from django.urls import path

from assessment.views import evaluations as evaluation_views
from assessment.views import incidents as incident_views
from assessment.views import rankings as ranking_views
from assessment.views import schemes as scheme_views

urlpatterns = [
    # incidents/
    path("incidents/", incident_views.incident_list_page, name="incident_list"),
    path("incidents/new/", incident_views.incident_create, name="incident_create"),
    # assessment/scheme/
    path("assessment/scheme/", scheme_views.scheme_edit, name="scheme_edit"),
    path("assessment/scheme/values/", scheme_views.entered_values, name="entered_values"),
    # assessment/
    path("assessment/rankings/", ranking_views.ranking_list, name="ranking_list"),
    path("assessment/rankings/compute/", ranking_views.ranking_compute, name="ranking_compute"),
    path(
        "assessment/rankings/<int:pk>/areas/<int:area_id>/",
        ranking_views.ranking_area,
        name="ranking_area",
    ),
    path(
        "assessment/rankings/<int:pk>/publish/",
        ranking_views.ranking_publish_page,
        name="ranking_publish",
    ),
    path(
        "assessment/rankings/<int:pk>/bulletin/",
        ranking_views.ranking_bulletin,
        name="ranking_bulletin",
    ),
    path(
        "assessment/rankings/<int:pk>/bulletin.xlsx",
        ranking_views.ranking_bulletin_xlsx,
        name="ranking_bulletin_xlsx",
    ),
    # staff/: the monthly evaluations of the network and its pay
    path("staff/evaluations/", evaluation_views.evaluation_list, name="evaluation_list"),
    path(
        "staff/evaluations/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation_detail"
    ),
    path(
        "staff/evaluations/<int:pk>/review/",
        evaluation_views.evaluation_review,
        name="evaluation_review",
    ),
    path(
        "staff/evaluations/<int:pk>/follow-up/",
        evaluation_views.evaluation_follow_up,
        name="evaluation_follow_up",
    ),
    path("staff/pay/", evaluation_views.pay_sheet, name="pay_sheet"),
    path("staff/pay.xlsx", evaluation_views.pay_sheet_export, name="pay_sheet_export"),
]
