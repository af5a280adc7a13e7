"""Pages of campaigns 专项行动, their tasks, and urgent instructions."""

from django.urls import path

from campaigns.views import campaigns as campaign_views
from campaigns.views import instructions as instruction_views

urlpatterns = [
    # campaigns/
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_create, name="campaign_create"),
    path(
        "campaigns/template.csv",
        campaign_views.campaign_target_template,
        name="campaign_target_template",
    ),
    path("campaigns/tasks/", campaign_views.my_tasks, name="my_tasks"),
    path("campaigns/tasks/<int:pk>/", campaign_views.task_complete, name="task_complete"),
    path("campaigns/tasks/<int:pk>/photo/", campaign_views.task_photo, name="task_photo"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/targets/", campaign_views.campaign_targets, name="campaign_targets"),
    path("campaigns/<int:pk>/launch/", campaign_views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/remind/", campaign_views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/end/", campaign_views.campaign_end, name="campaign_end"),
    path("campaigns/<int:pk>/export/", campaign_views.campaign_export, name="campaign_export"),
    # instructions/
    path("instructions/", instruction_views.instruction_list, name="instruction_list"),
    path("instructions/new/", instruction_views.instruction_create, name="instruction_create"),
    path("instructions/<int:pk>/", instruction_views.instruction_detail, name="instruction_detail"),
    path(
        "instructions/<int:pk>/confirm/",
        instruction_views.instruction_confirm,
        name="instruction_confirm",
    ),
]
