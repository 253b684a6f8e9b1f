from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "dte.supervision"
    label = "supervision"
    verbose_name = _("Supervision: complaints, spot checks, inspections, sanctions, targets")
