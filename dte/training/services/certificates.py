"""培训合格证书: numbering with a check digit, preview, batch issue with a frozen JSON snapshot
and PDF (both hashed, never re-rendered), public verification data, revocation."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from dte.catalogue.selectors import institution_bar_reason
from dte.audit.services import audit_record
from dte.catalogue.models import InstitutionListing, Level
from dte.registry.models import Enrolment

from .. import rules
from ..models import CertificateCounter, CertificateSettings, CompletionDecision, TrainingCertificate
from .schedule import TrainingError

LISTING_CITATION = "津人社办发〔2022〕94号 附件1 注2：培训机构名称应与人力资源社会保障部公布目录中名称一致"
_FIELD = re.compile(r"\{(\w+)(?::[^}]*)?\}")
PATTERN_FIELDS = {"year", "inst", "seq"}


def settings_for(institution) -> CertificateSettings:
    return CertificateSettings.objects.get_or_create(institution=institution)[0]


SETTINGS_FIELDS = ("number_pattern", "check_scheme", "title", "body")


def certificate_settings_save(institution, *, by, **changes) -> CertificateSettings:
    """Change how the institution numbers and words its training certificates (moved out of the view,
    issue 13 item 16): the same permission as issuing, and every change in the audit trail."""
    from django.core.exceptions import PermissionDenied

    from dte.organisations.permissions import require_permission

    unknown = sorted(set(changes) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValueError(f"not a certificate setting: {', '.join(unknown)}")
    with transaction.atomic():
        cfg = CertificateSettings.objects.select_for_update().get(pk=settings_for(institution).pk)
        require_permission(by, "training.certificate.issue")
        if by is not None and not by.is_platform_admin and by.organisation_id != institution.pk:
            raise PermissionDenied("only the institution's own staff set its certificates")
        before, after = {}, {}
        for name, value in changes.items():
            if getattr(cfg, name) != value:
                before[name], after[name] = getattr(cfg, name), value
                setattr(cfg, name, value)
        if after:
            cfg.save()
            audit_record("training.certificate.settings", obj=cfg, before=before, after=after,
                         division_code=institution.division_id, organisation_id=institution.pk)
    return cfg


def number_base(pattern: str, *, year: int, inst: int, seq: int) -> str:
    unknown = set(_FIELD.findall(pattern)) - PATTERN_FIELDS
    if unknown:
        raise TrainingError(f"编号格式含未知字段 {', '.join(sorted(unknown))}（可用 year、inst、seq）")
    try:
        base = pattern.format(year=year, inst=inst, seq=seq)
    except (ValueError, KeyError, IndexError) as error:
        raise TrainingError(_("Invalid number pattern: %(error)s") % {"error": error}) from None
    if not base.isdigit() or "{seq" not in pattern:
        raise TrainingError(_("The number pattern must yield digits only and contain {seq}"))
    return base


def check_character(base: str, scheme: str) -> str:
    if scheme == CertificateSettings.CheckScheme.LUHN:
        return luhn.calc_check_digit(base)
    return mod_11_2.calc_check_digit(base)


def number_is_valid(number: str, scheme: str = CertificateSettings.CheckScheme.MOD11_2) -> bool:
    if len(number) < 2:
        return False
    return check_character(number[:-1], scheme) == number[-1].upper()


def _next_number(institution, cfg: CertificateSettings, year: int) -> str:
    CertificateCounter.objects.get_or_create(institution=institution, year=year)
    counter = CertificateCounter.objects.select_for_update().get(institution=institution, year=year)
    while True:
        counter.last += 1
        base = number_base(cfg.number_pattern, year=year, inst=institution.pk, seq=counter.last)
        number = base + check_character(base, cfg.check_scheme)
        if not TrainingCertificate.objects.filter(number=number).exists():
            counter.save(update_fields=["last"])
            return number


def catalogue_name(training_class) -> str | None:
    """The institution's name as listed in the province's training-institution catalogue."""
    listing = (InstitutionListing.objects.select_related("organisation")
               .filter(organisation_id=training_class.institution_id, kind=InstitutionListing.Kind.TRAINING,
                       province_id=str(training_class.division_id)[:2] + "0000", status=InstitutionListing.Status.LISTED)
               .first())
    return listing.organisation.name if listing else None


def verify_url(token: str) -> str:
    """The unified public verification page (dte.credentials) by the certificate's random token:
    a sequential number alone never answers (number plus the holder's name, or the token)."""
    from dte.credentials.links import verify_url as public_verify_url

    return public_verify_url(token)


def _facts(enrolment: Enrolment, decision: CompletionDecision, institution_name: str, cfg: CertificateSettings, issued_on: date) -> dict:
    tc = enrolment.training_class
    hours = decision.summary.get("hours", {}).get("total", "0")
    facts = {
        "title": cfg.title,
        "name": enrolment.person.name,
        "id_masked": enrolment.person.masked_id_number,
        "occupation": tc.occupation.name,
        "occupation_code": tc.occupation.code,
        "direction": tc.direction,
        "level": tc.level,
        "level_label": str(Level(tc.level).label),
        "start": tc.start_date.isoformat(),
        "end": tc.end_date.isoformat(),
        "hours": hours,
        "institution": institution_name,
        "class_title": tc.title,
        "issued_on": issued_on.isoformat(),
    }
    try:
        facts["text"] = cfg.body.format(name=facts["name"], start=facts["start"], end=facts["end"], occupation=facts["occupation"],
                                        direction=facts["direction"] or "—", level=facts["level_label"], hours=hours,
                                        institution=institution_name)
    except (KeyError, IndexError, ValueError) as error:
        raise TrainingError(_("Invalid certificate text: %(error)s") % {"error": error}) from None
    return facts


def _forbidden(training_class, facts: dict) -> list[str]:
    text = " ".join(str(facts[k]) for k in ("title", "text", "occupation", "direction", "institution", "class_title"))
    return [f"“{word}”（{citation}）" for word, citation in rules.forbidden_words_in(training_class, text)]


def _candidates(training_class, enrolment_ids=None):
    qs = (training_class.enrolments.filter(status=Enrolment.Status.COMPLETED, completion_decision__completed=True)
          .exclude(training_certificates__status=TrainingCertificate.Status.VALID)
          .select_related("person", "completion_decision", "training_class__occupation").order_by("person__name", "pk"))
    if enrolment_ids is not None:
        qs = qs.filter(pk__in=enrolment_ids)
    return list(qs)


def certificate_preview(training_class, enrolment_ids=None, *, issued_on: date | None = None) -> dict:
    """What would be issued, with the problems that would refuse the batch."""
    issued_on = issued_on or timezone.localdate()
    cfg = settings_for(training_class.institution)
    name = catalogue_name(training_class)
    problems = []
    if name is None:
        problems.append(f"本机构不在本省培训机构目录中（{LISTING_CITATION}）")
        name = training_class.institution.name
    rows = [_facts(e, e.completion_decision, name, cfg, issued_on) | {"enrolment_id": e.pk}
            for e in _candidates(training_class, enrolment_ids)]
    words = sorted({w for row in rows for w in _forbidden(training_class, row)})
    if words:
        problems.append("证书不得使用字样：" + "、".join(words))
    try:
        number_base(cfg.number_pattern, year=issued_on.year, inst=training_class.institution_id, seq=1)
    except TrainingError as error:
        problems.append(str(error))
    return {"rows": rows, "problems": problems, "settings": cfg}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(snapshot: dict) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@transaction.atomic
def certificates_issue(training_class, *, by, enrolment_ids=None, issued_on: date | None = None) -> list[TrainingCertificate]:
    """Issue to the completed trainees (after a preview). The whole batch is refused on any problem."""
    from dte.organisations.permissions import require_permission

    from ..pdf import certificate_pdf

    require_permission(by, "training.certificate.issue", training_class)
    if barred := institution_bar_reason(training_class.institution, "training"):
        raise TrainingError(barred)

    issued_on = issued_on or timezone.localdate()
    preview = certificate_preview(training_class, enrolment_ids, issued_on=issued_on)
    if preview["problems"]:
        raise TrainingError("；".join(preview["problems"]))
    if not preview["rows"]:
        raise TrainingError(_("Nobody to certify."))
    cfg = preview["settings"]
    enrolments = {e.pk: e for e in Enrolment.objects.select_for_update().filter(pk__in=[r["enrolment_id"] for r in preview["rows"]]).order_by("pk")}
    issued = []
    for row in preview["rows"]:
        number, token = _next_number(training_class.institution, cfg, issued_on.year), secrets.token_urlsafe(24)
        snapshot = {k: v for k, v in row.items() if k != "enrolment_id"} | {"number": number, "verify_url": verify_url(token)}
        pdf_bytes = certificate_pdf(snapshot)
        cert = TrainingCertificate(number=number, verify_token=token, enrolment=enrolments[row["enrolment_id"]], snapshot=snapshot,
                                   snapshot_sha256=_sha(_canonical(snapshot)), pdf_sha256=_sha(pdf_bytes),
                                   issued_on=issued_on, issued_by=by)
        cert.pdf.save(f"{number}.pdf", ContentFile(pdf_bytes), save=False)
        cert.save()
        issued.append(cert)
    audit_record("training.certificate.issue", obj=training_class, after={"numbers": [c.number for c in issued]},
                 division_code=training_class.division_id, organisation_id=training_class.institution_id)
    return issued


class IntegrityFailure(RuntimeError):
    pass


def certificate_bytes(cert: TrainingCertificate) -> bytes:
    """The stored PDF exactly as issued; refuses to serve bytes whose hash has changed."""
    with cert.pdf.storage.open(cert.pdf.name, "rb") as handle:
        data = handle.read()
    if _sha(data) != cert.pdf_sha256:
        raise IntegrityFailure(_("Certificate file %(number)s does not match its hash") % {"number": cert.number})
    return data


def snapshot_intact(cert: TrainingCertificate) -> bool:
    return _sha(_canonical(cert.snapshot)) == cert.snapshot_sha256


@transaction.atomic
def certificate_revoke(cert: TrainingCertificate, *, by, reason: str) -> TrainingCertificate:
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(_("A revocation needs a reason."))
    cert = TrainingCertificate.objects.select_for_update().get(pk=cert.pk)
    if cert.status == TrainingCertificate.Status.REVOKED:
        raise TrainingError(_("Already revoked."))
    cert.status, cert.revoked_reason, cert.revoked_by, cert.revoked_at = (
        TrainingCertificate.Status.REVOKED, reason, by, timezone.now())
    cert.save(update_fields=["status", "revoked_reason", "revoked_by", "revoked_at"])
    tc = cert.enrolment.training_class
    audit_record("training.certificate.revoke", obj=cert, before={"status": "valid"}, after={"status": "revoked", "reason": reason},
                 division_code=tc.division_id, organisation_id=tc.institution_id)
    from dte.credentials.verification import forget_cached

    forget_cached(training=cert)
    transaction.on_commit(lambda: forget_cached(training=cert))
    return cert


def certificate_public(number: str | None = None, *, token: str | None = None, pdf_sha256: str | None = None) -> dict | None:
    """Non-sensitive facts for the public verification (dte.credentials.verification), found by number,
    QR token or the SHA-256 of an uploaded PDF. The caller checks the holder's name for a number lookup."""
    lookup = {"number": number} if number else {"verify_token": token} if token else {"pdf_sha256": pdf_sha256} if pdf_sha256 else None
    cert = TrainingCertificate.objects.filter(**lookup).first() if lookup else None
    if cert is None:
        return None
    s = cert.snapshot
    return {"number": cert.number, "token": cert.verify_token, "name": s["name"], "id_masked": s["id_masked"], "occupation": s["occupation"],
            "direction": s["direction"], "level": s["level_label"], "start": s["start"], "end": s["end"], "hours": s["hours"],
            "institution": s["institution"], "issued_on": s["issued_on"], "status": cert.status,
            "revoked_at": cert.revoked_at, "valid": cert.status == TrainingCertificate.Status.VALID and snapshot_intact(cert)}
