from django.urls import include, path

from personnel.api import TokenLogin

urlpatterns = [
    path("auth/token/", TokenLogin.as_view(), name="api_token"),
    path("", include("personnel.evaluation_api_urls")),
]
