"""HTTP answers of the public verification, shared by the views, the API and the fast-path middleware.
The token answer needs neither session nor user: its HTML uses a standalone public template (no CSRF
token, no user menu), so the rendered bytes can be cached per language and token."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

from dte.api_errors import error_body

from . import verification
from .links import verify_url
from .models import VerificationLog

PUBLIC_FIELDS = ("kind", "kind_label", "number", "name", "id_masked", "occupation", "occupation_code", "direction", "level",
                 "level_label", "issuer", "issued_on", "exam_date", "training", "status", "status_date", "signature_valid",
                 "key_id", "valid")
THROTTLED = "查验过于频繁，请稍后再试 / too many verifications, try again later"


def public_json(facts: dict | None) -> dict:
    if not facts:
        return {"found": False, "certificate": None}
    certificate = {k: facts.get(k) for k in PUBLIC_FIELDS} | {"verify_url": verify_url(facts["token"]) if facts.get("token") else None}
    return {"found": True, "certificate": certificate}


def _headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache"
    response["X-Frame-Options"] = "DENY"
    response["Vary"] = "Accept-Language, Cookie"
    return response


def too_many(retry_after: int, *, api: bool) -> HttpResponse:
    if api:
        response = JsonResponse(error_body(429, THROTTLED) | {"retry_after": retry_after}, status=429,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("credentials/throttled.html", {"retry_after": retry_after}), status=429)
    response["Retry-After"] = str(retry_after)
    return _headers(response)


def token_response(request, token: str, *, api: bool) -> HttpResponse:
    ip = verification.client_ip(request)
    channel = "api" if api else "web"
    retry = verification.gate(request, method=VerificationLog.Method.TOKEN, channel=channel)
    if retry:
        return too_many(retry, api=api)
    facts = verification.by_token(token)
    verification.record(method=VerificationLog.Method.TOKEN, facts=facts, channel=channel, ip=ip)
    if api:
        return _headers(JsonResponse(public_json(facts), json_dumps_params={"ensure_ascii": False}))
    lang = translation.get_language_from_request(request)
    key = verification.html_key(lang, token) if facts else None
    html = verification.cache_get(key) if key else None
    if html is None:
        with translation.override(lang):
            html = render_to_string("credentials/public_result.html", {"c": facts, "lang": lang})
        if key:
            verification.cache_set(key, html)
    return _headers(HttpResponse(html, status=200 if facts else 404))
