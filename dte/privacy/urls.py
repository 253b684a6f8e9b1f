from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("files/evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
