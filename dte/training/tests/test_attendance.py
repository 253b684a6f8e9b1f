"""Check-in service: attempts kept, window, geofence, QR, duplicates, shared-device flag,
check-out, online push, corrections audited."""

from datetime import timedelta

import pytest

from dte.audit.models import AuditEvent
from dte.training.checks import qr_code, qr_step
from dte.training.selectors import flag_members
from dte.training.models import Attendance, AttendanceCorrection, AttendanceFlag, CheckInAttempt, Session
from dte.training.services import TrainingError, attendance_correct, check_in, check_out, excuse_grant, online_time_push

from .factories import VENUE_LAT, VENUE_LON, SessionFactory, VenueFactory, staff, trainee

pytestmark = pytest.mark.django_db
INSIDE = dict(lat=VENUE_LAT + 0.0002, lon=VENUE_LON, accuracy=15)


@pytest.fixture
def session():
    return SessionFactory()


def go(session, enrolment, minutes=0, **kw):
    args = INSIDE | {"device_id": f"dev-{enrolment.pk}", "ip": f"10.0.0.{enrolment.pk % 250}"} | kw
    return check_in(session_id=session.pk, user=enrolment.person.user, at=session.starts_at + timedelta(minutes=minutes), **args)


def test_on_time_check_in_is_present_and_attempt_kept(session):
    e = trainee(session.training_class)
    result = go(session, e, minutes=-5)
    assert result.accepted and result.status == "present"
    record = Attendance.objects.get(session=session, enrolment=e)
    assert record.device_id == f"dev-{e.pk}" and record.accuracy_m == 15
    assert CheckInAttempt.objects.filter(session=session, accepted=True).count() == 1


def test_late_check_in_gets_late_status(session):
    e = trainee(session.training_class)
    assert go(session, e, minutes=25).status == "late"


def test_rejected_check_ins_are_kept_with_reason(session):
    e = trainee(session.training_class)
    too_early = go(session, e, minutes=-30)
    far = go(session, e, minutes=0, lat=VENUE_LAT + 0.01)
    after = go(session, e, minutes=200)
    assert not (too_early.accepted or far.accepted or after.accepted)
    attempts = CheckInAttempt.objects.filter(session=session, accepted=False)
    assert attempts.count() == 3
    assert all(a.reason for a in attempts)
    assert attempts.filter(distance_m__gt=1000).exists()
    assert not Attendance.objects.filter(session=session).exists()


def test_not_enrolled_user_refused(session):
    other = trainee(SessionFactory().training_class)
    result = check_in(session_id=session.pk, user=other.person.user, at=session.starts_at, **INSIDE)
    assert not result.accepted and "未在本班" in result.reason
    assert CheckInAttempt.objects.filter(session=session, accepted=False).count() == 1


def test_second_check_in_refused_as_duplicate(session):
    e = trainee(session.training_class)
    assert go(session, e).accepted
    again = go(session, e, minutes=1)
    assert not again.accepted and "已签到" in again.reason
    assert Attendance.objects.filter(session=session).count() == 1


def test_rotating_qr_required_where_venue_uses_it():
    s = SessionFactory(venue=VenueFactory(uses_rotating_qr=True))
    e = trainee(s.training_class)
    moment = s.starts_at
    assert not go(s, e, code="000000" if qr_code(s.qr_secret, qr_step(moment)) != "000000" else "111111").accepted
    assert not go(s, e, code=qr_code(s.qr_secret, qr_step(moment) - 2)).accepted
    assert go(s, e, code=qr_code(s.qr_secret, qr_step(moment) - 1)).accepted


def test_same_device_for_two_trainees_is_flagged(session):
    a, b, c = (trainee(session.training_class) for _ in range(3))
    assert go(session, a, device_id="phone-1", ip="10.1.1.1").accepted
    assert go(session, c, device_id="phone-3", ip="10.1.1.3").accepted
    assert not AttendanceFlag.objects.exists()
    result = go(session, b, device_id="phone-1", ip="10.1.1.2")
    assert result.accepted and result.flagged
    flag = AttendanceFlag.objects.get(session=session, kind=AttendanceFlag.Kind.SHARED_DEVICE)
    assert flag.value == "phone-1" and flag_members(flag) == sorted([a.pk, b.pk])


def test_same_ip_for_two_trainees_is_flagged(session):
    a, b = trainee(session.training_class), trainee(session.training_class)
    go(session, a, device_id="x1", ip="10.9.9.9")
    go(session, b, device_id="x2", ip="10.9.9.9")
    assert AttendanceFlag.objects.filter(kind=AttendanceFlag.Kind.SHARED_IP, value="10.9.9.9").exists()
    assert not AttendanceFlag.objects.filter(kind=AttendanceFlag.Kind.SHARED_DEVICE).exists()


def test_check_out_after_check_in(session):
    e = trainee(session.training_class)
    assert not check_out(session_id=session.pk, user=e.person.user, at=session.ends_at, **INSIDE).accepted
    go(session, e)
    result = check_out(session_id=session.pk, user=e.person.user, at=session.ends_at, **INSIDE)
    assert result.accepted
    assert Attendance.objects.get(session=session, enrolment=e).checked_out_at == session.ends_at


def test_online_push_replaces_minutes_and_refuses_strangers():
    s = SessionFactory(delivery=Session.Delivery.ONLINE)
    e = trainee(s.training_class)
    stranger = trainee(SessionFactory().training_class)
    by = staff(s.training_class.institution)
    result = online_time_push(s, [(e.pk, 90), (stranger.pk, 30)], by=by)
    assert result["accepted"] == 1 and result["refused"][0]["enrolment_id"] == stranger.pk
    online_time_push(s, [(e.pk, 150)], by=by)
    assert Attendance.objects.get(session=s, enrolment=e).online_minutes == 150


def test_online_push_refused_for_offline_session(session):
    with pytest.raises(TrainingError):
        online_time_push(session, [], by=staff(session.training_class.institution))


def test_online_session_check_in_refused():
    s = SessionFactory(delivery=Session.Delivery.ONLINE)
    e = trainee(s.training_class)
    assert not go(s, e).accepted


def test_correction_needs_reason_and_keeps_before_after(session):
    e = trainee(session.training_class)
    go(session, e, minutes=30)
    teacher = staff(session.training_class.institution)
    with pytest.raises(TrainingError):
        attendance_correct(session, e, by=teacher, reason=" ", status="present")
    attendance_correct(session, e, by=teacher, reason="交通管制，已核实", status="present")
    correction = AttendanceCorrection.objects.get()
    assert correction.before["status"] == "late" and correction.after["status"] == "present"
    assert AuditEvent.objects.filter(action="training.attendance.correct").exists()


def test_excuse_marks_excused(session):
    e = trainee(session.training_class)
    excuse_grant(session, e, by=staff(session.training_class.institution), reason="病假")
    assert Attendance.objects.get(session=session, enrolment=e).status == "excused"
