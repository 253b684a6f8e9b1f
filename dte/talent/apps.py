from django.apps import AppConfig


class TalentConfig(AppConfig):
    name = "dte.talent"
    label = "talent"
    verbose_name = "Continuing education, title recognition and the talent pool"
