from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dte.demo"
    label = "demo"
