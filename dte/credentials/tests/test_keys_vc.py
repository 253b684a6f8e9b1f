"""Published keys, key rotation (old certificates keep verifying), and the W3C Verifiable Credential checked
offline with ONLY the `cryptography` package (JCS replicated with json.dumps(sort_keys=True), exact for these
documents: ASCII keys, no floats)."""

import base64
import hashlib
import json
from io import StringIO

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command

from dte.credentials import signing
from dte.credentials.services import snapshot_signature_valid

from .factories import holder, issue_one

pytestmark = pytest.mark.django_db
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def jcs(document) -> bytes:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + B58.index(char)
    return b"\0" * (len(text) - len(text.lstrip("1"))) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def offline_verify(credential: dict, published: dict) -> None:
    """eddsa-jcs-2022 by hand; raises InvalidSignature/KeyError when it does not verify."""
    proof = dict(credential["proof"])
    signature = b58decode(proof.pop("proofValue")[1:])
    key_did = proof["verificationMethod"].split("#")[0]
    entry = next(k for k in published["keys"] if k["did"] == key_did)  # KeyError-like StopIteration if unpublished
    document = {k: v for k, v in credential.items() if k != "proof"}
    proof["@context"] = document["@context"]
    data = hashlib.sha256(jcs(proof)).digest() + hashlib.sha256(jcs(document)).digest()
    Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"])).verify(signature, data)


def key_spec(kid: str, seed: bytes) -> str:
    return f"{kid}:{base64.b64encode(seed).decode()}"


def test_keys_json_publishes_every_key_with_did(client):
    cert = issue_one()
    published = client.get("/credentials/keys.json").json()
    entry = next(k for k in published["keys"] if k["kid"] == cert.key_id)
    assert entry["active"] and entry["alg"] == "Ed25519" and entry["did"].startswith("did:key:z6Mk")
    assert client.get("/api/credentials/keys").json()["keys"][0]["kid"] == cert.key_id


def test_key_rotation_keeps_old_certificates_verifiable(settings):
    settings.DTE_SIGNING_KEY = key_spec("k2026a", b"a" * 32)
    old = issue_one()
    assert old.key_id == "k2026a"
    settings.DTE_SIGNING_KEY = ",".join([key_spec("k2026b", b"b" * 32), key_spec("k2026a", b"a" * 32)])
    new = issue_one(person=holder("李四"))
    assert new.key_id == "k2026b" and snapshot_signature_valid(old) and snapshot_signature_valid(new)
    settings.DTE_SIGNING_KEY = key_spec("k2026b", b"b" * 32)  # the old private key is gone entirely
    assert snapshot_signature_valid(old)  # its public half is kept in SigningKey
    assert {k["kid"] for k in signing.published_keys()} >= {"k2026a", "k2026b"}
    settings.DTE_SIGNING_KEY = key_spec("k2026a", b"c" * 32)  # a key id reused for another key is refused
    with pytest.raises(Exception, match="already used"):
        signing.register_public_keys()


def test_vc_verifies_offline_with_published_key(client):
    cert = issue_one()
    client.force_login(cert.person.user)
    response = client.get(f"/credentials/level/{cert.pk}/vc.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    credential = json.loads(response.content)
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert "VerifiableCredential" in credential["type"] and credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["credentialSubject"]["certificateNumber"] == cert.number
    published = client.get("/credentials/keys.json").json()
    offline_verify(credential, published)
    tampered = json.loads(response.content)
    tampered["credentialSubject"]["certificate"]["level"] = "senior"
    with pytest.raises(InvalidSignature):
        offline_verify(tampered, published)


def test_vc_of_another_person_is_not_served(client):
    cert = issue_one()
    stranger = holder("王五").user
    client.force_login(stranger)
    assert client.get(f"/credentials/level/{cert.pk}/vc.json").status_code == 404


def test_command_verifies_a_downloaded_vc(client, tmp_path):
    cert = issue_one()
    client.force_login(cert.person.user)
    path = tmp_path / "c.vc.json"
    path.write_bytes(client.get(f"/credentials/level/{cert.pk}/vc.json").content)
    keys = tmp_path / "keys.json"
    keys.write_bytes(client.get("/credentials/keys.json").content)
    out = StringIO()
    call_command("credentials", "verify", str(path), "--keys", str(keys), stdout=out)
    assert "VALID" in out.getvalue() and cert.number in out.getvalue()
    credential = json.loads(path.read_text())
    credential["credentialSubject"]["name"] = "李四"
    path.write_text(json.dumps(credential, ensure_ascii=False))
    with pytest.raises(CommandError, match="INVALID"):
        call_command("credentials", "verify", str(path), "--keys", str(keys))
