"""W3C Verifiable Credentials 2.0 export of certificates (both kinds), secured with a Data Integrity
proof of the `eddsa-jcs-2022` cryptosuite (W3C "Data Integrity EdDSA Cryptosuites v1.0", §3.3):

    proofConfig   = the proof without proofValue, plus the document's "@context"
    hashData      = SHA-256(JCS(proofConfig)) || SHA-256(JCS(document without proof))
    proofValue    = "z" + base58btc(Ed25519-sign(hashData))

JCS is RFC 8785 (the `rfc8785` package). The verification method is the signing key as a did:key
(multicodec ed25519-pub 0xed01 + 32 raw bytes, base58btc), so the credential carries its key; which
platform key that is — and that it is the platform's — is published at /credentials/keys.json
(each entry lists its "did"). Offline check: `dte credentials verify FILE.json --keys keys.json`.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from . import signing
from .links import base_url, verify_url

CONTEXT = "https://www.w3.org/ns/credentials/v2"
CRYPTOSUITE = "eddsa-jcs-2022"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key(public_raw: bytes) -> str:
    multikey = "z" + b58encode(_ED25519_PUB + public_raw)
    return f"did:key:{multikey}"


def did_of_b64(public_b64: str) -> str:
    return did_key(base64.b64decode(public_b64))


def public_raw_of_did(method: str) -> bytes | None:
    did = method.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        return None
    try:
        decoded = b58decode(did[len("did:key:z"):])
    except ValueError:
        return None
    return decoded[2:] if decoded[:2] == _ED25519_PUB and len(decoded) == 34 else None


def _hash_data(document: dict, proof_config: dict) -> bytes:
    return hashlib.sha256(signing.canonical(proof_config)).digest() + hashlib.sha256(signing.canonical(document)).digest()


def secure(document: dict, *, created: datetime | None = None) -> dict:
    """Add an eddsa-jcs-2022 DataIntegrityProof signed with the platform's active key."""
    kid, private = signing.active_key()
    did = did_key(base64.b64decode(signing.public_b64(private)))
    created = (created or datetime.now(timezone.utc)).replace(microsecond=0)
    proof = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "verificationMethod": f"{did}#{did.split(':')[-1]}", "proofPurpose": "assertionMethod"}
    signature = private.sign(_hash_data(document, proof | {"@context": document["@context"]}))
    return document | {"proof": proof | {"proofValue": "z" + b58encode(signature)}}


def verify(credential: dict, trusted_public_keys: list[bytes] | None = None) -> bool:
    """True when the proof verifies (and, given trusted keys, was made by one of them)."""
    proof = dict(credential.get("proof") or {})
    value = proof.pop("proofValue", "")
    if proof.get("cryptosuite") != CRYPTOSUITE or not value.startswith("z"):
        return False
    raw = public_raw_of_did(proof.get("verificationMethod", ""))
    if raw is None or (trusted_public_keys is not None and raw not in trusted_public_keys):
        return False
    document = {k: v for k, v in credential.items() if k != "proof"}
    try:
        Ed25519PublicKey.from_public_bytes(raw).verify(b58decode(value[1:]), _hash_data(document, proof | {"@context": document["@context"]}))
    except (InvalidSignature, ValueError):
        return False
    return True


def _envelope(kind: str, token: str, number: str, issuer_name: str, issued_on: str, subject: dict) -> dict:
    return {
        "@context": [CONTEXT],
        "id": verify_url(token),
        "type": ["VerifiableCredential", kind],
        "issuer": {"id": f"{base_url()}/", "name": issuer_name},
        "validFrom": f"{issued_on}T00:00:00+08:00",
        "credentialSubject": subject | {"certificateNumber": number},
    }


def level_credential(cert) -> dict:
    s = cert.snapshot
    subject = {"name": s["holder"]["name"], "idNumberMasked": s["holder"]["id_masked"],
               "certificate": {"title": s["title"], "occupation": s["occupation"], "direction": s["direction"],
                               "level": s["level"], "levelLabel": s["level_label"], "examDate": s["exam_date"],
                               "issuedOn": s["issued_on"], "snapshotSha256": cert.snapshot_sha256,
                               "snapshotSignature": {"keyId": cert.key_id, "value": cert.signature},
                               "pdfSha256": cert.pdf_sha256}}
    return secure(_envelope("ProfessionalTechnicalLevelCertificate", cert.token, cert.number, s["issuer"]["name"], s["issued_on"], subject))


def training_credential(cert) -> dict:
    s = cert.snapshot
    subject = {"name": s["name"], "idNumberMasked": s["id_masked"],
               "certificate": {"title": s["title"], "occupation": {"code": s["occupation_code"], "name": s["occupation"]},
                               "direction": s["direction"], "level": s["level"], "levelLabel": s["level_label"],
                               "trainingStart": s["start"], "trainingEnd": s["end"], "hours": str(s["hours"]),
                               "issuedOn": s["issued_on"], "snapshotSha256": cert.snapshot_sha256, "pdfSha256": cert.pdf_sha256}}
    return secure(_envelope("TrainingCertificate", cert.verify_token or cert.number, cert.number, s["institution"], s["issued_on"], subject))
