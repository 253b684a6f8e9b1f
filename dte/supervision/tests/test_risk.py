"""Risk signals: every planted anomaly raises its signal with evidence, clean data raises none."""

from datetime import date, timedelta

import pytest

from dte.catalogue.models import InstitutionListing
from dte.registry.models import Enrolment, TrainingClass
from dte.supervision.models import SignalReview
from dte.supervision.services.errors import SupervisionError
from dte.supervision.services.risk import risk_signals, signal_dismiss, signal_inspect
from dte.training.tests.factories import TrainingClassFactory, VenueFactory, trainee

from .factories import attend, clean_class, officer, outside_attempt, session_on, world

pytestmark = pytest.mark.django_db


def kinds(user):
    return sorted(s.kind for s in risk_signals(user))


def test_clean_data_raises_no_signal():
    w = world()
    for c in w["classes"]:
        clean_class(c)
    assert risk_signals(w["province"]) == []


def test_outside_geofence_attempts_raise_a_signal_for_the_class():
    w = world()
    enrolments = clean_class(w["classes"][0])
    session = w["classes"][0].sessions.first()
    for e in enrolments[:3]:
        outside_attempt(e, session, distance=5200)
    signals = risk_signals(w["province"])
    assert [s.kind for s in signals] == ["outside_geofence"]
    assert signals[0].class_id == w["classes"][0].pk and signals[0].evidence[0]["attempts"] == 3
    assert "5200" in signals[0].title


def test_one_device_for_many_trainees_across_sessions():
    w = world()
    c = w["classes"][0]
    enrolments = [trainee(c) for _ in range(3)]
    venue = VenueFactory(institution=c.institution)
    for day, e in enumerate(enrolments):
        session = session_on(c, date(2025, 3, 3) + timedelta(days=day), venue=venue)
        attend(e, session, session.starts_at - timedelta(minutes=day + 3, seconds=day * 11), device="phone-XYZ")
    signals = risk_signals(w["province"])
    assert [s.kind for s in signals] == ["shared_device"]
    assert signals[0].evidence[0] == {"device": "phone-XYZ", "people": 3, "sessions": 3}


def test_a_person_in_two_classes_at_once_and_impossible_travel():
    w = world()
    a, b = w["classes"]
    enrolment = trainee(a)
    other = Enrolment.objects.create(training_class=b, person=enrolment.person, status="enrolled")
    venue_a = VenueFactory(institution=a.institution)
    venue_b = VenueFactory(institution=b.institution, lat=40.09, lon=113.30)  # Datong, ~260 km from Taiyuan
    s1 = session_on(a, date(2025, 3, 3), 9, venue=venue_a)
    s2 = session_on(b, date(2025, 3, 3), 10, venue=venue_b)
    attend(enrolment, s1, s1.starts_at - timedelta(minutes=3))
    attend(other, s2, s2.starts_at - timedelta(minutes=2, seconds=17))
    assert kinds(w["province"]) == ["impossible_travel", "two_classes_at_once"]


def test_identical_check_in_seconds_session_after_session():
    w = world()
    c = w["classes"][0]
    e = trainee(c)
    venue = VenueFactory(institution=c.institution)
    for day in range(3):
        session = session_on(c, date(2025, 3, 3) + timedelta(days=day), venue=venue)
        attend(e, session, session.starts_at.replace(minute=0, second=0) - timedelta(seconds=1), device=f"d{day}")
    signals = risk_signals(w["province"])
    assert [s.kind for s in signals] == ["identical_seconds"]
    assert signals[0].evidence[0]["time"] == "08:59:59"


def test_trainee_enrolled_in_another_province():
    w = world()
    e = trainee(w["classes"][0])
    tianjin_class = TrainingClassFactory(institution=__import__("dte.training.tests.factories", fromlist=["institution"])
                                         .institution("120101"), status=TrainingClass.Status.IN_TRAINING)
    Enrolment.objects.create(training_class=tianjin_class, person=e.person, status="enrolled")
    signals = [s for s in risk_signals(w["province"]) if s.kind == "other_province"]
    assert len(signals) == 1 and signals[0].evidence[0]["provinces"] == ["12", "14"]


def test_class_opened_after_the_listing_lapsed_and_beyond_its_places():
    w = world()
    listing = InstitutionListing.objects.get(organisation=w["datong"])
    listing.status, listing.status_changed_on = "suspended", date(2025, 3, 1)
    listing.save()
    late = w["classes"][1]  # started 2025-03-03
    small = TrainingClassFactory(institution=w["taiyuan"], capacity=1, status=TrainingClass.Status.IN_TRAINING)
    trainee(small), trainee(small)
    found = {(s.kind, s.class_id) for s in risk_signals(w["province"])}
    assert ("class_after_listing_lapsed", late.pk) in found and ("quota_exceeded", small.pk) in found


def test_dismissing_needs_a_reason_and_hides_the_signal_and_inspecting_opens_an_inspection():
    w = world()
    clean_class(w["classes"][0])
    session = w["classes"][0].sessions.first()
    for e in Enrolment.objects.filter(training_class=w["classes"][0])[:3]:
        outside_attempt(e, session, distance=900)
    signal = risk_signals(w["province"])[0]
    with pytest.raises(SupervisionError):
        signal_dismiss(w["province"], signal.key, kind=signal.kind, reason="")
    signal_dismiss(w["province"], signal.key, kind=signal.kind, reason="场地临时搬迁，已核实")
    assert risk_signals(w["province"]) == []
    assert len(risk_signals(w["province"], include_reviewed=True)) == 1
    SignalReview.objects.all().delete()
    inspection = signal_inspect(w["province"], signal.key, signal_kind=signal.kind, kind="remote_video", planned_on=date(2025, 4, 1))
    assert inspection.signal_key == signal.key and inspection.training_class == w["classes"][0]
    assert risk_signals(w["province"]) == []


def test_signals_stay_inside_the_jurisdiction():
    w = world()
    clean_class(w["classes"][1])
    session = w["classes"][1].sessions.first()
    for e in Enrolment.objects.filter(training_class=w["classes"][1])[:3]:
        outside_attempt(e, session, distance=900)
    assert len(risk_signals(w["province"])) == 1
    assert risk_signals(officer("140100", role="local_officer")) == []
    assert risk_signals(officer("120000")) == []
