"""Exam declaration (申报) under the written-commitment system (告知承诺制).

Only a holder of a valid training certificate may declare, and only for an evaluation institution
listed in the province's catalogue for that occupation and level (晋人社厅发〔2024〕27号 四(二);
广西人社厅通知（2023-09-19） 三(三)). The commitment is kept exactly as signed (text, SHA-256,
time, IP), as for the enrolment commitment (dte.registry.services.commitment_sign)."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.utils import timezone

from dte.audit.services import audit_record
from dte.catalogue.models import InstitutionListing
from dte.catalogue.selectors import listing_status_on
from dte.organisations.roles import Role
from dte.training.models import TrainingCertificate

from ..errors import AssessmentError
from ..models import Candidate, Declaration, ExamStandard

S = Declaration.Status
TRANSITIONS = {
    S.DECLARED: {S.ADMITTED, S.WITHDRAWN, S.VOIDED},
    S.ADMITTED: {S.DECLARED, S.WITHDRAWN, S.VOIDED},
    S.WITHDRAWN: set(),
    S.VOIDED: set(),
}


def exam_standard(occupation, level: str) -> ExamStandard | None:
    return ExamStandard.objects.filter(occupation=occupation, level=level).first()


def conditions_for(occupation, level: str) -> str:
    """The declaration conditions an official entered; '' = not set."""
    standard = exam_standard(occupation, level)
    return standard.conditions.strip() if standard else ""


def listing_may_assess(organisation, occupation, level: str, direction: str = "", on: date | None = None) -> bool:
    """True only if the organisation has an evaluation listing, listed on `on`, covering the
    occupation and level (and the direction, where the coverage names one)."""
    on = on or timezone.localdate()
    listings = InstitutionListing.objects.filter(
        organisation=organisation, kind=InstitutionListing.Kind.EVALUATION,
        coverage__occupation=occupation, coverage__level=level,
    ).distinct()
    for listing in listings:
        directions = set(listing.coverage.filter(occupation=occupation, level=level).values_list("direction", flat=True))
        if ("" in directions or not direction or direction in directions) and listing_status_on(listing, on) == "listed":
            return True
    return False


def commitment_text(certificate: TrainingCertificate, institution, conditions: str) -> str:
    """The exact text shown and signed; the conditions are part of what is committed to."""
    klass = certificate.enrolment.training_class
    person = certificate.enrolment.person
    direction = f"（{klass.direction}）" if klass.direction else ""
    return (
        "专业技术等级考核申报告知承诺书\n"
        f"本人 {person.name}（身份证号 {person.masked_id_number}）持培训合格证书（编号 {certificate.number}），"
        f"申报 {institution.name} 组织的 {klass.occupation.name}{direction}·{klass.get_level_display()} 专业技术等级考核。\n"
        f"申报条件：{conditions or '未设置（以国家职业标准为准）'}\n"
        "本人郑重承诺：\n"
        "一、本人已知悉上述申报条件，并符合申报条件；\n"
        "二、本人提交的个人信息、培训经历和工作经历真实、准确、完整；\n"
        "三、本人愿意接受有关部门的核查，如有不实，自愿承担考核成绩无效、证书撤销等相应责任。"
    )


def _may_declare(by, certificate: TrainingCertificate) -> str:
    """The channel (via) this user declares through, or raise."""
    if by is None:
        raise AssessmentError("需要登录后申报。", code="LOGIN")
    person = certificate.enrolment.person
    if by.role == Role.TRAINEE:
        if person.user_id != by.pk:
            raise AssessmentError("只能为本人申报。", code="NOT_OWNER")
        return Declaration.Via.SELF
    if by.is_platform_admin or (by.role == Role.TRAINING_STAFF
                                and by.organisation_id == certificate.enrolment.training_class.institution_id):
        return Declaration.Via.INSTITUTION
    raise AssessmentError("无权为该学员申报。", code="FORBIDDEN")


def declaration_create(certificate: TrainingCertificate, institution, *, text: str, by, ip: str = "",
                       today: date | None = None) -> Declaration:
    via = _may_declare(by, certificate)
    if certificate.status != TrainingCertificate.Status.VALID:
        raise AssessmentError("培训合格证书已撤销，不能申报。", code="CERTIFICATE_REVOKED")
    klass = certificate.enrolment.training_class
    if not listing_may_assess(institution, klass.occupation, klass.level, klass.direction, today):
        raise AssessmentError(f"{institution.name} 不在评价机构目录中或未覆盖该职业和等级。", code="NOT_LISTED")
    conditions = conditions_for(klass.occupation, klass.level)
    expected = commitment_text(certificate, institution, conditions)
    if text.replace("\r\n", "\n") != expected:
        raise AssessmentError("承诺书文本与平台提供的文本不一致，请刷新后重新签署。", code="COMMITMENT_TEXT_CHANGED")
    person = certificate.enrolment.person
    if Declaration.objects.filter(person=person, occupation=klass.occupation, level=klass.level,
                                  status__in=[S.DECLARED, S.ADMITTED]).exists():
        raise AssessmentError("该学员已有同一职业和等级的有效申报。", code="ALREADY_DECLARED")
    digest = hashlib.sha256(expected.encode("utf-8")).hexdigest()
    with transaction.atomic():
        declaration = Declaration.objects.create(
            person=person, training_certificate=certificate, evaluation_institution=institution,
            occupation=klass.occupation, level=klass.level, direction=klass.direction, via=via, conditions=conditions,
            commitment_text=expected, commitment_sha256=digest, signed_at=timezone.now(), ip=ip or "", declared_by=by)
        audit_record("assessment.declaration.create", obj=declaration, ip=ip or None, division_code=institution.division_id,
                     organisation_id=institution.pk, after={"person": person.pk, "via": via, "sha256": digest})
    return declaration


def declaration_set_status(declaration: Declaration, new: str, *, by, reason: str = "") -> Declaration:
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        old = declaration.status
        if new not in TRANSITIONS[old]:
            raise AssessmentError(f"申报状态不能从“{S(old).label}”变为“{S(new).label}”。", code="BAD_TRANSITION")
        declaration.status, declaration.status_reason = new, reason[:255]
        declaration.status_changed_at, declaration.status_changed_by = timezone.now(), by
        declaration.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
        audit_record(f"assessment.declaration.{new}", obj=declaration, before={"status": old},
                     after={"status": new, "reason": reason}, division_code=declaration.evaluation_institution.division_id,
                     organisation_id=declaration.evaluation_institution_id)
    return declaration


def declaration_withdraw(declaration: Declaration, *, by, reason: str = "", today: date | None = None) -> Declaration:
    """Withdraw before the declaration closes: while not admitted, or before the session's closing date."""
    today = today or timezone.localdate()
    if by.role == Role.TRAINEE and declaration.person.user_id != by.pk:
        raise AssessmentError("只能撤回本人的申报。", code="NOT_OWNER")
    candidate = Candidate.objects.filter(declaration=declaration).select_related("session").first()
    if candidate is not None and today > candidate.session.declarations_close_on:
        raise AssessmentError(f"申报已于 {candidate.session.declarations_close_on:%Y-%m-%d} 截止，不能撤回。", code="CLOSED")
    with transaction.atomic():
        if candidate is not None:
            Candidate.objects.filter(pk=candidate.pk).update(status=Candidate.Status.WITHDRAWN)
        return declaration_set_status(declaration, S.WITHDRAWN, by=by, reason=reason or "本人撤回")


