from django.urls import path

from campaigns import api as campaign_api

urlpatterns = [
    path("campaigns/", campaign_api.CampaignList.as_view(), name="api_campaign_list"),
    path("campaigns/<int:pk>/", campaign_api.CampaignDetail.as_view(), name="api_campaign_detail"),
    path(
        "campaigns/<int:pk>/launch/",
        campaign_api.CampaignLaunch.as_view(),
        name="api_campaign_launch",
    ),
    path(
        "campaigns/<int:pk>/progress/",
        campaign_api.CampaignProgress.as_view(),
        name="api_campaign_progress",
    ),
    path(
        "campaigns/<int:pk>/tasks/", campaign_api.CampaignTasks.as_view(), name="api_campaign_tasks"
    ),
    path(
        "campaigns/<int:pk>/tasks/<int:task_id>/complete/",
        campaign_api.TaskComplete.as_view(),
        name="api_task_complete",
    ),
    path("instructions/", campaign_api.InstructionList.as_view(), name="api_instruction_list"),
    path(
        "instructions/<int:pk>/",
        campaign_api.InstructionDetail.as_view(),
        name="api_instruction_detail",
    ),
    path(
        "instructions/<int:pk>/read/",
        campaign_api.InstructionRead.as_view(),
        name="api_instruction_read",
    ),
]
