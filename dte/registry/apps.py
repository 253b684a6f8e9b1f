from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "dte.registry"
    label = "registry"
