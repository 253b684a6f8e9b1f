from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.pack_list, name="packs"),
    path("calculator/", views.calculator, name="calculator"),
    path("simulate/", views.simulation_new, name="simulate"),
    path("simulate/<int:pk>/", views.simulation_detail, name="simulation"),
    path("<str:code>/", views.pack_detail, name="pack"),
]
