from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "dte.audit"
    label = "audit"
