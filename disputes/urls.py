from django.urls import path

from disputes import views

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_report, name="case_report"),
    path("cases/mine/", views.my_cases, name="my_cases"),
    path("cases/assign/", views.case_batch_assign, name="case_batch_assign"),
    path("cases/export.xlsx", views.case_export, name="case_export"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/act/", views.case_act, name="case_act"),
    path("cases/<int:pk>/call/", views.case_call, name="case_call"),
    path(
        "cases/<int:pk>/files/<int:attachment_pk>/",
        views.case_attachment,
        name="case_attachment",
    ),
]
