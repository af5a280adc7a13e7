from django.urls import path

from personnel.api import TokenLogin

urlpatterns = [path("auth/token/", TokenLogin.as_view(), name="api_token")]
