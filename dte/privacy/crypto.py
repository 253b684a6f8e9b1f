"""Field encryption (AES-256-GCM, `cryptography`) with key rotation, and keyed blind indexes.

DTE_DATA_KEY holds one or more keys, "kid:base64key,kid:base64key": the first encrypts,
every listed key decrypts, so a new key is put first and `dte privacy rotate` re-encrypts.
DTE_INDEX_KEY keys the HMAC blind index used for exact lookup and de-duplication; it
never rotates with the data key, or every index would have to be rebuilt.
Locally, when neither is set, keys are derived from SECRET_KEY (production refuses that).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


class DecryptionError(ValueError):
    pass


def new_key_spec(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"dte-local", info=label).derive(settings.SECRET_KEY.encode())


def _parse_keys(spec: str) -> list[tuple[str, bytes]]:
    keys = []
    for item in spec.split(","):
        kid, sep, material = item.strip().partition(":")
        if not sep or not kid or "$" in kid:
            raise ImproperlyConfigured(
                "DTE_DATA_KEY must be 'kid:base64key[,kid:base64key…]'; generate one with `dte privacy newkey`."
            )
        try:
            raw = base64.b64decode(material, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"DTE_DATA_KEY key {kid!r} is not valid base64; generate one with `dte privacy newkey`.") from None
        if len(raw) != 32:
            raise ImproperlyConfigured(f"DTE_DATA_KEY key {kid!r} must be 32 bytes (AES-256), got {len(raw)}.")
        keys.append((kid, raw))
    return keys


@lru_cache(maxsize=4)
def _keyring(spec: str | None, secret: str) -> tuple[tuple[str, bytes], ...]:
    if spec:
        return tuple(_parse_keys(spec))
    return (("local", _derive(b"data-key")),)


@lru_cache(maxsize=4)
def _index_key(spec: str | None, secret: str) -> bytes:
    if spec:
        try:
            raw = base64.b64decode(spec, validate=True)
        except ValueError:
            raise ImproperlyConfigured("DTE_INDEX_KEY must be base64 of at least 32 bytes; generate one with `dte privacy newkey`.") from None
        if len(raw) < 32:
            raise ImproperlyConfigured("DTE_INDEX_KEY must be at least 32 bytes.")
        return raw
    return _derive(b"index-key")


def keyring() -> tuple[tuple[str, bytes], ...]:
    return _keyring(settings.DTE_DATA_KEY, settings.SECRET_KEY)


def active_kid() -> str:
    return keyring()[0][0]


@lru_cache(maxsize=8)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _sealer(purpose: str):
    """The one token format, "v1$<kid>$<urlsafe base64 of nonce + ciphertext and tag>", as a function
    `(plaintext, nonce) -> token` with the active key and the AEAD object looked up once (encrypt and
    encrypt_many both seal through it). base64.urlsafe_b64encode without its layers: standard base64, then
    - and _ for + and /."""
    kid, key = keyring()[0]
    seal, aad, head, b64 = _aead(key).encrypt, purpose.encode(), f"{PREFIX}${kid}$", binascii.b2a_base64

    def token(plaintext: str, nonce: bytes) -> str:
        return head + b64(nonce + seal(nonce, plaintext.encode("utf-8"), aad), newline=False).translate(_URLSAFE).decode()

    return token


def encrypt(plaintext: str, purpose: str) -> str:
    return _sealer(purpose)(plaintext, os.urandom(12))


def encrypt_many(plaintexts: list[str], purpose: str) -> list[str]:
    """encrypt() for many values at once (a roster import's columns, issue 12 item 1): the key and the AEAD
    object looked up once, all nonces drawn in one os.urandom call; every value still gets its own random
    96-bit nonce (NIST SP 800-38D 8.2.2), so the tokens are exactly what encrypt() makes."""
    if not plaintexts:
        return []
    token = _sealer(purpose)
    nonces = os.urandom(12 * len(plaintexts))
    return [token(plaintext, nonces[12 * i: 12 * i + 12]) for i, plaintext in enumerate(plaintexts)]


def key_id_of(token: str) -> str:
    return token.split("$", 2)[1]


def decrypt(token: str, purpose: str) -> str:
    try:
        prefix, kid, payload = token.split("$", 2)
    except ValueError:
        raise DecryptionError("not an encrypted value") from None
    keys = dict(keyring())
    if prefix != PREFIX or kid not in keys:
        raise DecryptionError(f"no key {kid!r} in DTE_DATA_KEY to decrypt this value")
    blob = base64.urlsafe_b64decode(payload)
    try:
        return _aead(keys[kid]).decrypt(blob[:12], blob[12:], purpose.encode()).decode("utf-8")
    except Exception:
        raise DecryptionError("value fails authentication (tampered, or wrong key)") from None


_IPAD = bytes(byte ^ 0x36 for byte in range(256))
_OPAD = bytes(byte ^ 0x5C for byte in range(256))


@lru_cache(maxsize=4)
def _index_pads(key: bytes):
    """HMAC-SHA256 (RFC 2104) keyed once: the hash states after the inner and the outer padded key. Copying
    two hashlib states per value costs half of copying an hmac.HMAC object (a roster import indexes
    200,000 values, issue 12 item 1); the digests are the same (a test compares them with hmac.new)."""
    if len(key) > 64:  # the block size: a longer key is hashed first
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return hashlib.sha256(key.translate(_IPAD)).copy, hashlib.sha256(key.translate(_OPAD)).copy


def blind_index(value: str, purpose: str) -> str:
    return blind_indexer(purpose)(value)


def blind_indexer(purpose: str):
    """blind_index(value, purpose) as a function of the value, the key looked up once (a job's many rows)."""
    inner_copy, outer_copy = _index_pads(_index_key(settings.DTE_INDEX_KEY, settings.SECRET_KEY))
    head = f"{purpose}:"

    def index(value: str) -> str:
        inner = inner_copy()
        inner.update((head + value).encode())
        outer = outer_copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    return index


def blind_index_many(values: list[str], purpose: str) -> list[str]:
    """blind_index() for many values at once, the key looked up once."""
    return list(map(blind_indexer(purpose), values))
