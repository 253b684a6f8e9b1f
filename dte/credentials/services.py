"""Issuing level certificates (专业技术等级证书) in batches, and their status.

Sources:
- issue by the evaluation institution within 30 days after the national review approves
  (晋人社厅发〔2024〕27号 四(三); 广西人社厅通知（2023-09-19） 三(三)); the data chain up to the approval is
  dte.assessment's, which calls `level_certificates_issue` at its end;
- forbidden words on certificates (广西人社厅通知（2023-09-19） 五(二)), checked on the template and the
  rendered text with the same pack rule as training certificates (PolicyPack.find_forbidden_certificate_words);
- issuer name as listed in the evaluation-institution catalogue on the issue date
  (津人社办发〔2022〕94号 附件1 注2 for the name-in-catalogue rule; the listing history is dte.catalogue's).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_11_2

from dte.audit.services import audit_record
from dte.catalogue.models import InstitutionListing, Level, ListingAdjustment
from dte.catalogue.selectors import listing_status_on, province_of
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.policy.packs.base import PolicyPack
from dte.policy.services import pack_for_division

from . import signing
from .models import LevelCertificate, LevelCertificateCounter
from .links import verify_url

TITLE = "专业技术等级证书"
BODY = "{name}于{exam_date}参加{occupation}{direction}{level}专业技术等级考核，理论知识和专业能力考核均合格，特发此证。"
SCHEMA = "dte.level-certificate/1"
FORBIDDEN_CITATION = "广西人社厅通知（2023-09-19） 五(二)"
ISSUE_CITATION = "晋人社厅发〔2024〕27号 四(三)；广西人社厅通知（2023-09-19） 三(三)"
CATALOGUE_CITATION = "津人社办发〔2022〕94号 附件1 注2（机构名称应与人力资源社会保障部公布目录中名称一致）"

Status = LevelCertificate.Status
TRANSITIONS = {
    Status.VALID: {Status.SUSPENDED, Status.REVOKED},
    Status.SUSPENDED: {Status.VALID, Status.REVOKED},
    Status.REVOKED: set(),
}
STATUS_ROLES = {Role.EVALUATION_STAFF, Role.PROVINCE_OFFICER}


class CredentialError(ValueError):
    pass


@dataclass(frozen=True)
class LevelCertificateRequest:
    person: object  # registry.Person
    occupation: object  # catalogue.Occupation
    level: str
    direction: str
    issuer: Organisation
    exam_date: date
    national_reference: str = ""
    source_label: str = ""


def number_for(issuer: Organisation, year: int, seq: int) -> str:
    """Year, province, issuer and sequence, then an ISO 7064 MOD 11-2 check character (as GB 11643)."""
    base = f"{year:04d}{str(issuer.division_id)[:2]}{issuer.pk:05d}{seq:06d}"
    return base + mod_11_2.calc_check_digit(base)


def number_is_valid(number: str) -> bool:
    number = (number or "").strip().upper()
    return len(number) == 18 and number[:-1].isdigit() and mod_11_2.calc_check_digit(number[:-1]) == number[-1]


def _next_number(issuer: Organisation, year: int) -> str:
    LevelCertificateCounter.objects.get_or_create(issuer=issuer, year=year)
    counter = LevelCertificateCounter.objects.select_for_update().get(issuer=issuer, year=year)
    while True:
        counter.last += 1
        number = number_for(issuer, year, counter.last)
        if not LevelCertificate.objects.filter(number=number).exists():
            counter.save(update_fields=["last"])
            return number


def issuer_catalogue_name(issuer: Organisation, on: date) -> tuple[str | None, str]:
    """(name as listed on `on`, problem). The catalogue keeps its history in ListingAdjustment; an
    adjustment whose detail carries a "name" renames the listed institution from its effective date."""
    province = province_of(issuer)
    listing = InstitutionListing.objects.filter(organisation=issuer, kind=InstitutionListing.Kind.EVALUATION,
                                                province=province).first() if province else None
    if listing is None:
        return None, f"{issuer.name} 不在本省评价机构目录中（{CATALOGUE_CITATION}）"
    if listing_status_on(listing, on) != InstitutionListing.Status.LISTED:
        return None, f"{issuer.name} 在 {on} 不是目录内有效机构（{CATALOGUE_CITATION}）"
    name = issuer.name
    for adjustment in ListingAdjustment.objects.filter(listing=listing, effective_on__lte=on).order_by("effective_on", "at", "pk"):
        if isinstance(adjustment.detail, dict) and adjustment.detail.get("name"):
            name = adjustment.detail["name"]
    return name, ""


def pack_for_issuer(issuer: Organisation) -> PolicyPack:
    return pack_for_division(issuer.division_id) or PolicyPack()


def forbidden_words(issuer: Organisation, text: str, on: date) -> list[str]:
    return [f"“{word}”（{citation}）" for word, citation in pack_for_issuer(issuer).find_forbidden_certificate_words(text, on)]


def _snapshot(request: LevelCertificateRequest, *, number: str, token: str, issuer_name: str, issued_on: date, kid: str) -> dict:
    person, occupation = request.person, request.occupation
    level_label = str(Level(request.level).label)
    return {
        "schema": SCHEMA,
        "title": TITLE,
        "number": number,
        "text": _body(person.name, request, level_label),
        "holder": {"name": person.name, "id_masked": person.masked_id_number},
        "occupation": {"code": occupation.code, "name": occupation.name},
        "direction": request.direction or "",
        "level": request.level,
        "level_label": level_label,
        "issuer": {"id": request.issuer.pk, "name": issuer_name},
        "exam_date": request.exam_date.isoformat(),
        "issued_on": issued_on.isoformat(),
        "national_reference": request.national_reference or "",
        "source": request.source_label or "",
        "verify_url": verify_url(token),
        "key_id": kid,
    }


def _body(name: str, request: LevelCertificateRequest, level_label: str) -> str:
    direction = f"（{request.direction}方向）" if request.direction else ""
    return BODY.format(name=name, exam_date=request.exam_date.isoformat(), occupation=request.occupation.name,
                       direction=direction, level=level_label.split(" ")[0])


def _may_issue(by, issuer: Organisation) -> bool:
    return bool(by and (by.is_platform_admin or (by.role == Role.EVALUATION_STAFF and by.organisation_id == issuer.pk)))


def level_certificates_preview(requests, *, by, issued_on: date | None = None) -> list[str]:
    """The problems that would refuse the batch (empty = it can be issued)."""
    issued_on = issued_on or timezone.localdate()
    problems, seen = [], set()
    for index, r in enumerate(requests, start=1):
        where = f"第{index}条（{getattr(r.person, 'name', '?')}）"
        if r.issuer.kind != Organisation.Kind.EVALUATION_INSTITUTION:
            problems.append(f"{where}：{r.issuer.name} 不是评价机构")
        if not _may_issue(by, r.issuer):
            problems.append(where + "：" + _("only the issuing evaluation institution may issue"))
        if r.level not in Level.values:
            problems.append(f"{where}：等级无效 {r.level}")
            continue
        if r.occupation.directions and r.direction and r.direction not in r.occupation.directions:
            problems.append(f"{where}：方向“{r.direction}”不属于该职业")
        if r.exam_date > issued_on:
            problems.append(f"{where}：考核日期晚于发证日期")
        key = (r.person.pk, r.occupation.pk, r.level, r.direction or "")
        if key in seen or LevelCertificate.objects.filter(person=r.person, occupation=r.occupation, level=r.level,
                                                          direction=r.direction or "").exclude(status=Status.REVOKED).exists():
            problems.append(f"{where}：已持有该职业该等级的证书")
        seen.add(key)
        name, problem = issuer_catalogue_name(r.issuer, issued_on)
        if problem:
            problems.append(f"{where}：{problem}")
        text = " ".join([TITLE, BODY, _body(r.person.name, r, str(Level(r.level).label)), name or "", r.occupation.name, r.direction or ""])
        words = forbidden_words(r.issuer, text, issued_on)
        if words:
            problems.append(f"{where}：证书不得使用字样 " + "、".join(words))
    return list(dict.fromkeys(problems))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def level_certificates_issue(requests, *, by, issued_on: date | None = None) -> list[LevelCertificate]:
    """Issue a batch; the whole batch is refused on any problem. Audited once per batch."""
    from .pdf import level_certificate_pdf

    requests = list(requests)
    issued_on = issued_on or timezone.localdate()
    if not requests:
        raise CredentialError(_("Nothing to issue."))
    problems = level_certificates_preview(requests, by=by, issued_on=issued_on)
    if problems:
        raise CredentialError("；".join(problems))
    kid, _unused = signing.active_key()
    issued = []
    for r in requests:
        number, token = _next_number(r.issuer, issued_on.year), secrets.token_urlsafe(24)
        issuer_name, _unused = issuer_catalogue_name(r.issuer, issued_on)
        snapshot = _snapshot(r, number=number, token=token, issuer_name=issuer_name, issued_on=issued_on, kid=kid)
        pdf_bytes = level_certificate_pdf(snapshot)
        digest = hashlib.sha256(pdf_bytes)
        _unused, pdf_signature = signing.sign(digest.digest())
        cert = LevelCertificate(
            number=number, token=token, person=r.person, occupation=r.occupation, level=r.level, direction=r.direction or "",
            issuer=r.issuer, issuer_name=issuer_name, exam_date=r.exam_date, national_reference=r.national_reference or "",
            source_label=r.source_label or "", issued_on=issued_on, issued_by=by, snapshot=snapshot,
            snapshot_sha256=_sha(signing.canonical(snapshot)), key_id=kid, signature=signing.sign_document(snapshot),
            pdf_sha256=digest.hexdigest(), pdf_signature=pdf_signature,
        )
        cert.pdf.save(f"{number}.pdf", ContentFile(pdf_bytes), save=False)
        cert.save()
        issued.append(cert)
    first = requests[0].issuer
    audit_record("credentials.level_certificate.issue", obj=issued[0],
                 after={"numbers": [c.number for c in issued], "key_id": kid, "basis": ISSUE_CITATION},
                 division_code=first.division_id, organisation_id=first.pk)
    from dte.talent.services import certificate_benefits_record  # title recognition (issue 9 part 7, dte/talent)

    for cert in issued:
        certificate_benefits_record(cert, by=by)
    return issued


def may_change_status(user, cert: LevelCertificate) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if not (user.is_platform_admin or user.role in STATUS_ROLES):
        return False
    return scoped(user, LevelCertificate.objects.filter(pk=cert.pk), write=True).exists()


@transaction.atomic
def level_certificate_set_status(cert: LevelCertificate, new: str, *, by, reason: str) -> LevelCertificate:
    """Suspend, restore or revoke (never delete). Issuing institution or province officer; reason required."""
    from .verification import forget_cached

    reason = (reason or "").strip()
    if not reason:
        raise CredentialError(_("A reason is required."))
    if new not in Status.values:
        raise CredentialError(_("Unknown status %(status)s") % {"status": new})
    if not may_change_status(by, cert):
        raise CredentialError(_("Not allowed to change this certificate."))
    cert = LevelCertificate.objects.select_for_update().get(pk=cert.pk)
    if new not in TRANSITIONS[cert.status]:
        raise CredentialError(_("Cannot change from “%(old)s” to “%(new)s”") % {"old": Status(cert.status).label, "new": Status(new).label})
    before = {"status": cert.status, "reason": cert.status_reason}
    cert.status, cert.status_reason, cert.status_changed_at, cert.status_changed_by = new, reason, timezone.now(), by
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
    audit_record("credentials.level_certificate.set_status", obj=cert, before=before, after={"status": new, "reason": reason},
                 division_code=cert.issuer.division_id, organisation_id=cert.issuer_id)
    forget_cached(level=cert)  # now, and again once committed (a reader may have cached the old row meanwhile)
    transaction.on_commit(lambda: forget_cached(level=cert))
    return cert


def level_certificate_bytes(cert: LevelCertificate) -> bytes:
    """The stored PDF exactly as issued; refuses bytes whose hash has changed."""
    with cert.pdf.storage.open(cert.pdf.name, "rb") as handle:
        data = handle.read()
    if _sha(data) != cert.pdf_sha256:
        raise CredentialError(_("Certificate file %(number)s does not match its hash") % {"number": cert.number})
    return data


def snapshot_signature_valid(cert: LevelCertificate) -> bool:
    return (cert.snapshot.get("key_id") == cert.key_id and _sha(signing.canonical(cert.snapshot)) == cert.snapshot_sha256
            and signing.verify(cert.key_id, cert.signature, signing.canonical(cert.snapshot)))
