from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dte.training"
    label = "training"
