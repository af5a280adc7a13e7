"""Pages of campaigns 专项行动 and their tasks (mounted at /campaigns/)."""

from django.urls import path

from governance import campaign_views

urlpatterns = [
    path("", campaign_views.campaign_list, name="campaign_list"),
    path("new/", campaign_views.campaign_create, name="campaign_create"),
    path("template.csv", campaign_views.campaign_target_template, name="campaign_target_template"),
    path("tasks/", campaign_views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", campaign_views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/photo/", campaign_views.task_photo, name="task_photo"),
    path("<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/targets/", campaign_views.campaign_targets, name="campaign_targets"),
    path("<int:pk>/launch/", campaign_views.campaign_launch, name="campaign_launch"),
    path("<int:pk>/remind/", campaign_views.campaign_remind, name="campaign_remind"),
    path("<int:pk>/end/", campaign_views.campaign_end, name="campaign_end"),
    path("<int:pk>/export/", campaign_views.campaign_export, name="campaign_export"),
]
