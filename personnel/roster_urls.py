from django.urls import path

from personnel import coverage_views, views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("export.xlsx", views.staff_export, name="staff_export"),
    path("new/", views.staff_create, name="staff_create"),
    path("coverage/", coverage_views.staff_coverage, name="staff_coverage"),
    path("coverage.xlsx", coverage_views.staff_coverage_export, name="staff_coverage_export"),
    path("<int:pk>/", views.staff_detail, name="staff_detail"),
    path("<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("<int:pk>/posts/new/", views.post_create, name="post_create"),
    path("<int:pk>/login/", views.staff_login, name="staff_login"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
]
