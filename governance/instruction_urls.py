"""Pages of urgent instructions (mounted at /instructions/)."""

from django.urls import path

from governance import instruction_views

urlpatterns = [
    path("", instruction_views.instruction_list, name="instruction_list"),
    path("new/", instruction_views.instruction_create, name="instruction_create"),
    path("<int:pk>/", instruction_views.instruction_detail, name="instruction_detail"),
    path("<int:pk>/confirm/", instruction_views.instruction_confirm, name="instruction_confirm"),
]
