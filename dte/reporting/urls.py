from django.urls import path

from . import views, views_targets

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("targets/", views_targets.targets, name="targets"),
    path("public/", views_targets.public_targets, name="public_targets"),
]
