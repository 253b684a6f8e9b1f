from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke", views.token_revoke, name="token_revoke"),
]
