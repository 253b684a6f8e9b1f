from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "dte.credentials"
    label = "credentials"
    verbose_name = _("Level certificates, signatures and public verification")

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check on DTE_SIGNING_KEY
