from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "dte.workdays"
    label = "workdays"
