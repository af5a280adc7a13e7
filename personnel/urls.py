"""Pages of logins, the roster, posts, coverage, evaluations, pay, trainings and spot checks."""

from django.contrib.auth import views as auth_views
from django.urls import path

from personnel.forms.staff import LoginForm
from personnel.views import staff as views
from personnel.views import training as training_views

urlpatterns = [
    # /
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # staff/
    path("staff/", views.staff_list, name="staff_list"),
    path("choose/staff/", views.choose_staff, name="choose_staff"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/coverage/", views.staff_coverage, name="staff_coverage"),
    path("staff/coverage.xlsx", views.staff_coverage_export, name="staff_coverage_export"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/call/", views.staff_call_view, name="staff_call"),
    path("staff/<int:pk>/posts/new/", views.post_create, name="post_create"),
    path("staff/<int:pk>/login/", views.staff_login, name="staff_login"),
    path("staff/posts/<int:pk>/end/", views.post_end, name="post_end"),
    # staff/
    path("staff/trainings/", training_views.training_list, name="training_list"),
    path("staff/trainings/new/", training_views.training_create, name="training_create"),
    path("staff/spot-checks/", training_views.spot_check_list, name="spot_check_list"),
    path("staff/spot-checks/new/", training_views.spot_check_create, name="spot_check_create"),
]
