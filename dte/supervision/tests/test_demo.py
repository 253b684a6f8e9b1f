"""The demo: each planted anomaly raises its signal; the other demo classes raise none."""

import pytest
from django.core.management import call_command

from dte.organisations.models import User
from dte.registry.models import TrainingClass
from dte.supervision.demo import PLANTED_TITLE
from dte.supervision.models import Complaint, Inspection, InstitutionEvaluation
from dte.supervision.services.risk import risk_signals

pytestmark = pytest.mark.django_db

PLANTED = {"outside_geofence", "shared_device", "identical_seconds", "two_classes_at_once", "impossible_travel",
           "other_province", "quota_exceeded"}


def test_planted_anomalies_raise_their_signals_and_clean_classes_none():
    call_command("setup", demo_scale=1)
    officer = User.objects.get(username="sx_province")
    signals = risk_signals(officer)
    planted = TrainingClass.objects.filter(title__startswith=PLANTED_TITLE[:6]).values_list("pk", flat=True)
    raised = {s.kind for s in signals if s.class_id in planted or s.institution_id == TrainingClass.objects.get(
        title=PLANTED_TITLE).institution_id}
    assert PLANTED <= raised
    # Outside the planted classes only the 30-day report the training demo leaves overdue on purpose.
    elsewhere = {s.kind for s in signals if s.class_id not in planted and s.kind not in ("shared_device",)}
    assert elsewhere <= {"overdue_report"}
    assert Complaint.objects.count() == 2 and Inspection.objects.count() == 1
    assert InstitutionEvaluation.objects.get().status == "released"
    for province in ("tj_province", "yn_province", "xz_province"):
        assert {s.kind for s in risk_signals(User.objects.get(username=province))} <= {"overdue_report", "other_province"}
