"""Writes: continuing-education hours from training, title recognition from level certificates,
the officials' entries in a person's file. Every function is idempotent where it says so and
audits each change (dte.audit)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.credentials.models import LevelCertificate
from dte.policy.packs.base import PolicyPack
from dte.policy.services import pack_for_division
from dte.registry.models import Enrolment, Person
from dte.training.models import CompletionDecision, TrainingCertificate

from . import rules
from .models import ContinuingEducationRecord, TalentEntry, TalentProfile, TitleRecognition, TitleSeries

REVIEWED_SENIOR_TITLE = "高级工程师"


class TalentError(ValueError):
    pass


def _training_hours(enrolment: Enrolment, decision: CompletionDecision | None, cert: TrainingCertificate | None) -> Decimal:
    """The hours the trainee was credited at completion (training.CompletionDecision summary); the
    certificate's printed hours when no summary is kept."""
    total = ((decision.summary or {}).get("hours") or {}).get("total") if decision else None
    if total in (None, "") and cert is not None:
        total = cert.snapshot.get("hours")
    return Decimal(str(total or 0))


def _ce_state(record: ContinuingEducationRecord) -> dict:
    return {"year": record.year, "hours": str(record.hours), "status": record.status, "citation": record.citation,
            "certificate": record.training_certificate_id}


@transaction.atomic
def continuing_education_record_for_training(enrolment: Enrolment, *, by=None) -> ContinuingEducationRecord | None:
    """Register the training hours of a completed enrolment as continuing-education 专业课 hours of
    the year the training ended, under the pack of the province where it was held. Idempotent:
    running it again changes nothing unless the facts changed; a record whose basis is gone
    (completion reversed, Shanxi's training certificate revoked) is withdrawn, never deleted."""
    enrolment = Enrolment.objects.select_for_update().select_related("training_class", "person").get(pk=enrolment.pk)
    tc = enrolment.training_class
    pack = pack_for_division(tc.division_id)
    decision = CompletionDecision.objects.filter(enrolment=enrolment).first()
    cert = TrainingCertificate.objects.filter(enrolment=enrolment, status=TrainingCertificate.Status.VALID).first()
    completed = enrolment.status == Enrolment.Status.COMPLETED and (decision is None or decision.completed)
    outcome = None
    if pack is not None and completed:
        outcome = rules.continuing_education(pack, on=tc.end_date, hours=_training_hours(enrolment, decision, cert),
                                             has_training_certificate=cert is not None)
    existing = ContinuingEducationRecord.objects.select_for_update().filter(enrolment=enrolment).first()
    if outcome is None or not outcome.counts:
        if existing is None or existing.status == ContinuingEducationRecord.Status.WITHDRAWN:
            return existing
        before = _ce_state(existing)
        existing.status = ContinuingEducationRecord.Status.WITHDRAWN
        existing.reason = outcome.message if outcome else "培训未结业或结业记录已撤销"
        existing.save(update_fields=["status", "reason", "updated_at"])
        audit_record("talent.ce.withdraw", obj=existing, before=before, after=_ce_state(existing) | {"reason": existing.reason},
                     actor=by, division_code=tc.division_id, organisation_id=tc.institution_id)
        return existing
    desired = {"person_id": enrolment.person_id, "training_certificate_id": cert.pk if cert else None, "year": tc.end_date.year,
               "hours": outcome.hours.quantize(Decimal("0.1")), "validity": outcome.scope, "province": pack.code,
               "citation": outcome.citation, "status": ContinuingEducationRecord.Status.RECORDED, "reason": ""}
    if existing is not None and all(getattr(existing, k) == v for k, v in desired.items()):
        return existing
    before = _ce_state(existing) if existing else None
    record = existing or ContinuingEducationRecord(enrolment=enrolment)
    for key, value in desired.items():
        setattr(record, key, value)
    record.save()
    audit_record("talent.ce.record", obj=record, before=before, after=_ce_state(record), actor=by,
                 division_code=tc.division_id, organisation_id=tc.institution_id)
    return record


def recognition_pack(cert: LevelCertificate) -> PolicyPack | None:
    """Recognition is the business of the province whose 职称 review scope the person falls in: their
    place of residence; the issuer's province when they live outside the five packs."""
    return pack_for_division(cert.person.division_id) or pack_for_division(cert.issuer.division_id)


def _series(person: Person) -> str:
    profile = TalentProfile.objects.filter(person=person).first()
    return profile.title_series if profile else TitleSeries.ENGINEERING


def _senior_title_reviewed(person: Person) -> bool:
    return TalentEntry.objects.filter(person=person, kind=TalentEntry.Kind.TITLE_REVIEW, status=TalentEntry.Status.ACTIVE,
                                      title=REVIEWED_SENIOR_TITLE).exists()


def _tr_state(r: TitleRecognition) -> dict:
    return {"kind": r.kind, "title": r.title, "status": r.status, "basis": r.basis, "series": r.series, "citation": r.citation}


def _withdraw(recognition: TitleRecognition, reason: str, by) -> None:
    before = _tr_state(recognition)
    recognition.status, recognition.withdrawn_at, recognition.withdrawn_reason = (
        TitleRecognition.Status.WITHDRAWN, timezone.now(), reason)
    recognition.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
    audit_record("talent.title.withdraw", obj=recognition, before=before, after=_tr_state(recognition) | {"reason": reason},
                 actor=by, division_code=recognition.person.division_id)


