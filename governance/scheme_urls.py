from django.urls import path

from governance import scheme_views

urlpatterns = [
    path("", scheme_views.scheme_edit, name="scheme_edit"),
    path("values/", scheme_views.entered_values, name="entered_values"),
]
