from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health and readiness probes, structured logs, backup and restore (issue 12 item 7)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dte.ops"
    verbose_name = "Operations"
