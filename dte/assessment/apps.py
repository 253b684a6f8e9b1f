from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "dte.assessment"
    label = "assessment"
    verbose_name = "Level exams: declaration, sessions, scores, certificate data chain"
