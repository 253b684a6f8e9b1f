"""Web pages: the public verification (search form, QR token page, PDF check, published keys), the
holder's "my certificates", and the officials' level-certificate list with status changes."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.training.models import TrainingCertificate

from . import signing, vc, verification
from .links import keys_url
from .models import LevelCertificate, VerificationLog
from .responses import too_many, token_response
from .services import CredentialError, level_certificate_bytes, level_certificate_set_status, may_change_status

PDF_MAX_BYTES = 10 * 1024 * 1024


class NumberForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    name = forms.CharField(label=_("Holder's name"), max_length=64)


class PdfForm(forms.Form):
    file = forms.FileField(label=_("Certificate PDF"))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LevelCertificate.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=255)


def _throttled(request, method: str):
    retry = verification.gate(request, method=method, channel="web")
    return too_many(retry, api=False) if retry else None


def verify(request):
    """Public search: number plus the holder's name (POST, so the name stays out of URLs and logs)."""
    form = NumberForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    context = {"form": form, "pdf_form": PdfForm(), "searched": False}
    if request.method == "POST":
        if (blocked := _throttled(request, VerificationLog.Method.NUMBER)) is not None:
            return blocked
        if form.is_valid():
            facts = verification.by_number(form.cleaned_data["number"], form.cleaned_data["name"])
            verification.record(method=VerificationLog.Method.NUMBER, facts=facts, ip=verification.client_ip(request))
            context |= {"searched": True, "c": facts}
    return render(request, "credentials/verify.html", context)


@require_POST
def verify_pdf(request):
    """Is this file exactly an issued certificate? (SHA-256 of the bytes against the stored digest)."""
    if (blocked := _throttled(request, VerificationLog.Method.PDF)) is not None:
        return blocked
    form = PdfForm(request.POST, request.FILES)
    context = {"form": NumberForm(), "pdf_form": form, "pdf_checked": False}
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > PDF_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            facts = verification.by_pdf(upload.read())
            verification.record(method=VerificationLog.Method.PDF, facts=facts, ip=verification.client_ip(request),
                                outcome=VerificationLog.Outcome.MATCH if facts else VerificationLog.Outcome.MISMATCH)
            context |= {"pdf_checked": True, "c": facts}
    return render(request, "credentials/verify.html", context)


def token_page(request, token: str):
    """The QR code's target (normally answered by PublicVerifyFastPath before this view)."""
    return token_response(request, token, api=False)


def keys(request):
    """The published Ed25519 public keys (every key that ever signed; the active one marked)."""
    response = JsonResponse({"issuer": "数字技术工程师培育平台", "url": keys_url(), "algorithm": "Ed25519",
                             "snapshot_signature": "Ed25519 over RFC 8785 (JCS) bytes of the certificate snapshot",
                             "pdf_signature": "Ed25519 over the 32 raw bytes of the PDF's SHA-256",
                             "verifiable_credential": "W3C VC 2.0, DataIntegrityProof eddsa-jcs-2022",
                             "keys": signing.published_keys()}, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
def my_certificates(request):
    person = getattr(request.user, "person", None)
    level = scoped(request.user, LevelCertificate.objects.filter(person=person)) if person else LevelCertificate.objects.none()
    training = (scoped(request.user, TrainingCertificate.objects.filter(enrolment__person=person))
                if person else TrainingCertificate.objects.none())
    return render(request, "credentials/my.html", {"level": level.select_related("occupation"), "training": training})


@login_required
def level_list(request):
    qs = scoped(request.user, LevelCertificate.objects.select_related("person", "occupation", "issuer"))
    status, number = request.GET.get("status", ""), request.GET.get("number", "").strip()
    if status in LevelCertificate.Status.values:
        qs = qs.filter(status=status)
    if number:
        qs = qs.filter(number__startswith=number)
    return render(request, "credentials/level_list.html", {"items": qs[:200], "status": status, "number": number,
                                                           "statuses": LevelCertificate.Status.choices})


@login_required
def level_detail(request, pk: int):
    cert = get_scoped_or_404(request.user, LevelCertificate.objects.select_related("person", "occupation", "issuer"), pk=pk)
    form = StatusForm(request.POST or None)
    allowed = may_change_status(request.user, cert)
    if request.method == "POST" and allowed and form.is_valid():
        try:
            level_certificate_set_status(cert, form.cleaned_data["status"], by=request.user, reason=form.cleaned_data["reason"])
        except CredentialError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Status changed."))
            return redirect("credentials:level_detail", pk=pk)
    return render(request, "credentials/level_detail.html", {
        "cert": cert, "form": form, "allowed": allowed, "facts": verification.level_facts(cert),
        "is_holder": request.user.role == Role.TRAINEE})


@login_required
def level_pdf(request, pk: int):
    cert = get_scoped_or_404(request.user, LevelCertificate.objects.all(), pk=pk)
    try:
        data = level_certificate_bytes(cert)
    except CredentialError as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    response["X-Content-SHA256"] = cert.pdf_sha256
    return response


def _json_download(document: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2), content_type="application/vc+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def level_vc(request, pk: int):
    cert = get_scoped_or_404(request.user, LevelCertificate.objects.all(), pk=pk)
    return _json_download(vc.level_credential(cert), f"{cert.number}.vc.json")


@login_required
def training_vc(request, pk: int):
    cert = get_scoped_or_404(request.user, TrainingCertificate.objects.all(), pk=pk)
    return _json_download(vc.training_credential(cert), f"{cert.number}.vc.json")
