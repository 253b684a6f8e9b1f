"""Batch backfill (idempotent): continuing-education hours for every completed enrolment and the
title recognitions of every level certificate. Safe to run daily (CELERY_BEAT_SCHEDULE) or by hand."""

from __future__ import annotations

from dte.credentials.models import LevelCertificate
from dte.jobs.registry import BULK, job_handler
from dte.registry.models import Enrolment

from .models import ContinuingEducationRecord, TitleRecognition
from .services import certificate_benefits_record, continuing_education_record_for_training

BATCH = 500


def _changes(before: dict, after: dict) -> int:
    return sum(1 for key, value in after.items() if before.get(key) != value)


def backfill_continuing_education(progress, year: int | None = None, by=None) -> dict:
    """Every completed enrolment, plus every enrolment that already has a record (its basis may be gone)."""
    qs = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
    if year:
        qs = qs.filter(training_class__end_date__year=year)
    ids = set(qs.values_list("pk", flat=True))
    recorded = ContinuingEducationRecord.objects.all()
    if year:
        recorded = recorded.filter(year=year)
    ids |= set(recorded.values_list("enrolment_id", flat=True))
    before = {r.enrolment_id: (r.status, r.hours, r.year) for r in ContinuingEducationRecord.objects.filter(enrolment_id__in=ids)}
    ordered = sorted(ids)
    for done, enrolment in enumerate(Enrolment.objects.filter(pk__in=ordered).order_by("pk").iterator(chunk_size=BATCH), start=1):
        continuing_education_record_for_training(enrolment, by=by)
        progress(done, len(ordered), "继续教育学时登记")
    after = {r.enrolment_id: (r.status, r.hours, r.year) for r in ContinuingEducationRecord.objects.filter(enrolment_id__in=ids)}
    return {"enrolments": len(ordered), "changed": _changes(before, after),
            "recorded": sum(1 for s in after.values() if s[0] == ContinuingEducationRecord.Status.RECORDED)}


def backfill_title_recognition(progress, by=None) -> dict:
    certs = list(LevelCertificate.objects.order_by("pk").values_list("pk", flat=True))
    before = {(r.certificate_id, r.kind): (r.status, r.title) for r in TitleRecognition.objects.all()}
    for done, cert in enumerate(LevelCertificate.objects.filter(pk__in=certs).order_by("pk").iterator(chunk_size=BATCH), start=1):
        certificate_benefits_record(cert, by=by)
        progress(done, len(certs), "职称贯通认定")
    after = {(r.certificate_id, r.kind): (r.status, r.title) for r in TitleRecognition.objects.all()}
    return {"certificates": len(certs), "changed": _changes(before, after)}


@job_handler("talent.backfill", queue=BULK)
def backfill(job, progress) -> dict:
    year = int(job.params["year"]) if job.params.get("year") else None
    by = job.created_by if getattr(job, "created_by_id", None) else None
    result = {"continuing_education": backfill_continuing_education(progress, year, by),
              "title_recognition": backfill_title_recognition(progress, by)}
    progress(1, 1, "完成", force=True)
    return result
