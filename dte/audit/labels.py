"""What the audit trail and the job list show a person: an action or job kind as words, an object as its
kind and number, a before/after key as the field's name and a value as its label (issue 13, item 12).

Raw codes (`training.certificate.issue`, `registry.Enrolment 8`, `people_created`, `MODE_NOT_SUBSIDISED`) stay in
the database and the hash chain; only what is displayed is translated. Actions are the ones written by
`audit_record(...)` and job kinds registered with `@job_handler(...)`."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "assessment.candidate.check_in": _("Exam candidate checked in"),
    "assessment.declaration.create": _("Exam declaration submitted"),
    "assessment.declaration.admitted": _("Exam declaration admitted"),
    "assessment.declaration.voided": _("Exam declaration voided"),
    "assessment.import_scores": _("Import of exam scores"),
    "assessment.remind_chain": _("Reminders for the certificate data chain"),
    "assessment.report": _("Certificate data report"),
    "assessment.report.approved": _("Certificate data approved nationally"),
    "assessment.report.confirmed": _("Certificate data confirmed by the province"),
    "assessment.report.create": _("Certificate data report created"),
    "assessment.report.issued": _("Certificates issued from the report"),
    "assessment.report.returned": _("Certificate data report returned"),
    "assessment.result.change": _("Exam result changed"),
    "assessment.result.record": _("Exam result recorded"),
    "assessment.result.void": _("Exam result voided"),
    "assessment.session.admit": _("Candidates admitted to the exam session"),
    "assessment.session.create": _("Exam session created"),
    "assessment.session.held": _("Exam session held"),
    "assessment.session.confirmed": _("Exam session confirmed"),
    "assessment.standard.save": _("Exam standard saved"),
    "audit.checkpoint": _("Audit checkpoint"),
    "catalogue.change": _("Catalogue changed"),
    "catalogue.listing.coverage_change": _("Catalogue listing coverage changed"),
    "catalogue.listing.create": _("Institution listed in the catalogue"),
    "catalogue.listing.set_status": _("Catalogue listing status changed"),
    "catalogue.occupation.update": _("Occupation updated"),
    "catalogue.subsidy_standard.add": _("Subsidy standard added"),
    "credentials.level_certificate.issue": _("Level certificate issued"),
    "credentials.level_certificate.set_status": _("Level certificate status changed"),
    "organisations.api_token.create": _("API token created"),
    "organisations.api_token.revoke": _("API token revoked"),
    "policy.simulate": _("Policy-change simulation"),
    "registry.announcement.publish": _("Enrolment announcement published"),
    "registry.announcement.withdraw": _("Enrolment announcement withdrawn"),
    "registry.class.create": _("Training class created"),
    "registry.class_application.overdue": _("Class-opening review overdue"),
    "registry.class_application.status": _("Class-opening application status changed"),
    "registry.commitment.sign": _("Written commitment signed"),
    "registry.enrolment.confirm": _("Enrolment confirmed"),
    "registry.enrolment.create": _("Enrolment created"),
    "registry.enrolment.decline": _("Enrolment declined"),
    "registry.enrolment.withdraw": _("Enrolment withdrawn"),
    "registry.filing.change": _("Training plan filing changed"),
    "registry.filing.create": _("Training plan filing created"),
    "registry.filing.edit": _("Training plan filing edited"),
    "registry.filing.review": _("Training plan filing reviewed"),
    "registry.filing.status": _("Training plan filing status changed"),
    "registry.filing.submit": _("Training plan filing submitted"),
    "registry.announcement.create": _("Enrolment announcement drafted"),
    "registry.import": _("Roster import"),
    "registry.import.commit": _("Roster import committed"),
    "registry.import_commit": _("Roster import: saving the rows"),
    "registry.import_validate": _("Roster import: checking the rows"),
    "registry.person.register": _("Person registered"),
    "registry.person.self_register": _("Person registered themselves"),
    "registry.plan.change": _("Annual plan changed"),
    "registry.plan.create": _("Annual plan created"),
    "registry.quota.change": _("Quota changed"),
    "registry.quota.create": _("Quota created"),
    "registry.remind_overdue": _("Reminders for overdue reviews"),
    "registry.roster.import": _("Roster imported"),
    "subsidy.bank_result_imported": _("Bank payment results imported"),
    "subsidy.batch_created": _("Payment batch created"),
    "subsidy.batch_submitted": _("Payment batch submitted"),
    "subsidy.budget_set": _("Budget set"),
    "subsidy.claim_adjusted": _("Subsidy claim adjusted"),
    "subsidy.claim_approved": _("Subsidy claim approved"),
    "subsidy.claim_authorised": _("Subsidy claim authorised"),
    "subsidy.claim_released": _("Subsidy claim released for payment"),
    "subsidy.claim_resubmitted": _("Subsidy claim resubmitted"),
    "subsidy.claim_returned": _("Subsidy claim returned"),
    "subsidy.claim_submitted": _("Subsidy claim submitted"),
    "subsidy.employment_recorded": _("Employment recorded"),
    "subsidy.institution_sanctioned": _("Institution sanctioned"),
    "subsidy.objection_opened": _("Objection raised during publicity"),
    "subsidy.objection_resolved": _("Objection resolved"),
    "subsidy.onward_confirmed": _("Onward payment confirmed"),
    "subsidy.onward_recorded": _("Onward payment recorded"),
    "subsidy.recovery_opened": _("Recovery of funds opened"),
    "subsidy.recovery_repaid": _("Recovered funds repaid"),
    "supervision.complaint.link": _("Complaint linked"),
    "supervision.complaint.reply": _("Complaint answered"),
    "supervision.complaint.set_status": _("Complaint status changed"),
    "supervision.complaint.submit": _("Complaint submitted"),
    "supervision.evaluation.open": _("Third-party evaluation opened"),
    "supervision.evaluation.release": _("Third-party evaluation released"),
    "supervision.evaluation.score": _("Third-party evaluation scored"),
    "supervision.finding.record": _("Inspection finding recorded"),
    "supervision.follow_up.add": _("Follow-up added"),
    "supervision.follow_up.done": _("Follow-up completed"),
    "supervision.inspection.open": _("Inspection opened"),
    "supervision.inspection.set_status": _("Inspection status changed"),
    "supervision.notify_deadlines": _("Deadline reminders"),
    "supervision.sample.draw": _("Spot-check sample drawn"),
    "supervision.sanction.impose": _("Sanction imposed"),
    "supervision.signal.dismiss": _("Risk signal dismissed"),
    "talent.backfill": _("Talent pool filled from past records"),
    "talent.ce.record": _("Continuing-education hours recorded"),
    "talent.ce.withdraw": _("Continuing-education hours withdrawn"),
    "talent.completion_decision": _("Completion recorded in the talent pool"),
    "talent.entry.add": _("Talent pool entry added"),
    "talent.entry.withdraw": _("Talent pool entry withdrawn"),
    "talent.level_certificate_status": _("Level certificate status in the talent pool"),
    "talent.pool.export": _("Talent pool exported"),
    "talent.profile.series": _("Title series set"),
    "talent.title.record": _("Title recognition recorded"),
    "talent.title.withdraw": _("Title recognition withdrawn"),
    "talent.training_certificate": _("Training certificate in the talent pool"),
    "training.assessment.record": _("Completion assessment recorded"),
    "training.attendance.correct": _("Attendance corrected"),
    "training.certificate.issue": _("Training certificate issued"),
    "training.certificate.revoke": _("Training certificate revoked"),
    "training.certificate.settings": _("Certificate settings saved"),
    "training.completion.decide": _("Completion decided"),
    "training.enrolment.status": _("Trainee status changed"),
    "training.evidence.attach": _("Evidence attached"),
    "training.online_time.push": _("Online learning time received"),
    "training.remind_reports": _("Reminders for 30-day reports"),
    "training.report.overdue": _("30-day report overdue"),
    "training.report.submit": _("30-day report submitted"),
    "training.schedule.confirm": _("Schedule confirmed"),
    "training.session.close": _("Session closed"),
    "training.session.delete": _("Session deleted"),
    "training.session.save": _("Session saved"),
    "training.venue.save": _("Venue saved"),
    "web.login.locked": _("Sign-in locked"),
    "web.mfa.enrolled": _("Second sign-in step set up"),
    "web.mfa.failed": _("Second sign-in step failed"),
    "web.mfa.recovery_code_used": _("Recovery code used"),
    "web.mfa.recovery_codes": _("Recovery codes generated"),
    "assessment.report.reported": _("Certificate data reported to the province"),
}

# keys of before/after that are not a field of the object's model (or read better with their own name)
KEY_LABELS = {
    "accepted": _("accepted"),
    "action": _("action"),
    "admitted": _("admitted"),
    "amount_fen": _("amount"),
    "attendance": _("attendance"),
    "awarded_by": _("awarded by"),
    "awarded_on": _("awarded on"),
    "basis": _("basis"),
    "capacity": _("capacity"),
    "category": _("category"),
    "centre": _("exam centre"),
    "certificate": _("certificate"),
    "channel": _("channel"),
    "citation": _("citation"),
    "class": _("training class"),
    "class_status": _("class status"),
    "completed": _("completed"),
    "compliance": _("compliance"),
    "conclusion": _("conclusion"),
    "coverage": _("coverage"),
    "date": _("date"),
    "delivery": _("delivery"),
    "document": _("document"),
    "drawn": _("drawn"),
    "due": _("due"),
    "due_on": _("due on"),
    "eligible": _("eligible"),
    "ends_at": _("ends at"),
    "evidence": _("evidence"),
    "failed": _("failed"),
    "fee_fen": _("fee"),
    "hours": _("hours"),
    "identity_checked": _("identity checked"),
    "incident": _("incident"),
    "institution": _("institution"),
    "issued_on": _("issued on"),
    "key_id": _("signing key"),
    "kind": _("kind"),
    "lines": _("lines"),
    "makeup_for": _("make-up for"),
    "method": _("method"),
    "national_comment": _("national comment"),
    "national_decided_on": _("national decision date"),
    "national_entered_at": _("national decision entered at"),
    "national_entered_by": _("national decision entered by"),
    "national_reference": _("national reference"),
    "note": _("note"),
    "numbers": _("numbers"),
    "on_time": _("on time"),
    "online": _("online"),
    "pass_mark": _("pass mark"),
    "pass_rate": _("pass rate"),
    "passed": _("passed"),
    "pending_consent": _("waiting for consent"),
    "person": _("person"),
    "planned_on": _("planned on"),
    "platform": _("platform"),
    "polygon": _("geofence"),
    "population": _("population"),
    "practical_score": _("practical score"),
    "province_comment": _("province comment"),
    "province_decided_by": _("province decided by"),
    "province_decided_on": _("province decision date"),
    "publicity_until": _("publicity until"),
    "qr": _("QR code"),
    "quota": _("quota"),
    "quotas": _("quotas"),
    "radius_m": _("radius (m)"),
    "reason": _("reason"),
    "reasons": _("reasons"),
    "refused": _("refused check-ins"),
    "result": _("result"),
    "review_due_on": _("review due on"),
    "score": _("score"),
    "scores": _("scores"),
    "seed": _("seed"),
    "series": _("series"),
    "severity": _("severity"),
    "sha256": _("SHA-256"),
    "signal": _("risk signal"),
    "size": _("size"),
    "source": _("source"),
    "start": _("start"),
    "starts_at": _("starts at"),
    "status": _("status"),
    "status_changed_on": _("status changed on"),
    "submitted": _("submitted"),
    "taken": _("taken"),
    "teacher": _("teacher"),
    "teaching": _("teaching"),
    "text": _("text"),
    "theory_score": _("theory score"),
    "title": _("title"),
    "total": _("total"),
    "total_fen": _("total"),
    "venue": _("venue"),
    "via": _("via"),
    "visible": _("visible"),
    "year": _("year"),
}


def action_label(code: str) -> str:
    """An audit action or a job kind in words; an unknown code is named by its app, never shown raw."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    area = AREA_LABELS.get(code.split(".", 1)[0])
    return str(_("Action in %(app)s") % {"app": area}) if area else str(_("Other action"))


