from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.pack_list, name="packs"),
    path("calculator/", views.calculator, name="calculator"),
    path("<str:code>/", views.pack_detail, name="pack"),
]
