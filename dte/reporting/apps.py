from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "dte.reporting"
    label = "reporting"
    verbose_name = "Statistics and reporting"
