from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "dte.talent"
    label = "talent"
    verbose_name = "Continuing education, title recognition and the talent pool"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (level certificate status → title recognition)
