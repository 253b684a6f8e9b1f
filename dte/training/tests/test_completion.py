"""Completion by the pack's rules with reasons; full video in Tianjin (津人社办发〔2022〕94号 四(二));
evidence upload checks; Enrolment.status written through enrolment_set_status."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dte.registry.models import Enrolment
from dte.training.models import Attendance, CompletionDecision, Session
from dte.training.selectors import class_summaries
from dte.training.services import (
    TrainingError, assessment_record, completion_decide, enrolment_set_status, evidence_attach, evidence_validate,
)

from .factories import SessionFactory, TrainingClassFactory, at, institution, staff, trainee

pytestmark = pytest.mark.django_db
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def build(tc, offline=8, online=0, hours=8):
    """`offline` + `online` sessions of 8 hours on consecutive past days."""
    sessions = []
    for i in range(offline + online):
        start = at(tc.start_date + timedelta(days=i), 9)
        delivery = Session.Delivery.OFFLINE if i < offline else Session.Delivery.ONLINE
        sessions.append(SessionFactory(training_class=tc, starts_at=start, ends_at=start + timedelta(hours=hours),
                                       hours=Decimal(hours), delivery=delivery,
                                       kind=Session.Kind.PRACTICE if i % 2 else Session.Kind.THEORY))
    return sessions


def attend(sessions, enrolment, skip=()):
    for s in sessions:
        if s in skip:
            continue
        if s.delivery == Session.Delivery.ONLINE:
            Attendance.objects.create(session=s, enrolment=enrolment, status="present", source="platform",
                                      online_minutes=int((s.ends_at - s.starts_at).total_seconds() // 60))
        else:
            Attendance.objects.create(session=s, enrolment=enrolment, status="present", checked_in_at=s.starts_at)


def record_videos(sessions, by):
    for s in sessions:
        evidence_attach(s, SimpleUploadedFile("rec.mp4", MP4), by=by)


def reasons_of(enrolment):
    return [r["message"] for r in CompletionDecision.objects.get(enrolment=enrolment).reasons]


def test_full_attendance_passed_assessment_completes_with_videos():
    tc = TrainingClassFactory()
    by = staff(tc.institution)
    sessions = build(tc)
    e = trainee(tc)
    attend(sessions, e)
    assessment_record(e, score=85, by=by)
    record_videos(sessions, by)
    completion_decide(tc, by=by)
    e.refresh_from_db()
    assert e.status == Enrolment.Status.COMPLETED and reasons_of(e) == []


def test_tianjin_refuses_completion_without_full_video():
    tc = TrainingClassFactory()
    by = staff(tc.institution)
    sessions = build(tc)
    e = trainee(tc)
    attend(sessions, e)
    assessment_record(e, score=85, by=by)
    record_videos(sessions[:-1], by)
    completion_decide(tc, by=by)
    e.refresh_from_db()
    decision = CompletionDecision.objects.get(enrolment=e)
    assert e.status == Enrolment.Status.FAILED
    assert decision.reasons[0]["code"] == "video" and "四(二)" in decision.reasons[0]["citation"]


def test_shanxi_needs_no_video():
    tc = TrainingClassFactory(institution=institution("140105"))
    by = staff(tc.institution)
    sessions = build(tc)
    e = trainee(tc)
    attend(sessions, e)
    assessment_record(e, score=60, by=by)
    completion_decide(tc, by=by)
    assert reasons_of(e) == []


def test_online_share_reason_in_words():
    tc = TrainingClassFactory()  # 64 h required, cap 50 %
    by = staff(tc.institution)
    sessions = build(tc, offline=3, online=5)  # 24 offline + 40 online = 62.5 % online
    e = trainee(tc)
    attend(sessions, e)
    assessment_record(e, score=90, by=by)
    record_videos(sessions, by)
    completion_decide(tc, by=by)
    assert reasons_of(e) == ["线上学时占比62%，超过50%"]


def test_missing_hours_and_failed_assessment_reasons():
    tc = TrainingClassFactory()
    by = staff(tc.institution)
    sessions = build(tc)
    e = trainee(tc)
    attend(sessions, e, skip=sessions[:1])
    assessment_record(e, score=55, by=by)
    record_videos(sessions, by)
    completion_decide(tc, by=by)
    assert reasons_of(e) == ["完成学时56，少于规定的64学时", "结业考核成绩55分，未达到60分"]


def test_assessment_reasons_cite_the_packs_certificate_clause():
    tc = TrainingClassFactory()  # Tianjin: 津人社办发〔2022〕94号 三(四)
    by = staff(tc.institution)
    sessions = build(tc)
    failed, unassessed = trainee(tc), trainee(tc)
    for e in (failed, unassessed):
        attend(sessions, e)
    assessment_record(failed, score=55, by=by)
    record_videos(sessions, by)
    completion_decide(tc, by=by)
    for e in (failed, unassessed):
        [reason] = CompletionDecision.objects.get(enrolment=e).reasons
        assert reason["code"] == "assessment" and "津人社办发〔2022〕94号 三(四)" in reason["citation"]


def test_makeup_session_covers_missed_session():
    tc = TrainingClassFactory()
    sessions = build(tc)
    start = at(tc.start_date + timedelta(days=9), 9)
    makeup = SessionFactory(training_class=tc, makeup_for=sessions[0], starts_at=start, ends_at=start + timedelta(hours=8),
                            hours=Decimal(8), kind=sessions[0].kind)
    e = trainee(tc)
    attend(sessions, e, skip=sessions[:1])
    attend([makeup], e)
    summary = class_summaries(tc)[0]
    assert summary.hours["total"] == 64 and summary.attendance_rate_bp == 10000


def test_hours_split_by_delivery_and_kind():
    tc = TrainingClassFactory()
    sessions = build(tc, offline=2, online=2)
    e = trainee(tc)
    attend(sessions, e)
    hours = class_summaries(tc)[0].hours
    assert (hours["offline"], hours["online"], hours["theory"], hours["practice"]) == (16, 16, 16, 16)


def test_early_check_out_earns_pro_rata_hours():
    tc = TrainingClassFactory()
    s = build(tc, offline=1)[0]
    e = trainee(tc)
    Attendance.objects.create(session=s, enrolment=e, status="present", checked_in_at=s.starts_at,
                              checked_out_at=s.starts_at + timedelta(hours=4))
    assert class_summaries(tc)[0].hours["total"] == 4


def test_decision_refused_before_sessions_end():
    tc = TrainingClassFactory()
    SessionFactory(training_class=tc, starts_at=at(tc.end_date + timedelta(days=30), 9))
    with pytest.raises(TrainingError):
        completion_decide(tc, by=staff(tc.institution))


def test_enrolment_status_transitions():
    tc = TrainingClassFactory()
    e = trainee(tc)
    by = staff(tc.institution)
    Enrolment.objects.filter(pk=e.pk).update(status=Enrolment.Status.WITHDRAWN)
    e.refresh_from_db()
    with pytest.raises(TrainingError):
        enrolment_set_status(e, Enrolment.Status.COMPLETED, by=by, reason="x")


def test_evidence_type_checks():
    assert evidence_validate("a.mp4", 100, MP4[:16]) == "video"
    assert evidence_validate("a.PNG", 100, PNG[:16]) == "photo"
    with pytest.raises(TrainingError):
        evidence_validate("a.mp4", 100, PNG[:16])  # magic bytes disagree
    with pytest.raises(TrainingError):
        evidence_validate("a.exe", 100, MP4[:16])
    with pytest.raises(TrainingError):
        evidence_validate("a.jpg", 50 * 1024 * 1024, b"\xff\xd8\xff\xe0")
