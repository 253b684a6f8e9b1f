from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "dte.talent"
    label = "talent"
    verbose_name = _("Continuing education, title recognition and the talent pool")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (level certificate status → title recognition)
