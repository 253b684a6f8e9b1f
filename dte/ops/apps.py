from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health and readiness probes, structured logs, backup and restore (issue 12 item 7)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dte.ops"
    verbose_name = _("Operations")
