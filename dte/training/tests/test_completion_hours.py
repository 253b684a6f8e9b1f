"""Issue 13 item 10: completion needs the prescribed hours — every document: 对完成规定学时和内容的
学员进行结业考核 (晋人社厅发〔2024〕27号 四(一); 云人社通〔2023〕39号 四(二); 藏人社发〔2025〕13号 四(二);
广西人社厅通知（2023-09-19） 三(二)). The class's planned hours count even after sessions are cut,
and a session with attendance is shortened only with an audited reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dte.audit.models import AuditEvent
from dte.registry.models import Enrolment
from dte.training.models import Attendance, ClassSchedule, CompletionDecision, Session
from dte.training.services import TrainingError, assessment_record, completion_decide
from dte.training.services.schedule import session_save

from .factories import SessionFactory, TrainingClassFactory, at, institution, staff, trainee

pytestmark = pytest.mark.django_db


def shanxi_class():
    """Shanxi has no catalogue of required hours: before the fix the scheduled hours were all a
    trainee needed, so cutting the sessions cut the requirement."""
    return TrainingClassFactory(institution=institution("140105"), division_id="140105")


def one_short_session(tc, hours="0.5"):
    start = at(tc.start_date + timedelta(days=1), 9)
    return SessionFactory(training_class=tc, starts_at=start, ends_at=start + timedelta(minutes=30), hours=Decimal(hours))


def present(session, enrolment):
    Attendance.objects.create(session=session, enrolment=enrolment, status="present", checked_in_at=session.starts_at)


def test_half_an_hour_against_an_80_hour_class_does_not_complete():
    tc = shanxi_class()
    by = staff(tc.institution)
    ClassSchedule.objects.create(training_class=tc, confirmed_at=timezone.now(), confirmed_by=by,
                                 total_hours=Decimal(80), online_hours=Decimal(0))
    e = trainee(tc)
    present(one_short_session(tc), e)
    assessment_record(e, score=90, by=by)
    completion_decide(tc, by=by)
    e.refresh_from_db()
    assert e.status == Enrolment.Status.FAILED
    [reason] = CompletionDecision.objects.get(enrolment=e).reasons
    assert reason["code"] == "hours"
    assert "完成学时0.5，少于规定的80学时" == reason["message"]
    assert "确认的课程表的80学时" in reason["citation"] and "完成规定学时和内容" in reason["citation"]


def test_without_planned_hours_the_schedule_is_the_requirement():
    tc = shanxi_class()
    by = staff(tc.institution)
    e = trainee(tc)
    present(one_short_session(tc, "4"), e)
    assessment_record(e, score=90, by=by)
    completion_decide(tc, by=by)
    e.refresh_from_db()
    assert e.status == Enrolment.Status.COMPLETED and CompletionDecision.objects.get(enrolment=e).reasons == []


def test_a_session_with_attendance_is_shortened_only_with_an_audited_reason():
    tc = shanxi_class()
    by = staff(tc.institution)
    start = at(tc.start_date + timedelta(days=1), 9)
    session = SessionFactory(training_class=tc, starts_at=start, ends_at=start + timedelta(hours=8), hours=Decimal(8))
    present(session, trainee(tc))
    with pytest.raises(TrainingError, match="修改原因"):
        session_save(tc, by=by, session=Session.objects.get(pk=session.pk), hours=Decimal("0.5"))
    with pytest.raises(TrainingError, match="修改原因"):
        session_save(tc, by=by, session=Session.objects.get(pk=session.pk), ends_at=start + timedelta(hours=1))
    assert Session.objects.get(pk=session.pk).hours == Decimal(8)
    session_save(tc, by=by, session=Session.objects.get(pk=session.pk), hours=Decimal(6), change_reason="停电提前下课")
    assert Session.objects.get(pk=session.pk).hours == Decimal(6)
    event = AuditEvent.objects.filter(action="training.session.save").latest("pk")
    assert event.after["reason"] == "停电提前下课" and event.before["hours"] == "8.0"
    # lengthening needs no reason
    session_save(tc, by=by, session=Session.objects.get(pk=session.pk), hours=Decimal(7))
    assert Session.objects.get(pk=session.pk).hours == Decimal(7)
