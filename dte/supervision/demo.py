"""Demo data for supervision: complaints (public and hotline, one answered), a spot-check draw
with an inspection (finding, follow-up), a released third-party evaluation, and one Shanxi
class with planted anomalies — each raises its risk signal, while the other demo classes raise
none (apart from the 30-day report the training demo leaves overdue on purpose)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dte.demo.people import make_id_number
from dte.organisations.models import Organisation, User
from dte.registry.models import Enrolment, Person, TrainingClass
from dte.registry.services import id_index_of
from dte.training.models import Attendance, CheckInAttempt, Session, Venue

from .models import Complaint
from .services.complaints import complaint_reply, complaint_submit
from .services.evaluations import evaluation_open, evaluation_release, evaluation_score
from .services.inspections import finding_record, follow_up_add, inspection_open
from .services.spot_checks import sample_draw_create

PLANTED_TITLE = "风险预警演示班（含异常数据）"
TAIYUAN = (37.8706, 112.5489)
DATONG = (40.0903, 113.3001)


def _moment(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute, second)))


def _person(n: int, division: str, institution) -> Person:
    number = make_id_number(division, date(1998, 3, 1) + timedelta(days=n * 37), 900 + n)
    return Person.objects.get_or_create(id_index=id_index_of(number), defaults=dict(
        name=f"演示异常{n}", id_number=number, birth_date=date(1998, 3, 1) + timedelta(days=n * 37), gender="M",
        division_id=division, registered_by=institution))[0]


def _class(institution, occupation, title: str, start: date, capacity: int, division: str) -> TrainingClass:
    return TrainingClass.objects.create(institution=institution, occupation=occupation, level="junior", title=title,
                                        division_id=division, start_date=start, end_date=start + timedelta(days=20),
                                        capacity=capacity, status=TrainingClass.Status.IN_TRAINING)


def _plant_anomalies(context, today: date) -> None:
    institution = context.organisations.get("太原科技大学")
    template = TrainingClass.objects.filter(institution__division__code__startswith="14").order_by("pk").first()
    if institution is None or template is None or TrainingClass.objects.filter(title=PLANTED_TITLE).exists():
        return
    start = today - timedelta(days=10)
    planted = _class(institution, template.occupation, PLANTED_TITLE, start, 3, institution.division_id)
    far = _class(institution, template.occupation, "风险预警演示班（大同教学点）", start, 30, "140200")
    venue = Venue.objects.create(institution=institution, name="演示实训室", division_id=institution.division_id,
                                 lat=TAIYUAN[0], lon=TAIYUAN[1], radius_m=150)
    far_venue = Venue.objects.create(institution=institution, name="大同教学点", division_id="140200",
                                     lat=DATONG[0], lon=DATONG[1], radius_m=150)
    people = [_person(n, institution.division_id, institution) for n in range(4)]
    # 4 enrolled against 3 places: quota_exceeded.
    enrolments = [Enrolment.objects.create(training_class=planted, person=p, status=Enrolment.Status.ENROLLED) for p in people]
    sessions = [Session.objects.create(training_class=planted, title=f"演示第{i + 1}次课", starts_at=_moment(start + timedelta(days=i), 9),
                                       ends_at=_moment(start + timedelta(days=i), 12), hours=Decimal(3), delivery="offline",
                                       kind="theory", venue=venue) for i in range(3)]
    a, b, c, d = enrolments
    for i, (session, sharer) in enumerate(zip(sessions, (a, b, c))):
        # one phone checks in three different trainees: shared_device
        Attendance.objects.create(session=session, enrolment=sharer, status="present", device_id="demo-planted-phone",
                                  checked_in_at=session.starts_at - timedelta(minutes=7, seconds=13 + i * 17),
                                  lat=TAIYUAN[0], lon=TAIYUAN[1], distance_m=20)
        # the same second every day: identical_seconds
        Attendance.objects.create(session=session, enrolment=d, status="present", device_id=f"demo-planted-{d.pk}",
                                  checked_in_at=session.starts_at - timedelta(seconds=1), lat=TAIYUAN[0], lon=TAIYUAN[1],
                                  distance_m=15)
        # three refused attempts three kilometres away: outside_geofence
        CheckInAttempt.objects.create(session=session, enrolment=b, at=session.starts_at - timedelta(minutes=3), lat=TAIYUAN[0] + 0.027,
                                      lon=TAIYUAN[1], accuracy_m=12, distance_m=3002, device_id=f"demo-planted-{b.pk}",
                                      accepted=False, reason="不在签到范围内（距离3002米）")
    # trainee a also sits a Datong session overlapping the first Taiyuan one: two_classes_at_once + impossible_travel
    far_enrolment = Enrolment.objects.create(training_class=far, person=a.person, status=Enrolment.Status.ENROLLED)
    far_session = Session.objects.create(training_class=far, title="大同演示课", starts_at=_moment(start, 10),
                                         ends_at=_moment(start, 12), hours=Decimal(2), delivery="offline", kind="theory",
                                         venue=far_venue)
    Attendance.objects.create(session=far_session, enrolment=far_enrolment, status="present", device_id="demo-planted-far",
                              checked_in_at=_moment(start, 9, 48, 31), lat=DATONG[0], lon=DATONG[1], distance_m=10)
    # trainee d also enrolled in a Tianjin class: other_province
    tianjin = TrainingClass.objects.filter(division__code__startswith="12").order_by("pk").first()
    if tianjin is not None:
        Enrolment.objects.get_or_create(training_class=tianjin, person=d.person, defaults={"status": Enrolment.Status.ENROLLED})
    context.log.append("supervision: planted anomalies in one Shanxi class")


def _casework(context, today: date) -> None:
    officer = User.objects.filter(username="sx_province").first()
    third_party = User.objects.filter(username="third_party").first()
    university = context.organisations.get("山西大学")
    if officer is None or university is None or Complaint.objects.exists():
        return
    received = complaint_submit(category="advertising", summary="招生广告写着“包过”“保证拿证”，与政策不符。",
                                channel="public", institution=university, received_on=today - timedelta(days=3))
    answered = complaint_submit(category="fees", summary="培训机构另收资料费800元，未开具发票。", channel="hotline",
                                institution=context.organisations.get("太原理工大学") or university, entered_by=officer,
                                received_on=today - timedelta(days=30))
    complaint_reply(answered, "经核查，该机构已退还资料费并整改，感谢您的监督。", by=officer)
    context.log.append(f"supervision: complaints {received.tracking_code}, {answered.tracking_code}")
    draw = sample_draw_create(officer, target="classes", method="stratified", size=2, seed="demo-2026-1",
                              note="2026年第四季度抽查")
    klass = TrainingClass.objects.filter(pk__in=draw.drawn).select_related("institution").first()
    if klass is not None:
        inspection = inspection_open(officer, institution=klass.institution, training_class=klass, kind="documents",
                                     planned_on=today - timedelta(days=2), draw=draw, inspectors="王处长、李科长")
        finding_record(inspection, officer, severity="minor", text="第3次课签到表缺少两名学员签字，与录像人数不符。")
        follow_up_add(inspection, officer, action="补充说明并上传第3次课完整录像", due_on=today + timedelta(days=10))
    if third_party is not None:
        evaluation = evaluation_open(third_party, university, today.year)
        evaluation_score(evaluation, third_party, scores={"attendance": Decimal("92"), "pass_rate": Decimal("85"),
                         "teaching": Decimal("88"), "compliance": Decimal("90")},
                         comments="出勤率较高，全程录像完整；个别课次签到记录需完善。", submit=True)
        evaluation_release(evaluation, officer, today=today)


@transaction.atomic
def generate(context) -> None:
    today = timezone.localdate()
    _plant_anomalies(context, today)
    _casework(context, today)
