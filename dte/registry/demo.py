"""Demo data: Shanxi's 2024 plan (晋人社厅发〔2024〕27号 附件) with its quotas, filed plans,
classes with published announcements and rosters, one approved and two pending
class-opening applications (one of them, in Tianjin, past its review deadline)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from dte.catalogue.models import Occupation
from dte.organisations.models import User

from .errors import RegistryError
from .models import AnnualPlan, Announcement, Person, TrainingClass, TrainingPlanFiling
from .services import enrolment_create
from .services_opening import class_application_review, class_application_save, class_application_submit
from .services_plans import announcement_publish, annual_plan_create, filing_review, filing_submit, training_class_create

AI, MANAGER, BLOCKCHAIN, BIG_DATA, SMART_MFG = "2-02-10-09", "2-02-30-11", "2-02-10-15", "2-02-10-11", "2-02-07-13"
SHANXI_2024 = [("山西大学", AI, 100), ("山西大学", MANAGER, 100), ("太原理工大学", BLOCKCHAIN, 50),
               ("太原理工大学", BIG_DATA, 150), ("太原科技大学", SMART_MFG, 100)]
EVALUATOR = "山西省数字技术人才评价中心"
TIANJIN_SCHOOL = "天津市数字技术职业培训学校"


def _filing(institution, occupation, evaluator, reviewer, today):
    filing = TrainingPlanFiling.objects.create(
        institution=institution, province_id=institution.division_id[:2] + "0000",
        prefecture_id=institution.division_id[:4] + "00", occupation=occupation, level="junior",
        hours_online_theory=24, hours_online_practice=8, hours_offline_theory=16, hours_offline_practice=32,
        teachers=[{"name": "李明", "title": "教授", "qualification": "人工智能方向博士"}, {"name": "王芳", "title": "高级工程师"}],
        venues=[f"{institution.name}实训楼"], materials="全国专业技术人员新职业培训教程",
        evaluation_institution=evaluator, exam_plan="理论知识考试（机考）+ 专业能力考核（实操）",
        exam_dates=[(today + timedelta(days=75)).isoformat()],
    )
    filing_submit(filing, today=today)
    filing_review(filing, accept=True, by=reviewer, comment="材料齐全，予以备案")
    return filing


def _trainees(institution, count: int, graduation: date):
    people = list(Person.objects.filter(division__code__startswith=institution.division_id[:2], user__isnull=True)
                  .order_by("pk")[:count])
    Person.objects.filter(pk__in=[p.pk for p in people]).update(employment_status="graduate", graduation_date=graduation)
    for p in people:
        p.employment_status, p.graduation_date = "graduate", graduation
    return people


def _trainees_recent(people, graduation: date):
    Person.objects.filter(pk__in=[p.pk for p in people]).update(graduation_date=graduation)
    for p in people:
        p.graduation_date = graduation
    return people


def _application(klass, today, submitted_on):
    """Submit the class-opening application; None when the class has no roster yet (demo scale 0)."""
    if not klass.enrolments.exists():
        return None
    app = class_application_save(klass, schedule_summary="线上理论 32 学时（平台直播+回放），线下实操 48 学时（周末集中）",
                                 exam_plan="结业后与评价机构联合组织考核", teachers=[{"name": "李明", "title": "教授"}])
    return class_application_submit(app, today=submitted_on)


@transaction.atomic
def generate(context) -> None:
    if AnnualPlan.objects.filter(province_id="140000", year=2024).exists():
        return
    orgs = context.organisations
    occupations = {o.code: o for o in Occupation.objects.filter(code__in=[AI, MANAGER, BLOCKCHAIN, BIG_DATA, SMART_MFG])}
    if len(occupations) < 5 or EVALUATOR not in orgs:
        context.log.append("registry: catalogue occupations missing, no plan demo")
        return
    plan = annual_plan_create(province_id="140000", year=2024, title="2024 年度山西省数字技术工程师培训计划",
                              document="晋人社厅发〔2024〕27号 附件",
                              quotas=[(orgs[name], occupations[code], n) for name, code, n in SHANXI_2024])
    today = date.today()
    sx_officer = User.objects.filter(username="sx_province").first()
    tj_officer = User.objects.filter(username="tj_province").first()
    sxu, evaluator = orgs["山西大学"], orgs[EVALUATOR]
    _filing(sxu, occupations[AI], evaluator, sx_officer, today)
    quota = plan.quotas.get(institution=sxu, occupation=occupations[AI])
    approved = training_class_create(
        institution=sxu, occupation=occupations[AI], level="junior", title="人工智能工程技术人员（初级）2024 年第一期",
        division_id="140105" if sxu.division_id == "140100" else sxu.division_id, start_date=date(2024, 9, 2),
        end_date=date(2024, 10, 31), capacity=60, quota=quota)
    opening = today + timedelta(days=40)
    pending = training_class_create(
        institution=sxu, occupation=occupations[AI], level="junior", title=f"人工智能工程技术人员（初级）{opening.year} 年招生班",
        division_id=approved.division_id, start_date=opening, end_date=opening + timedelta(days=50),
        capacity=60, quota=quota)
    for klass, text in ((approved, "面向 2024 届及离校两年内未就业的数字技术相关专业毕业生公开招生，线上+线下、理论+实操。"),
                        (pending, "第二期招生：按国家职业标准开展培训，结业考核合格颁发培训合格证书。")):
        announcement = Announcement.objects.create(training_class=klass, text=text, fee_fen=0, venue="山西大学坞城校区",
                                                   fee_standard="政府补贴培训，学员免费", online_share_bp=4000)
        announcement_publish(announcement, on=klass.start_date)
    enrolled = 0
    people = _trainees(sxu, 12, date(2024, 6, 30))
    recent = _trainees_recent(people[8:], today - timedelta(days=150))
    for klass, group in ((approved, people[:8]), (pending, recent)):
        for person in group:
            try:
                enrolment_create(klass, person)
                enrolled += 1
            except RegistryError:
                continue
    app = _application(approved, today, date(2024, 8, 1))
    if sx_officer and app is not None:
        class_application_review(app, "approved", by=sx_officer, comment="同意开班", today=date(2024, 8, 5))
    _application(pending, today, today - timedelta(days=2))
    trainee = User.objects.filter(username="trainee").first()
    if trainee is not None and people and not Person.objects.filter(user=trainee).exists():
        # the demo trainee is the first learner of the finished class: sessions, attendance and a certificate to show
        Person.objects.filter(pk=people[0].pk).update(user=trainee)
        # ... and the account carries that person's name, so the header and the record agree (issue 13, item 16)
        trainee.first_name, trainee.last_name = people[0].name, ""
        trainee.save(update_fields=["first_name", "last_name"])
    tianjin = orgs.get(TIANJIN_SCHOOL)
    if tianjin is not None and occupations.get(AI) and tj_officer is not None:
        try:
            _filing(tianjin, occupations[AI], evaluator, tj_officer, today)
        except RegistryError:
            tianjin = None
    if tianjin is not None:
        klass = training_class_create(
            institution=tianjin, occupation=occupations[AI], level="junior", title="人工智能工程技术人员（初级）天津第一期",
            division_id=tianjin.division_id, start_date=today + timedelta(days=30), end_date=today + timedelta(days=70),
            mode=TrainingClass.Mode.MARKET, capacity=40)
        for person in Person.objects.filter(division__code__startswith="12", user__isnull=True).order_by("pk")[:5]:
            enrolment_create(klass, person)
        _application(klass, today, today - timedelta(days=10))  # 5 working days have passed: shows as overdue
    context.log.append(f"registry: plan {plan}, {enrolled} enrolments, class-opening applications approved+pending")
