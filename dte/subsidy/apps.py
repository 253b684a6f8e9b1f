from django.apps import AppConfig


class SubsidyConfig(AppConfig):
    name = "dte.subsidy"
    label = "subsidy"
    verbose_name = "Subsidy claims, review, publicity, payment and ledger"
