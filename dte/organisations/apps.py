from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "dte.organisations"
    label = "organisations"
    verbose_name = _("Organisations and accounts")

    def ready(self):
        from . import usercache  # noqa: F401  (invalidates the cached user row on every save/delete of a user)
