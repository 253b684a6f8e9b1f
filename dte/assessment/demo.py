"""Demo data for level exams in Shanxi and Guangxi (the two documents with the full chain): holders
of training certificates declare; sessions at exam centres with admitted candidates; scores that
pass and fail in each part; certificate data reported, returned, confirmed, nationally approved,
issued, and one result voided for a false commitment (its certificate revoked). Training
certificates are reused from the training demo and topped up with a finished class of our own."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dte.catalogue.models import InstitutionListing, ListingCoverage, Occupation
from dte.demo.accounts import DEMO_PASSWORD
from dte.demo.people import make_id_number
from dte.organisations.models import ExamCentre, Organisation, User
from dte.organisations.roles import Role
from dte.registry.models import Enrolment, Person, TrainingClass
from dte.registry.services import id_index_of
from dte.training.models import TrainingCertificate

from .errors import AssessmentError
from .models import Declaration, ExamSession
from .services import (
    candidate_check_in, candidates_admit, commitment_text, conditions_for, declaration_create, declaration_void,
    report_create, report_issue, report_national_record, report_province_decide, report_resubmit, result_record,
    session_create, session_results_confirm,
)

AI = "2-02-10-09"
PROVINCES = {
    "140000": {"evaluator": "山西省数字技术人才评价中心", "user": "sx_eval", "officer": "sx_province", "prefecture": "140100",
               "county": "140105", "training": "山西大学", "centre": "太原考核点（山西大学坞城校区）"},
    "450000": {"evaluator": "广西数字技术人才评价中心", "user": "gx_eval", "officer": "gx_province", "prefecture": "450100",
               "county": "450103", "training": "广西数字技术工程师培训中心", "centre": "南宁考核点（广西大学）"},
}
NEEDED = 11


def _evaluator(code: str, cfg: dict, occupation: Occupation) -> tuple[Organisation, User]:
    org, _ = Organisation.objects.get_or_create(name=cfg["evaluator"], division_id=cfg["prefecture"],
                                                defaults={"kind": Organisation.Kind.EVALUATION_INSTITUTION})
    listing, _ = InstitutionListing.objects.get_or_create(
        organisation=org, kind=InstitutionListing.Kind.EVALUATION, province_id=code,
        defaults={"listed_on": date(2023, 9, 19), "batch": "演示数据"})
    for level in ("junior", "intermediate", "senior"):
        ListingCoverage.objects.get_or_create(listing=listing, occupation=occupation, level=level, direction="")
    ExamCentre.objects.get_or_create(evaluation_institution=org, name=cfg["centre"],
                                     defaults={"division_id": cfg["county"] if code == "140000" else cfg["prefecture"]})
    user, created = User.objects.get_or_create(username=cfg["user"], defaults={
        "role": Role.EVALUATION_STAFF, "organisation": org, "first_name": "考务专员"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return org, user


def _top_up(code: str, cfg: dict, occupation: Occupation, count: int, seed: int) -> None:
    """A finished class of our own with `count` certified trainees (PDF as the training app renders it)."""
    from dte.training.pdf import certificate_pdf
    from dte.training.services.certificates import verify_url

    institution = Organisation.objects.filter(name=cfg["training"]).first()
    if institution is None or count <= 0:
        return
    end = timezone.localdate() - timedelta(days=60)
    klass = TrainingClass.objects.create(
        institution=institution, occupation=occupation, level="junior", title=f"{occupation.name}初级考前班（演示）",
        division=institution.division, start_date=end - timedelta(days=40), end_date=end, status=TrainingClass.Status.COMPLETED)
    issuer = User.objects.filter(organisation=institution).order_by("pk").first() or User.objects.filter(is_superuser=True).first()
    for n in range(count):
        number = make_id_number(cfg["county"], date(1994, 3, 1) + timedelta(days=97 * n), (seed + n) % 1000)
        person, _ = Person.objects.get_or_create(id_index=id_index_of(number), defaults={
            "name": f"{'晋' if code == '140000' else '桂'}考生{n + 1:02d}", "id_number": number,
            "birth_date": date(1994, 3, 1) + timedelta(days=97 * n), "gender": "MF"[n % 2],
            "division_id": cfg["county"], "registered_by": institution})
        enrolment = Enrolment.objects.create(training_class=klass, person=person, status=Enrolment.Status.COMPLETED)
        token, cert_no = secrets.token_urlsafe(24), f"DEMO{code[:2]}{klass.pk:05d}{n + 1:04d}"
        snapshot = {"title": "培训合格证书", "text": f"{person.name}同志参加{occupation.name}初级培训，经结业考核合格，特发此证。",
                    "name": person.name, "id_masked": person.masked_id_number, "occupation": occupation.name, "direction": "",
                    "level_label": "初级", "start": klass.start_date.isoformat(), "end": end.isoformat(), "hours": 80,
                    "institution": institution.name, "issued_on": end.isoformat(), "number": cert_no,
                    "verify_url": verify_url(token)}
        pdf = certificate_pdf(snapshot)
        cert = TrainingCertificate(
            number=cert_no, verify_token=token, enrolment=enrolment, snapshot=snapshot,
            snapshot_sha256=hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False,
                                                      separators=(",", ":")).encode()).hexdigest(),
            pdf_sha256=hashlib.sha256(pdf).hexdigest(), issued_on=end, issued_by=issuer)
        cert.pdf.save(f"{cert_no}.pdf", ContentFile(pdf), save=False)
        cert.save()


def _certificates(code: str, occupation: Occupation):
    return list(TrainingCertificate.objects.filter(
        status=TrainingCertificate.Status.VALID, enrolment__training_class__division__code__startswith=code[:2],
        enrolment__training_class__occupation=occupation, enrolment__training_class__level="junior",
        declarations__isnull=True).select_related("enrolment__person", "enrolment__training_class").order_by("pk"))


def _session(org, user, occupation, days_ago: int, capacity: int = 10) -> ExamSession:
    on = timezone.localdate() - timedelta(days=days_ago)
    return session_create(institution=org, centre=org.exam_centres.order_by("pk").first(), occupation=occupation, level="junior",
                          date=on, start_time=time(9), end_time=time(11, 30), capacity=capacity,
                          declarations_close_on=on - timedelta(days=3), by=user)


def _exam(org, user, occupation, declarations, days_ago: int, scores) -> ExamSession:
    session = _session(org, user, occupation, days_ago)
    candidates = candidates_admit(session, declarations, by=user, today=session.declarations_close_on)
    for c, (t, p) in zip(candidates, scores):
        candidate_check_in(c, by=user, identity_checked=True, incident="考生迟到8分钟，按规定允许入场" if t == "52" else "")
        result_record(c, theory=t, practical=p, by=user)
    session_results_confirm(session, by=user)
    return session


def _province(code: str, cfg: dict, context) -> str:
    occupation = Occupation.objects.filter(code=AI).first()
    officer = User.objects.filter(username=cfg["officer"]).first()
    if occupation is None or officer is None:
        return "no occupation or officer"
    org, user = _evaluator(code, cfg, occupation)
    if ExamSession.objects.filter(evaluation_institution=org).exists():
        return "already generated"
    certificates = _certificates(code, occupation)
    if len(certificates) < NEEDED:
        _top_up(code, cfg, occupation, NEEDED - len(certificates), context.seed)
        certificates = _certificates(code, occupation)
    declarations = []
    for cert in certificates[:NEEDED]:
        person = cert.enrolment.person
        by = person.user or User.objects.filter(organisation=cert.enrolment.training_class.institution).first() or user
        if by.role not in (Role.TRAINEE, Role.TRAINING_STAFF) and not by.is_platform_admin:
            by = User.objects.filter(is_superuser=True).first()
        text = commitment_text(cert, org, conditions_for(occupation, "junior"))
        declarations.append(declaration_create(cert, org, text=text, by=by, ip="10.0.0.8"))
    if len(declarations) < NEEDED:
        return f"only {len(declarations)} certificates"
    today = timezone.localdate()
    # A: 45 days ago, pass / theory fail / practical fail / pass → chain to issue.
    a = _exam(org, user, occupation, declarations[0:4], 45, [("86", "78"), ("52", "80"), ("75", "48"), ("91", "88")])
    ra = report_create(a, by=user, today=a.date + timedelta(days=12))
    if code == "140000":
        ra = report_province_decide(ra, "returned", by=officer, comment="请核对考生身份证号", today=a.date + timedelta(days=15))
        ra = report_resubmit(ra, by=user, today=a.date + timedelta(days=16))
    ra = report_province_decide(ra, "confirmed", by=officer, today=a.date + timedelta(days=20))
    ra = report_national_record(ra, "approved", decided_on=a.date + timedelta(days=30), reference=f"人社证审〔{today.year}〕{code[:2]}01号",
                                by=officer)
    issued = report_issue(ra, by=user, today=today)
    if issued:  # a false commitment found later: the result is voided and the certificate revoked
        declaration_void(declarations[3], by=officer, reason="核查发现申报材料中的工作年限不实")
    # B: 20 days ago → reported (Shanxi waits for the province; Guangxi returned).
    b = _exam(org, user, occupation, declarations[4:6], 20, [("66", "72"), ("80", "61")])
    rb = report_create(b, by=user, today=today - timedelta(days=2))
    if code == "450000":
        report_province_decide(rb, "returned", by=officer, comment="缺少考核现场照片", today=today)
    # C: 12 days ago → confirmed, waiting for the national review.
    c = _exam(org, user, occupation, declarations[6:7], 12, [("70", "70")])
    report_province_decide(report_create(c, by=user, today=today - timedelta(days=5)), "confirmed", by=officer, today=today)
    # D: in two weeks: two admitted; E: two declarations waiting.
    future = session_create(institution=org, centre=org.exam_centres.order_by("pk").first(), occupation=occupation,
                            level="junior", date=today + timedelta(days=14), start_time=time(14), end_time=time(16, 30),
                            capacity=30, declarations_close_on=today + timedelta(days=7), by=user)
    candidates_admit(future, declarations[7:9], by=user)
    return f"{len(issued)} certificates issued, {Declaration.objects.filter(evaluation_institution=org).count()} declarations"


def generate(context) -> None:
    for code, cfg in PROVINCES.items():
        try:
            with transaction.atomic():
                context.log.append(f"assessment {code}: {_province(code, cfg, context)}")
        except AssessmentError as error:
            context.log.append(f"assessment {code}: stopped ({error.message})")
