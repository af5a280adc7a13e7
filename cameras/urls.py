"""Pages of the camera network 雪亮工程."""

from django.urls import path

from cameras import views

urlpatterns = [
    path("cameras/", views.camera_list, name="camera_list"),
    path("cameras/import/", views.camera_import, name="camera_import"),
    path("cameras/rates/", views.online_rates, name="camera_rates"),
    path("cameras/inspection/", views.camera_inspection, name="camera_inspection"),
    path("cameras/tasks/", views.task_list, name="camera_task_list"),
    path("cameras/tasks/<int:pk>/close/", views.task_close, name="camera_task_close"),
    path("cameras/<int:pk>/", views.camera_detail, name="camera_detail"),
]
