from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "dte.jobs"
    label = "jobs"
