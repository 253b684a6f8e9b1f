"""TOTP two-factor sign-in for every staff role, with one-time recovery codes (issue 8 finding 4).

django-otp keeps the devices: a TOTP device (RFC 6238, any authenticator app) and a static
device holding ten single-use recovery codes. After the password, a staff user with a device
must enter a code before any page (MfaRequiredMiddleware); with settings.DTE_MFA_REQUIRED
(production default) a staff user without one is sent to enrol first. Trainees are not asked.
Token guessing is throttled by django-otp (growing delay per device) and every enrolment,
verification failure and recovery-code use is audited.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dte.audit.services import audit_record
from dte.organisations.usercache import OTP_DEVICE_ATTR
from dte.organisations.roles import Role

RECOVERY_CODES = 10
EXEMPT_PREFIXES = ("/mfa/", "/logout/", "/login/", "/static/", "/i18n/", "/health/")


def is_staff_role(user) -> bool:
    """Officials, finance, institutions, evaluation, auditors, third parties, administrators."""
    return user.is_authenticated and (user.is_superuser or user.role != Role.TRAINEE)


def mfa_needed(user) -> str | None:
    """None when the user may go on; else "verify" or "enrol"."""
    if not is_staff_role(user) or user.is_verified():
        return None
    # read with the user's row when it came from the database (usercache.user_from_database), else asked now
    has_device = getattr(user, OTP_DEVICE_ATTR, None)
    if has_device is None:
        has_device = user_has_device(user, confirmed=True)
    if has_device:
        return "verify"
    return "enrol" if settings.DTE_MFA_REQUIRED else None


class MfaRequiredMiddleware:
    """After django_otp.middleware.OTPMiddleware: stops an unverified staff session at the door.
    API calls with a bearer token are not sessions and are left to the token check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES)
                and not request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")):
            step = mfa_needed(user)
            if step is not None:
                target = reverse("web:mfa_verify" if step == "verify" else "web:mfa_setup")
                return redirect(target + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse("web:workbench")


def recovery_codes_issue(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones (shown once; stored by django-otp)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit_record("web.mfa.recovery_codes", obj=user, after={"count": len(codes)})
    return codes


def mfa_verify_token(user, token: str):
    """The device that accepts this code (TOTP or a recovery code, which is then used up), or None."""
    device = match_token(user, (token or "").replace(" ", ""))
    if device is None:
        audit_record("web.mfa.failed", obj=user)
    elif isinstance(device, StaticDevice):
        audit_record("web.mfa.recovery_code_used", obj=user, after={"left": device.token_set.count()})
    return device


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


@login_required
def mfa_setup(request):
    """Enrol an authenticator app: scan the QR code, confirm with one code, get recovery codes. A user who already
    has a second factor replaces it only from a session verified with it: a password alone must not enrol a new
    authenticator (enrolling deletes the old one and signs the session in as verified)."""
    user = request.user
    if not user.is_verified() and user_has_device(user, confirmed=True):
        return redirect(f"{reverse('web:mfa_verify')}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False)
    error = None
    if request.method == "POST":
        if device.verify_token((request.POST.get("otp_token") or "").replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()  # one authenticator at a time
            otp_login(request, device)
            audit_record("web.mfa.enrolled", obj=user)
            return render(request, "web/mfa_codes.html", {"codes": recovery_codes_issue(user), "next": _next(request)})
        error = _("The code did not match. Check the time on your phone and try again.")
    return render(request, "web/mfa_setup.html", {"qr": _qr_svg(device), "secret": base64.b32encode(device.bin_key).decode(),
                                                  "error": error, "next": _next(request),
                                                  "required": settings.DTE_MFA_REQUIRED})


@login_required
def mfa_verify(request):
    """The second step of signing in: a code from the app, or one recovery code."""
    if request.user.is_verified():
        return redirect(_next(request))
    error = None
    if request.method == "POST":
        device = mfa_verify_token(request.user, request.POST.get("otp_token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        error = _("The code did not match. Try again, or use one of your recovery codes.")
    return render(request, "web/mfa_verify.html", {"error": error, "next": _next(request)})


@login_required
def mfa_recovery_codes(request):
    """New recovery codes (the old ones stop working); only in a verified session."""
    if request.method != "POST" or not request.user.is_verified():
        return redirect("web:mfa_verify" if user_has_device(request.user) else "web:mfa_setup")
    return render(request, "web/mfa_codes.html", {"codes": recovery_codes_issue(request.user), "next": _next(request)})

