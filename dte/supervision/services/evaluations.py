"""Third-party evaluation of training institutions (津人社办发〔2022〕94号 四(三)): the evaluator
opens the year's evaluation with the figures the platform computes (attendance rate, exam pass
rate, complaints, inspection findings, spot-check results), scores it and comments, submits it;
the province releases it, after which it is public (web and PDF)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dte.audit.services import audit_record
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access
from dte.registry.models import Enrolment
from dte.training.models import ATTENDED, Attendance, Session

from ..models import Complaint, Finding, Inspection, InstitutionEvaluation
from .errors import SupervisionError

# The evaluator's criteria, each scored 0–100; the total is their mean. The two the document names
# (出勤率, 考核通过率) come first.
CRITERIA = {
    "attendance": gettext_lazy("Attendance"),
    "pass_rate": gettext_lazy("Exam pass rate"),
    "teaching": gettext_lazy("Teaching quality"),
    "compliance": gettext_lazy("Compliance (complaints, findings)"),
}


def evaluation_figures(institution, year: int) -> dict:
    """What the platform knows of the institution's year: classes that started in the year."""
    enrolments = Enrolment.objects.filter(training_class__institution=institution, training_class__start_date__year=year
                                          ).exclude(status=Enrolment.Status.WITHDRAWN)
    sessions = Session.objects.filter(training_class__institution=institution, training_class__start_date__year=year)
    # one GROUP BY each: sessions per class and trainees per class; expected = Σ sessions × trainees
    people = dict(enrolments.order_by().values("training_class_id").annotate(n=Count("pk")).values_list("training_class_id", "n"))
    expected = sum(n * people.get(class_id, 0) for class_id, n in
                   sessions.order_by().values("training_class_id").annotate(n=Count("pk")).values_list("training_class_id", "n"))
    attended = Attendance.objects.filter(session__in=sessions, status__in=ATTENDED).count()
    figures = {
        "classes": enrolments.values("training_class_id").distinct().count(),
        "trainees": enrolments.values("person_id").distinct().count(),
        "attendance_expected": expected, "attendance_attended": attended,
        "attendance_rate_bp": attended * 10000 // expected if expected else None,
        "complaints": Complaint.objects.filter(institution=institution, received_on__year=year).count(),
        "inspections": Inspection.objects.filter(institution=institution, planned_on__year=year).count(),
        "spot_checks": Inspection.objects.filter(institution=institution, planned_on__year=year, draw__isnull=False).count(),
        "findings_major": Finding.objects.filter(inspection__institution=institution, inspection__planned_on__year=year,
                                                 severity=Finding.Severity.MAJOR).count(),
        "findings_minor": Finding.objects.filter(inspection__institution=institution, inspection__planned_on__year=year,
                                                 severity=Finding.Severity.MINOR).count(),
    }
    from dte.assessment.models import Candidate
    from dte.assessment.selectors import SAT

    sat = Candidate.objects.filter(status__in=SAT, declaration__training_certificate__enrolment__training_class__institution=institution,
                                   session__date__year=year).aggregate(n=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    figures.update({"exam_sat": sat["n"], "exam_passed": sat["passed"],
                    "pass_rate_bp": sat["passed"] * 10000 // sat["n"] if sat["n"] else None})
    return figures


def _require_evaluator(user, institution=None) -> None:
    if user.role != Role.THIRD_PARTY_EVALUATOR or user.organisation is None:
        raise SupervisionError(_("Only the third-party evaluator evaluates institutions."))
    if institution is not None and not can_access(user, institution):
        raise SupervisionError(_("This institution is outside the evaluator's commission."))


@transaction.atomic
def evaluation_open(user, institution, year: int) -> InstitutionEvaluation:
    _require_evaluator(user, institution)
    if InstitutionEvaluation.objects.filter(year=year, institution=institution).exists():
        raise SupervisionError(_("This institution already has an evaluation for %(year)d.") % {"year": year})
    evaluation = InstitutionEvaluation.objects.create(year=year, institution=institution, evaluator=user.organisation,
                                                      figures=evaluation_figures(institution, year), created_by=user)
    audit_record("supervision.evaluation.open", obj=evaluation, after={"year": year, "institution": institution.name},
                 division_code=institution.division_id, organisation_id=institution.pk)
    return evaluation


def evaluation_score(evaluation: InstitutionEvaluation, user, *, scores: dict, comments: str, submit: bool = False):
    _require_evaluator(user)
    if evaluation.evaluator_id != user.organisation_id:
        raise SupervisionError(_("Only the evaluator who opened it scores this evaluation."))
    if evaluation.status != InstitutionEvaluation.Status.DRAFT:
        raise SupervisionError(_("This evaluation has been submitted and can no longer be changed."))
    clean = {}
    for key in CRITERIA:
        value = scores.get(key)
        if value is None or not (0 <= Decimal(value) <= 100):
            raise SupervisionError(_("Score every criterion from 0 to 100."))
        clean[key] = str(Decimal(value).quantize(Decimal("0.1")))
    with transaction.atomic():
        evaluation.scores, evaluation.comments = clean, comments.strip()
        evaluation.total_score = (sum(Decimal(v) for v in clean.values()) / len(clean)).quantize(Decimal("0.1"))
        evaluation.figures = evaluation_figures(evaluation.institution, evaluation.year)
        if submit:
            evaluation.status, evaluation.submitted_at = InstitutionEvaluation.Status.SUBMITTED, timezone.now()
        evaluation.save()
        audit_record("supervision.evaluation.score", obj=evaluation, after={"scores": clean, "total": evaluation.total_score,
                     "submitted": submit}, division_code=evaluation.institution.division_id,
                     organisation_id=evaluation.institution_id)
    return evaluation


def evaluation_release(evaluation: InstitutionEvaluation, user, *, today: date | None = None):
    """评估结果向社会公布: the province releases a submitted evaluation."""
    if user.role != Role.PROVINCE_OFFICER or not can_access(user, evaluation, write=True):
        raise SupervisionError(_("Only the province bureau releases evaluations."))
    if evaluation.status != InstitutionEvaluation.Status.SUBMITTED:
        raise SupervisionError(_("Only a submitted evaluation can be released."))
    with transaction.atomic():
        evaluation.status, evaluation.released_on, evaluation.released_by = (
            InstitutionEvaluation.Status.RELEASED, today or date.today(), user)
        evaluation.save(update_fields=["status", "released_on", "released_by"])
        audit_record("supervision.evaluation.release", obj=evaluation, division_code=evaluation.institution.division_id,
                     organisation_id=evaluation.institution_id)
    return evaluation


def _pct(bp) -> str:
    return "—" if bp is None else f"{Decimal(bp) / 100:.1f}%"


def evaluation_pdf(evaluation: InstitutionEvaluation) -> bytes:
    """The published report (reportlab, CJK font), always in Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _evaluation_pdf(evaluation)


def _evaluation_pdf(evaluation: InstitutionEvaluation) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from dte.credentials.pdf import cjk_font

    cjk_font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setFont("STSong-Light", 16)
    pdf.drawCentredString(width / 2, height - 25 * mm, f"{evaluation.year}年度培训机构培训质量第三方评估报告")
    f = evaluation.figures
    lines = [
        ("培训机构", evaluation.institution.name), ("评估机构", evaluation.evaluator.name),
        ("开班数 / 学员数", f"{f.get('classes', 0)} / {f.get('trainees', 0)}"),
        ("培训出勤率", _pct(f.get("attendance_rate_bp"))), ("考核通过率", _pct(f.get("pass_rate_bp"))),
        ("投诉举报", str(f.get("complaints", 0))), ("检查 / 抽查", f"{f.get('inspections', 0)} / {f.get('spot_checks', 0)}"),
        ("严重 / 一般问题", f"{f.get('findings_major', 0)} / {f.get('findings_minor', 0)}"),
        *[(str(label), evaluation.scores.get(key, "—")) for key, label in CRITERIA.items()],
        ("总分", str(evaluation.total_score or "—")), ("公布日期", str(evaluation.released_on or "")),
    ]
    y = height - 45 * mm
    pdf.setFont("STSong-Light", 11)
    for label, value in lines:
        pdf.drawString(25 * mm, y, label)
        pdf.drawString(75 * mm, y, str(value))
        y -= 8 * mm
    pdf.drawString(25 * mm, y - 4 * mm, "评估意见：")
    text = pdf.beginText(25 * mm, y - 12 * mm)
    text.setFont("STSong-Light", 11)
    comment = evaluation.comments or "—"
    for start in range(0, len(comment), 40):
        text.textLine(comment[start:start + 40])
    pdf.drawText(text)
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(25 * mm, 15 * mm, "依据：津人社办发〔2022〕94号 四(三)")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

