"""Pages of supervision inspections and the problems they found (mounted at /inspections/)."""

from django.urls import path

from governance import inspection_views

urlpatterns = [
    path("", inspection_views.inspection_list, name="inspection_list"),
    path("new/", inspection_views.inspection_create, name="inspection_create"),
    path("<int:pk>/", inspection_views.inspection_detail, name="inspection_detail"),
    path("problems/", inspection_views.problem_list, name="problem_list"),
    path("problems/<int:pk>/fix/", inspection_views.problem_fix, name="problem_fix"),
]
