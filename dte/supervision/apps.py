from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "dte.supervision"
    label = "supervision"
    verbose_name = "Supervision: complaints, spot checks, inspections, sanctions, targets"
