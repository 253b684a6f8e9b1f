"""Ed25519 signing keys (`cryptography`) with rotation, and RFC 8785 canonical JSON.

DTE_SIGNING_KEY holds one or more private keys, "kid:base64seed,kid:base64seed" (each seed is the
32-byte raw Ed25519 private key): the FIRST signs, every listed key can still sign-verify, and the
public half of every key that has ever signed is kept in SigningKey so that certificates signed with a
key that has since been dropped from the setting still verify. Locally, when the setting is empty, one
key is derived from SECRET_KEY (kid "local-<8 hex of its public key>"); production refuses that
(system check credentials.E001). Mirrors dte/privacy/crypto.py's handling of DTE_DATA_KEY.

What is signed:
- certificate snapshot: Ed25519 over `rfc8785.dumps(snapshot)` (the snapshot carries its "key_id");
- PDF: Ed25519 over the 32 raw bytes of the PDF file's SHA-256 digest.
Signatures are stored base64 (standard alphabet, padded).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def canonical(document: dict) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes."""
    return rfc8785.dumps(document)


def new_key_spec(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def public_b64(private: Ed25519PrivateKey) -> str:
    return base64.b64encode(private.public_key().public_bytes(*RAW)).decode()


def _parse(spec: str) -> list[tuple[str, Ed25519PrivateKey]]:
    keys = []
    for item in spec.split(","):
        kid, sep, material = item.strip().partition(":")
        if not sep or not kid or not kid.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured("DTE_SIGNING_KEY must be 'kid:base64seed[,kid:base64seed…]'; "
                                       "generate one with `dte credentials newkey KID`.")
        try:
            raw = base64.b64decode(material, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"DTE_SIGNING_KEY key {kid!r} is not valid base64.") from None
        if len(raw) != 32:
            raise ImproperlyConfigured(f"DTE_SIGNING_KEY key {kid!r} must be a 32-byte Ed25519 seed, got {len(raw)}.")
        keys.append((kid, Ed25519PrivateKey.from_private_bytes(raw)))
    return keys


@lru_cache(maxsize=4)
def _keyring(spec: str | None, secret: str) -> tuple[tuple[str, Ed25519PrivateKey], ...]:
    if spec:
        return tuple(_parse(spec))
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dte-local", info=b"signing-key").derive(secret.encode())
    private = Ed25519PrivateKey.from_private_bytes(seed)
    kid = "local-" + hashlib.sha256(private.public_key().public_bytes(*RAW)).hexdigest()[:8]
    return ((kid, private),)


def keyring() -> tuple[tuple[str, Ed25519PrivateKey], ...]:
    return _keyring(settings.DTE_SIGNING_KEY, settings.SECRET_KEY)


def is_derived() -> bool:
    return not settings.DTE_SIGNING_KEY


def active_key() -> tuple[str, Ed25519PrivateKey]:
    """The signing key, its public half registered (publishing it before anything is signed with it)."""
    kid, private = keyring()[0]
    register_public_keys()
    return kid, private


def register_public_keys() -> None:
    """Record the public half of every configured key (idempotent); refuse a kid reused for another key."""
    from .models import SigningKey

    for kid, private in keyring():
        public = public_b64(private)
        row, _ = SigningKey.objects.get_or_create(kid=kid, defaults={"public_key": public})
        if row.public_key != public:
            raise ImproperlyConfigured(f"Signing key id {kid!r} was already used for another key; choose a new key id.")


def sign(data: bytes) -> tuple[str, str]:
    """(kid, base64 signature) with the active key."""
    kid, private = active_key()
    return kid, base64.b64encode(private.sign(data)).decode()


def sign_document(document: dict) -> str:
    """Signature over the canonical bytes of a document that already names its key_id."""
    kid, private = active_key()
    if document.get("key_id") != kid:
        raise ValueError("the document must carry the active key id before signing")
    return base64.b64encode(private.sign(canonical(document))).decode()


def public_key(kid: str) -> Ed25519PublicKey | None:
    from .models import SigningKey

    for known, private in keyring():
        if known == kid:
            return private.public_key()
    row = SigningKey.objects.filter(kid=kid).first()
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(row.public_key)) if row else None


def verify(kid: str, signature_b64: str, data: bytes) -> bool:
    key = public_key(kid)
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(signature_b64), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def published_keys() -> list[dict]:
    """Every public key, newest first, as published at /credentials/keys.json."""
    from .models import SigningKey
    from .vc import did_of_b64

    register_public_keys()
    active = keyring()[0][0]
    return [{"kid": k.kid, "alg": "Ed25519", "public_key": k.public_key, "did": did_of_b64(k.public_key),
             "jwk": {"kty": "OKP", "crv": "Ed25519", "kid": k.kid,
                     "x": base64.urlsafe_b64encode(base64.b64decode(k.public_key)).decode().rstrip("=")},
             "created": k.created_at.isoformat(), "active": k.kid == active,
             "retired": k.retired_at.isoformat() if k.retired_at else None}
            for k in SigningKey.objects.order_by("-created_at", "-pk")]
