from django.contrib.auth import views as auth_views
from django.urls import path

from . import mfa, views
from .login import ThrottledLoginView

app_name = "web"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", mfa.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", mfa.mfa_verify, name="mfa_verify"),
    path("mfa/recovery-codes/", mfa.mfa_recovery_codes, name="mfa_recovery_codes"),
]
