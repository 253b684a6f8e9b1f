from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dte.organisations"
    label = "organisations"

    def ready(self):
        from . import usercache  # noqa: F401  (invalidates the cached user row on every save/delete of a user)
