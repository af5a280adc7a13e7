from django.urls import path

from cameras import api

urlpatterns = [
    path("camera-statuses/", api.StatusBatch.as_view(), name="api_camera_statuses"),
    path("cameras/", api.CameraList.as_view(), name="api_camera_list"),
    path("cameras/<int:pk>/", api.CameraDetail.as_view(), name="api_camera_detail"),
    path("camera-online-rates/", api.OnlineRates.as_view(), name="api_camera_rates"),
]