@transaction.atomic
def certificate_benefits_record(certificate: LevelCertificate, *, by=None) -> list[TitleRecognition]:
    """Record (or bring up to date) the title a level certificate brings, with its clause. Idempotent.
    A certificate that is no longer valid (revoked, suspended) withdraws its recognitions."""
    cert = LevelCertificate.objects.select_for_update().select_related("person", "issuer").get(pk=certificate.pk)
    existing = {r.kind: r for r in TitleRecognition.objects.select_for_update().select_related("person")
                .filter(certificate=cert).order_by("pk")}
    pack = recognition_pack(cert)
    if cert.status != LevelCertificate.Status.VALID or pack is None:
        reason = f"证书状态：{cert.get_status_display()}" + (f"（{cert.status_reason}）" if cert.status_reason else "")
        for r in existing.values():
            if r.status != TitleRecognition.Status.WITHDRAWN:
                _withdraw(r, reason if pack else "无适用的省级政策包", by)
        return list(existing.values())
    series = _series(cert.person)
    outcomes = rules.title_recognition(pack, level=cert.level, on=cert.issued_on, series=series,
                                       senior_title_reviewed=_senior_title_reviewed(cert.person))
    result = []
    for outcome in outcomes:
        if outcome.status == "none":
            continue
        desired = {"person_id": cert.person_id, "province": pack.code, "level": cert.level, "title": outcome.title,
                   "basis": outcome.basis, "series": series, "status": outcome.status, "message": outcome.message[:255],
                   "citation": outcome.citation}
        r = existing.pop(outcome.kind, None)
        if r is not None and all(getattr(r, k) == v for k, v in desired.items()):
            result.append(r)
            continue
        before = _tr_state(r) if r else None
        r = r or TitleRecognition(certificate=cert, kind=outcome.kind)
        for key, value in desired.items():
            setattr(r, key, value)
        r.recognised_on, r.withdrawn_at, r.withdrawn_reason = timezone.localdate(), None, ""
        r.save()
        audit_record("talent.title.record", obj=r, before=before, after=_tr_state(r), actor=by,
                     division_code=cert.person.division_id)
        result.append(r)
    for r in existing.values():  # e.g. Tianjin's 卓越工程师 after the review entry was withdrawn
        if r.status != TitleRecognition.Status.WITHDRAWN:
            _withdraw(r, "认定依据已不存在", by)
        result.append(r)
    return result


def _refresh_person(person: Person, by) -> None:
    for cert in LevelCertificate.objects.filter(person=person).order_by("pk"):
        certificate_benefits_record(cert, by=by)


@transaction.atomic
def talent_profile_set_series(person: Person, series: str, *, by) -> TalentProfile:
    if series not in TitleSeries.values:
        raise TalentError(_("Unknown title series: %(series)s") % {"series": series})
    profile, _unused = TalentProfile.objects.select_for_update().get_or_create(person=person)
    before = profile.title_series
    if before != series:
        profile.title_series, profile.updated_by = series, by
        profile.save()
        audit_record("talent.profile.series", obj=profile, before={"series": before}, after={"series": series},
                     division_code=person.division_id)
    _refresh_person(person, by)
    return profile


ENTRY_FIELDS = ("kind", "title", "result", "awarded_by", "awarded_on", "note")


@transaction.atomic
def talent_entry_add(person: Person, *, by, kind: str, title: str, awarded_on, result: str = "", awarded_by: str = "",
                     note: str = "") -> TalentEntry:
    title = (title or "").strip()
    if kind not in TalentEntry.Kind.values:
        raise TalentError(_("Unknown kind: %(kind)s") % {"kind": kind})
    if not title:
        raise TalentError(_("A title is required."))
    if awarded_on is None or awarded_on > timezone.localdate():
        raise TalentError(_("The date cannot be in the future."))
    entry = TalentEntry.objects.create(person=person, kind=kind, title=title, result=result.strip(), awarded_by=awarded_by.strip(),
                                       awarded_on=awarded_on, note=note.strip(), entered_by=by)
    audit_record("talent.entry.add", obj=entry, after={k: getattr(entry, k) for k in ENTRY_FIELDS}, division_code=person.division_id)
    if kind == TalentEntry.Kind.TITLE_REVIEW:
        _refresh_person(person, by)
    return entry


@transaction.atomic
def talent_entry_withdraw(entry: TalentEntry, *, by, reason: str) -> TalentEntry:
    reason = (reason or "").strip()
    if not reason:
        raise TalentError(_("A reason is required."))
    entry = TalentEntry.objects.select_for_update().select_related("person").get(pk=entry.pk)
    if entry.status == TalentEntry.Status.WITHDRAWN:
        raise TalentError(_("Already withdrawn."))
    entry.status, entry.withdrawn_reason, entry.withdrawn_by, entry.withdrawn_at = (
        TalentEntry.Status.WITHDRAWN, reason, by, timezone.now())
    entry.save(update_fields=["status", "withdrawn_reason", "withdrawn_by", "withdrawn_at"])
    audit_record("talent.entry.withdraw", obj=entry, before={"status": "active"}, after={"status": "withdrawn", "reason": reason},
                 division_code=entry.person.division_id)
    if entry.kind == TalentEntry.Kind.TITLE_REVIEW:
        _refresh_person(entry.person, by)
    return entry
