"""Employment after training (晋人社厅发〔2024〕27号 五(四): 就业率达到80%及以上的按培训人数全额拨付，
达不到的按实际就业人数申领) recorded with evidence within the window the pack sets, and the
adjustment a later correction causes: a top-up line, a replacement of a line still in review,
or a recovery of what was paid."""

from __future__ import annotations

import hashlib
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dte.audit.services import audit_record
from dte.registry.models import Enrolment

from .. import facts as facts_module
from ..models import ACTIVE_STATUSES, Claim, ClaimLine, EmploymentRecord, Recovery
from ..process import period
from .claims import ClaimRefused, _line, evaluate, lock_people
from .recovery import recovery_open

EMPLOYMENT_CITATION = "晋人社厅发〔2024〕27号 五(四)"
REPLACEABLE = (ClaimLine.Status.CLAIMED, ClaimLine.Status.APPROVED, ClaimLine.Status.HELD)


def employment_record(enrolment: Enrolment, *, by, status: str, employer: str = "", employed_on: date | None = None,
                      evidence=None, evidence_kind: str = "") -> EmploymentRecord:
    """Record (or correct) one trainee's employment after training. Employed needs the employer,
    the date and the evidence (contract or social-insurance record), dated within the window."""
    k = enrolment.training_class
    if status == EmploymentRecord.Status.EMPLOYED:
        if not (employer.strip() and employed_on and evidence and evidence_kind):
            raise ClaimRefused(f"就业须填写用人单位、就业日期并上传劳动合同或社保记录（{EMPLOYMENT_CITATION}）。")
        window = period(k.division_id, "employment_evidence_window", k.start_date)
        last = window.end(k.end_date)
        if not (k.start_date <= employed_on <= last):
            raise ClaimRefused(f"就业日期须在培训开始后至 {last.isoformat()} 之间（{window.citation}）。")
    digest = ""
    if evidence is not None:
        content = evidence.read()
        evidence.seek(0)
        digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        previous = EmploymentRecord.objects.select_for_update(of=("self",)).filter(enrolment=enrolment, superseded_by__isnull=True).order_by("-pk").first()
        record = EmploymentRecord(enrolment=enrolment, status=status, employer=employer.strip()[:128], employed_on=employed_on,
                                  evidence_kind=evidence_kind, evidence_sha256=digest, supersedes=previous, recorded_by=by)
        if evidence is not None:
            record.evidence.save(getattr(evidence, "name", "evidence") or "evidence", evidence, save=False)
        record.save()
        audit_record("subsidy.employment_recorded", obj=record, after={"status": status, "corrects": previous.pk if previous else None},
                     division_code=str(k.division_id), organisation_id=k.institution_id)
    return record


def claim_adjust(training_class, *, by, today: date | None = None) -> dict:
    """Recompute the class's training-subsidy lines from today's facts and settle the difference:
    more → a top-up line in an adjustment claim; less on a line still in review → the line is
    replaced; less on a paid line → a recovery linked to its payment."""
    today = today or timezone.localdate()
    k = training_class
    province = str(k.division_id)[:2] + "0000"
    outcome = {"topped_up": 0, "replaced": 0, "recovered": 0}
    enrolments = list(k.enrolments.filter(status=Enrolment.Status.COMPLETED).select_related(
        "person", "training_class__occupation", "training_class__institution").order_by("pk"))
    with transaction.atomic():
        lock_people(e.person_id for e in enrolments)
        history = facts_module.history_for_people([e.person_id for e in enrolments], province, exclude_class_id=k.pk)
        cases = facts_module.build_cases(enrolments, history=history)
        adjustment = None
        for cf in cases:
            lines = list(ClaimLine.objects.select_for_update().filter(
                claim__training_class=k, person=cf.enrolment.person, item="training_subsidy", status__in=ACTIVE_STATUSES,
                claim__kind__in=(Claim.Kind.CLASS, Claim.Kind.ADJUSTMENT)).order_by("pk"))
            if not lines:
                continue
            recovered = Recovery.objects.filter(line__in=lines).aggregate(s=Sum("amount_fen"))["s"] or 0
            current = sum(x.amount_fen for x in lines) - recovered
            result = evaluate(cf, k, "training_subsidy", today)
            delta = result["amount"] - current
            if delta == 0:
                continue
            original = lines[0]
            if delta > 0:
                if adjustment is None:
                    stage = Claim.objects.filter(training_class=k, kind=Claim.Kind.ADJUSTMENT).count() + 1
                    adjustment = Claim.objects.create(kind=Claim.Kind.ADJUSTMENT, training_class=k, institution=k.institution,
                                                      province_id=province, stage=stage, budget_year=today.year, submitted_by=by)
                result = {**result, "amount": delta, "eligible": True}
                _line(adjustment, cf, result, "training_subsidy", today, adjusts=original).save()
                outcome["topped_up"] += 1
                continue
            replaceable = [x for x in lines if x.status in REPLACEABLE]
            if len(replaceable) == len(lines):
                ClaimLine.objects.filter(pk__in=[x.pk for x in lines]).update(status=ClaimLine.Status.SUPERSEDED)
                replacement = _line(original.claim, cf, result, "training_subsidy", today, adjusts=original)
                if replacement.status == ClaimLine.Status.CLAIMED and original.status != ClaimLine.Status.CLAIMED:
                    replacement.status = ClaimLine.Status.APPROVED
                replacement.save()
                outcome["replaced"] += 1
                continue
            paid = [x for x in lines if x.status == ClaimLine.Status.PAID]
            if len(paid) != len(lines):
                raise ClaimRefused("部分补贴正在拨付中，待银行结果导入后再调整。")
            owed = -delta
            for line in reversed(paid):
                taken = Recovery.objects.filter(line=line).aggregate(s=Sum("amount_fen"))["s"] or 0
                part = min(owed, line.amount_fen - taken)
                if part > 0:
                    recovery_open(line, by=by, amount_fen=part, hold=False, citation=EMPLOYMENT_CITATION,
                                  reason="就业情况更正后应补贴金额减少")
                    owed -= part
            outcome["recovered"] += 1
        audit_record("subsidy.claim_adjusted", obj=k, after=outcome, division_code=str(k.division_id), organisation_id=k.institution_id)
    return outcome
