from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "dte.assessment"
    label = "assessment"
    verbose_name = _("Level exams: declaration, sessions, scores, certificate data chain")
