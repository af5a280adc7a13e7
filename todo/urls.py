from django.urls import path

from todo import views

urlpatterns = [
    path("", views.todo_home, name="home"),
]
