from django.urls import path

from personnel import evaluation_views as views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/review/", views.evaluation_review, name="evaluation_review"),
    path(
        "evaluations/<int:pk>/follow-up/", views.evaluation_follow_up, name="evaluation_follow_up"
    ),
    path("pay/", views.pay_sheet, name="pay_sheet"),
    path("pay.xlsx", views.pay_sheet_export, name="pay_sheet_export"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("spot-checks/", views.spot_check_list, name="spot_check_list"),
    path("spot-checks/new/", views.spot_check_create, name="spot_check_create"),
]
