from django.urls import path

from governance import ranking_views

urlpatterns = [
    path("rankings/", ranking_views.ranking_list, name="ranking_list"),
    path("rankings/compute/", ranking_views.ranking_compute, name="ranking_compute"),
    path(
        "rankings/<int:pk>/areas/<int:area_id>/",
        ranking_views.ranking_area,
        name="ranking_area",
    ),
    path("rankings/<int:pk>/publish/", ranking_views.ranking_publish_page, name="ranking_publish"),
    path("rankings/<int:pk>/bulletin/", ranking_views.ranking_bulletin, name="ranking_bulletin"),
    path(
        "rankings/<int:pk>/bulletin.xlsx",
        ranking_views.ranking_bulletin_xlsx,
        name="ranking_bulletin_xlsx",
    ),
]
