"""HTTP answers of the public verification, shared by the views, the API and the fast-path middleware.
The token answer needs neither session nor user: its HTML uses a standalone public template (no CSRF
token, no user menu), so the rendered bytes can be cached per language and token."""

from __future__ import annotations

import json
from functools import lru_cache

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dte.api_errors import error_body

from . import verification
from .links import verify_url
from .models import VerificationLog

PUBLIC_FIELDS = ("kind", "kind_label", "number", "name", "id_masked", "occupation", "occupation_code", "direction", "level",
                 "level_label", "issuer", "issued_on", "exam_date", "training", "status", "status_date", "signature_valid",
                 "key_id", "valid")
THROTTLED = _("Too many verifications: try again later")  # lazy: in the request's language


def public_json(facts: dict | None) -> dict:
    if not facts:
        return {"found": False, "certificate": None}
    certificate = {k: facts.get(k) for k in PUBLIC_FIELDS} | {"verify_url": verify_url(facts["token"]) if facts.get("token") else None}
    return {"found": True, "certificate": certificate}


@lru_cache(maxsize=1)
def _csp_headers() -> tuple[tuple[str, str], ...]:
    """The site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, django-csp), built once per
    process: these answers leave before CSPMiddleware and carry no script, so the policy needs no nonce
    (the nonce source is dropped, scripts stay limited to 'self')."""
    from csp.constants import HEADER, HEADER_REPORT_ONLY
    from csp.utils import build_policy

    headers = [(HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True))]
    return tuple((name, value) for name, value in headers if value)


def _headers(response: HttpResponse) -> HttpResponse:
    for name, value in _csp_headers():
        response[name] = value
    response["Content-Length"] = str(len(response.content))
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


def _render_token(request, token: str, *, api: bool, lang: str) -> tuple[int, bytes, str, str, str]:
    """(status, body, content type, kind, number) of a token answer."""
    facts = verification.by_token(token)
    kind, number = (facts or {}).get("kind", ""), (facts or {}).get("number", "")
    if api:
        body = json.dumps(public_json(facts), ensure_ascii=False).encode()
        return 200, body, "application/json", kind, number
    with translation.override(lang):
        body = render_to_string("credentials/public_result.html", {"c": facts}).encode()
    return (200 if facts else 404), body, "text/html; charset=utf-8", kind, number


def token_response(request, token: str, *, api: bool) -> HttpResponse:
    """The answer by QR token: rate-limited, served from the per-process cache of rendered answers when
    fresh, else from the shared cache of rendered answers, else rendered from the (cached) facts; logged."""
    ip = verification.client_ip(request)
    channel = "api" if api else "web"
    retry = verification.gate(request, method=VerificationLog.Method.TOKEN, channel=channel)
    if retry:
        return too_many(retry, api=api)
    lang = "api" if api else translation.get_language_from_request(request)
    key = f"{lang}:{token}"
    answer = verification.local_get(key)
    if answer is None:
        shared = verification.answer_key(key)
        answer = verification.cache_get(shared)
        if answer is None:
            answer = _render_token(request, token, api=api, lang=lang)
            verification.cache_set(shared, answer)
        verification.local_put(key, answer)
    status, body, content_type, kind, number = answer
    request.META[verification.ANSWER_KEY] = (kind, number)  # this answer may be replayed (wsgi.py)
    verification.record(method=VerificationLog.Method.TOKEN, facts={"kind": kind, "number": number} if kind else None,
                        channel=channel, ip=ip)
    return _headers(HttpResponse(body, status=status, content_type=content_type))
