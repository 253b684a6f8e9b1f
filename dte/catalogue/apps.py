from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "dte.catalogue"
    label = "catalogue"
    verbose_name = _("Catalogue of occupations, courses and institutions")
