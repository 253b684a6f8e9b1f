from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "dte.catalogue"
    label = "catalogue"
