from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "credentials"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="credentials:verify"), name="index"),
    path("verify/", views.verify, name="verify"),
    path("verify/pdf/", views.verify_pdf, name="verify_pdf"),
    path("v/<str:token>/", views.token_page, name="token"),
    path("keys.json", views.keys, name="keys"),
    path("my/", views.my_certificates, name="my"),
    path("level/", views.level_list, name="level_list"),
    path("level/<int:pk>/", views.level_detail, name="level_detail"),
    path("level/<int:pk>/pdf/", views.level_pdf, name="level_pdf"),
    path("level/<int:pk>/vc.json", views.level_vc, name="level_vc"),
    path("training/<int:pk>/vc.json", views.training_vc, name="training_vc"),
]
