"""Credentials API. Public (auth=None): verification by QR token, by number plus the holder's name, by
uploaded PDF, and the published keys. Authenticated and scoped: the caller's level certificates, their
W3C Verifiable Credential export and status changes.

A number with the wrong name answers exactly like an unknown number ({"found": false}). Every public
verification is rate-limited per client IP (429 with Retry-After) and logged."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from dte.organisations.scoping import get_scoped_or_404, scoped

from . import signing, vc, verification
from .models import LevelCertificate, VerificationLog
from .responses import public_json, too_many, token_response
from .services import level_certificate_set_status, may_change_status
from .views import PDF_MAX_BYTES

router = Router(tags=["credentials"])


class Training(Schema):
    start: str
    end: str
    hours: str


class PublicCertificate(Schema):
    kind: str
    kind_label: str
    number: str
    name: str
    id_masked: str
    occupation: str
    occupation_code: str
    direction: str
    level: str
    level_label: str
    issuer: str
    issued_on: str
    exam_date: str | None = None
    training: Training | None = None
    status: str
    status_date: str | None = None
    signature_valid: bool | None = None
    key_id: str | None = None
    valid: bool
    verify_url: str | None = None


class Answer(Schema):
    found: bool
    certificate: PublicCertificate | None = None


class NumberIn(Schema):
    number: str
    name: str


class Key(Schema):
    kid: str
    alg: str
    public_key: str
    did: str
    jwk: dict
    created: str
    active: bool
    retired: str | None = None


class Keys(Schema):
    keys: list[Key]


class LevelOut(Schema):
    id: int
    number: str
    holder: str
    occupation: str
    level: str
    direction: str
    issuer_name: str
    issued_on: str
    status: str
    pdf_sha256: str


class StatusIn(Schema):
    status: str
    reason: str


def _gate(request, method: str):
    retry = verification.gate(request, method=method, channel="api")
    return too_many(retry, api=True) if retry else None


@router.get("/verify/token/{token}", auth=None, response=Answer, summary="Verify by QR token (public)")
def verify_token(request: HttpRequest, token: str):
    return token_response(request, token, api=True)


@router.post("/verify/number", auth=None, response=Answer, summary="Verify by number and holder's name (public)")
def verify_number(request: HttpRequest, payload: NumberIn):
    if (blocked := _gate(request, VerificationLog.Method.NUMBER)) is not None:
        return blocked
    facts = verification.by_number(payload.number, payload.name)
    verification.record(method=VerificationLog.Method.NUMBER, facts=facts, channel="api", ip=verification.client_ip(request))
    return JsonResponse(public_json(facts), json_dumps_params={"ensure_ascii": False})


@router.post("/verify/pdf", auth=None, response=Answer,
             summary="Is this PDF exactly an issued certificate? (public)")
def verify_pdf(request: HttpRequest, file: UploadedFile = File(...)):
    if (blocked := _gate(request, VerificationLog.Method.PDF)) is not None:
        return blocked
    if file.size > PDF_MAX_BYTES:
        raise HttpError(422, _("The file is too large (10 MB at most)"))
    facts = verification.by_pdf(file.read())
    verification.record(method=VerificationLog.Method.PDF, facts=facts, channel="api", ip=verification.client_ip(request),
                        outcome=VerificationLog.Outcome.MATCH if facts else VerificationLog.Outcome.MISMATCH)
    return JsonResponse(public_json(facts), json_dumps_params={"ensure_ascii": False})


@router.get("/keys", auth=None, response=Keys, summary="Published Ed25519 public keys (public)")
def keys(request: HttpRequest):
    return {"keys": signing.published_keys()}


def _out(c: LevelCertificate) -> dict:
    return {"id": c.pk, "number": c.number, "holder": c.person.name, "occupation": c.occupation.name, "level": c.level,
            "direction": c.direction, "issuer_name": c.issuer_name, "issued_on": c.issued_on.isoformat(), "status": c.status,
            "pdf_sha256": c.pdf_sha256}


@router.get("/level", response=list[LevelOut], summary="Level certificates in the caller's scope")
def level_list(request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0):
    qs = scoped(request.user, LevelCertificate.objects.select_related("person", "occupation"))
    if status:
        qs = qs.filter(status=status)
    return [_out(c) for c in qs[max(0, offset):max(0, offset) + min(max(limit, 1), 500)]]


@router.get("/level/{pk}/vc", response=dict, summary="W3C Verifiable Credential 2.0 (eddsa-jcs-2022)")
def level_vc(request: HttpRequest, pk: int):
    cert = get_scoped_or_404(request.user, LevelCertificate.objects.all(), pk=pk)
    return vc.level_credential(cert)


@router.post("/level/{pk}/status", response=LevelOut, summary="Suspend, restore or revoke")
def level_status(request: HttpRequest, pk: int, payload: StatusIn):
    cert = get_scoped_or_404(request.user, LevelCertificate.objects.select_related("person", "occupation", "issuer"), pk=pk)
    if not may_change_status(request.user, cert):
        raise HttpError(403, _("Only the issuing institution or the province may change the status"))
    return _out(level_certificate_set_status(cert, payload.status, by=request.user, reason=payload.reason))
