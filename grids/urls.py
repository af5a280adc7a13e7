from django.urls import path

from grids import views

urlpatterns = [
    path("areas/", views.area_tree, name="area_tree"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("areas/<int:pk>/children/", views.area_children, name="area_children"),
    path("areas/<int:pk>/export.csv", views.area_export, name="area_export"),
    path("choose/areas/", views.choose_areas, name="choose_areas"),
    path("choose/grids/", views.choose_grids, name="choose_grids"),
]
