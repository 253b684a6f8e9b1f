from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "dte.subsidy"
    label = "subsidy"
    verbose_name = _("Subsidy claims, review, publicity, payment and ledger")
