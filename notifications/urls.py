from django.urls import path

from notifications import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", views.mark_read, name="inbox_mark_read"),
    path("inbox/read-all/", views.mark_all_read, name="inbox_mark_all_read"),
]
