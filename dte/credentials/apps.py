from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "dte.credentials"
    label = "credentials"
    verbose_name = "Level certificates, signatures and public verification"
