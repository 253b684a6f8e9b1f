from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "dte.policy"
    label = "policy"