def declaration_void(declaration: Declaration, *, by, reason: str) -> Declaration:
    """A false commitment found later voids the declaration and any result (告知承诺制: 如有不实，成绩无效)."""
    if not reason.strip():
        raise AssessmentError("请填写作废原因。", code="REASON_REQUIRED")
    if not (by.is_platform_admin or by.role in (Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER)
            or (by.role == Role.EVALUATION_STAFF and by.organisation_id == declaration.evaluation_institution_id)):
        raise AssessmentError("无权作废申报。", code="FORBIDDEN")
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().filter(declaration=declaration).first()
        if candidate is not None:
            before = {"status": candidate.status, "passed": candidate.passed}
            candidate.status, candidate.passed = Candidate.Status.VOIDED, False
            candidate.save(update_fields=["status", "passed"])
            _revoke_certificates(candidate, by=by, reason=reason)
            audit_record("assessment.result.void", obj=candidate, before=before, after={"status": "voided", "reason": reason},
                         division_code=declaration.evaluation_institution.division_id,
                         organisation_id=declaration.evaluation_institution_id)
        return declaration_set_status(declaration, S.VOIDED, by=by, reason=reason)


def _revoke_certificates(candidate: Candidate, *, by, reason: str) -> None:
    """A certificate resting on a voided result is revoked with the same reason (never deleted)."""
    from dte.credentials.services import CredentialError, level_certificate_set_status

    for line in candidate.report_lines.filter(level_certificate__isnull=False).select_related("level_certificate"):
        if line.level_certificate.status != "revoked":
            try:
                level_certificate_set_status(line.level_certificate, "revoked", by=by, reason=f"考核结果作废：{reason}")
            except CredentialError as error:
                raise AssessmentError(str(error), code="REVOKE_REFUSED") from None


def exam_standard_save(occupation, level: str, *, conditions: str, theory_pass_mark, practical_pass_mark, citation: str,
                       by) -> ExamStandard:
    """An official enters the declaration conditions of the national standard and the pass marks."""
    if by is None or not (by.is_platform_admin or by.role == Role.PROVINCE_OFFICER):
        raise AssessmentError("只有省级人社部门可以设置申报条件和合格线。", code="FORBIDDEN")
    if not citation.strip():
        raise AssessmentError("请注明依据（国家职业标准或文件）。", code="CITATION_REQUIRED")
    with transaction.atomic():
        standard, created = ExamStandard.objects.select_for_update().get_or_create(occupation=occupation, level=level)
        before = {} if created else {"conditions": standard.conditions, "theory": str(standard.theory_pass_mark),
                                     "practical": str(standard.practical_pass_mark), "citation": standard.citation}
        standard.conditions, standard.citation = conditions.strip(), citation.strip()
        standard.theory_pass_mark, standard.practical_pass_mark = theory_pass_mark, practical_pass_mark
        standard.entered_by = by
        standard.save()
        audit_record("assessment.standard.save", obj=standard, before=before,
                     after={"conditions": standard.conditions, "theory": str(theory_pass_mark),
                            "practical": str(practical_pass_mark), "citation": standard.citation})
    return standard
