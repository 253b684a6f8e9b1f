"""`Idempotency-Key` on every API write (issue 8, finding 9), following the IETF draft
"The Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header):

- the first request with a key is run and, if it succeeds (2xx), its response is stored for
  DTE_IDEMPOTENCY_HOURS, keyed by the caller (the user, whether by session or token) and the key;
- the same key with the same request (method, path, query and body) replays the stored response
  (header `Idempotent-Replayed: true`) without running the write again;
- the same key with a different request → 409; while the first request is still running → 409.

Failed requests are not stored: every API write runs in one transaction that is rolled back on
any error (dte/api.py), so nothing was written and the client may retry with the same key.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import Scope
from .tokens import api_token_find, bearer_of

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = timedelta(minutes=10)  # a claim whose request died (worker killed) may be retaken


class IdempotencyRecord(models.Model):
    user = models.ForeignKey("organisations.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=MAX_KEY_LENGTH)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the request runs
    content_type = models.CharField(max_length=128, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    access_scope = Scope(owner="user_id")

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        app_label = "organisations"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]


def caller_of(request):
    """Who the request will run as, before the API authenticates it: the bearer token's user, else the
    session's. None for anonymous calls (they are refused by authentication anyway)."""
    bearer = bearer_of(request)
    if bearer is not None:
        token = api_token_find(bearer)
        return token.user if token is not None else None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def fingerprint_of(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            digest.update(f"{name}={values!r}\n".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def idempotency_claim(user, key: str, fingerprint: str) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """(claim, existing): a new claim to run the request, or the record already holding this key."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(expires_at__lt=now).delete()
                claim = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint,
                    expires_at=now + timedelta(hours=settings.DTE_IDEMPOTENCY_HOURS),
                )
            return claim, None
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                continue
            if existing.status_code is None and existing.created_at < now - ABANDONED_AFTER:
                existing.delete()
                continue
            return None, existing
    return None, IdempotencyRecord.objects.filter(user=user, key=key).first()


def idempotency_store(claim: IdempotencyRecord, response) -> None:
    """Keep a successful response for replay; drop the claim otherwise (nothing was written)."""
    storable = 200 <= response.status_code < 300 and not getattr(response, "streaming", False)
    if not storable:
        IdempotencyRecord.objects.filter(pk=claim.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=claim.pk).update(
        status_code=response.status_code, content_type=response.get("Content-Type", "")[:128], body=response.content,
    )


def idempotency_replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response
