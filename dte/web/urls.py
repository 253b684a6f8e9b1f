from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .login import ThrottledLoginView

app_name = "web"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
]
