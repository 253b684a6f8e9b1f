from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "dte.privacy"
    label = "privacy"