def _model(object_type: str):
    from django.apps import apps

    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def object_label(object_type: str, object_id) -> str:
    """`registry.Enrolment` 8 → 报名 #8 (the model's own verbose name)."""
    if not object_type:
        return ""
    model = _model(object_type)
    name = gettext(str(model._meta.verbose_name)) if model is not None else str(_("record"))
    return f"{name} #{object_id}" if object_id not in (None, "") else name


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except Exception:  # FieldDoesNotExist, or a reverse relation
        return None


def key_label(object_type: str, key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    field = _field(_model(object_type), key)
    if field is not None and getattr(field, "verbose_name", None):
        return gettext(str(field.verbose_name))
    return key


def actor_label(label: str) -> str:
    """Who acted: a username as it is; the platform itself or an anonymous visitor in words."""
    return {"system": str(_("the platform")), "anonymous": str(_("anonymous visitor"))}.get(label, label)


@lru_cache(maxsize=8)
def _choice_labels(language: str) -> dict[str, str]:
    """Every choice value of every model → its label in `language`."""
    from django.apps import apps


    found: dict[str, Counter] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and value:
                    found.setdefault(value, Counter())[str(label).lower()] += 1
    # where models word one value differently (approved: 已通过 / 已批准), the commonest wording is shown;
    # the object's own field, when the key names one, was already preferred by value_label
    return {value: labels.most_common(1)[0][0] for value, labels in found.items()}


def value_label(object_type: str, key: str, value):
    """A before/after value as a person reads it: a choice's label, a reason code's title, a local time."""
    if not isinstance(value, str) or not value:
        return value
    field = _field(_model(object_type), key)
    for choice, label in getattr(field, "flatchoices", None) or []:
        if choice == value:
            return str(label)
    import re

    if re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", value):
        from dte.policy.reasons import reason_title

        return reason_title(value)
    if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?", value):
        from django.utils import timezone
        from django.utils.dateparse import parse_datetime

        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                return f"{moment:%Y-%m-%d %H:%M}"
            return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    if value in VALUE_LABELS:
        return str(VALUE_LABELS[value])

    labels = _choice_labels(get_language() or "")
    if value in labels:
        return labels[value]
    return value


def data_rows(object_type: str, data) -> list[tuple[str, object]] | None:
    """before/after as [(label, value)], values already labelled; nested mappings and lists labelled too."""
    if not isinstance(data, dict):
        return None

    def flat(key, value) -> str:
        if value is None:
            return "—"
        if value is True:
            return "✓"
        if value is False:
            return "✗"
        if isinstance(value, dict):
            return "；".join(f"{key_label(object_type, k)}: {flat(k, v)}" for k, v in value.items()) or "—"
        if isinstance(value, (list, tuple)):
            return "、".join(flat(key, v) for v in value) or "—"
        return str(value_label(object_type, key, value))

    def shown(key, value):
        if isinstance(value, dict):
            return {key_label(object_type, k): flat(k, v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [flat(key, v) for v in value]
        return value_label(object_type, key, value)

    return [(key_label(object_type, key), shown(key, value)) for key, value in data.items()]


def action_areas() -> list[tuple[str, str]]:
    """[(app label, its name)] for the audit page's filter: one chooses an area, never types a code."""
    return [(label, str(name)) for label, name in AREA_LABELS.items()]


AREA_LABELS = {
    "registry": _("Registry and enrolment"), "training": _("Training delivery"), "assessment": _("Level exams"),
    "credentials": _("Level certificates"), "subsidy": _("Subsidies"), "supervision": _("Supervision"),
    "talent": _("Talent pool"), "catalogue": _("Catalogues"), "policy": _("Policy packs"),
    "organisations": _("Organisations and accounts"), "web": _("Sign-in"), "audit": _("Audit trail"),
}


# models whose verbose_name is plain English (no gettext): their names for the audit page
MODEL_NAMES = (
    gettext_noop("api token"),
    gettext_noop("listing coverage"),
    gettext_noop("listing adjustment"),
    gettext_noop("class schedule"),
    gettext_noop("attendance"),
    gettext_noop("check in attempt"),
    gettext_noop("attendance flag"),
    gettext_noop("excuse"),
    gettext_noop("attendance correction"),
    gettext_noop("session evidence"),
    gettext_noop("completion assessment"),
    gettext_noop("completion decision"),
    gettext_noop("certificate settings"),
    gettext_noop("training certificate"),
    gettext_noop("training report"),
    gettext_noop("certificate report line"),
    gettext_noop("score import"),
    gettext_noop("signing key"),
    gettext_noop("verification log"),
    gettext_noop("talent profile"),
    gettext_noop("continuing education record"),
    gettext_noop("talent entry"),
    gettext_noop("title recognition"),
    gettext_noop("budget"),
    gettext_noop("employment record"),
    gettext_noop("claim"),
    gettext_noop("claim line"),
    gettext_noop("objection"),
    gettext_noop("payment batch"),
    gettext_noop("payment item"),
    gettext_noop("bank result import"),
    gettext_noop("onward payment"),
    gettext_noop("recovery"),
    gettext_noop("ledger transaction"),
    gettext_noop("ledger entry"),
    gettext_noop("complaint reply"),
    gettext_noop("finding"),
    gettext_noop("follow up"),
    gettext_noop("sanction"),
    gettext_noop("signal review"),
    gettext_noop("notification"),
    gettext_noop("institution evaluation"),
)


# values written by services that are no model choice (title-recognition basis, outcomes)
VALUE_LABELS = {
    "direct": _("recognised directly"), "title_review": _("through title review"), "may_apply": _("may apply"),
    "after_review": _("after review"), "follow_up": _("follow-up"), "self": _("self-registration"),
}
