from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "dte.geography"
    label = "geography"
