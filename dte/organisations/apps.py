from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dte.organisations"
    label = "organisations"
