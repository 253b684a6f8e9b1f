"""The audit trail's HMAC key, kept outside the database (issue 8, finding 5).

DTE_AUDIT_KEY (base64, at least 32 bytes) keys every event hash and signs the exported
checkpoints, so that someone who can write the database but does not hold the key cannot
recompute the chain after a rewrite. Production refuses to start without it (settings/
production.py); locally and in tests a key is derived from SECRET_KEY, as the personal-data
keys are (dte/privacy/crypto.py). Like DTE_INDEX_KEY it is never rotated: every stored hash
depends on it (a new key means re-keying the chain with a migration like 0004)."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _key(spec: str | None, secret: str) -> bytes:
    if spec:
        try:
            raw = base64.b64decode(spec, validate=True)
        except ValueError:
            raise ImproperlyConfigured("DTE_AUDIT_KEY must be base64 of at least 32 bytes; generate one with `dte privacy newkey`.") from None
        if len(raw) < 32:
            raise ImproperlyConfigured("DTE_AUDIT_KEY must be at least 32 bytes.")
        return raw
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dte-local", info=b"audit-key").derive(secret.encode())


def audit_key() -> bytes:
    return _key(getattr(settings, "DTE_AUDIT_KEY", None), settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _derived(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dte-audit", info=purpose).derive(key)


def purpose_key(purpose: bytes) -> bytes:
    """A separate key per use (b"chain", b"checkpoint"), derived from the audit key."""
    return _derived(audit_key(), purpose)
