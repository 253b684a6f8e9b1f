from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "dte.web"
    label = "web"
