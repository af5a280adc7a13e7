"""The pages of exports written in the background (mounted at /exports/)."""

from django.urls import path

from exports import views

urlpatterns = [
    path("<int:pk>/", views.export_job, name="export_job"),
    path("<int:pk>/state/", views.export_job_state, name="export_job_state"),
    path("<int:pk>/download/", views.export_download, name="export_download"),
    path("<int:pk>/retry/", views.export_job_retry, name="export_job_retry"),
]
