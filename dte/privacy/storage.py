"""Files encrypted at rest: a Django Storage that seals every file it saves and opens it transparently.

Rosters, import result sheets, training evidence and certificate PDFs hold personal data (个人信息保护法
第五十一条: 采取相应的加密、去标识化等安全技术措施). Every FileField uses the default storage, so the default
storage is this wrapper around the real backend (file system locally, any Django storage in production,
OPTIONS["backend"]). Nothing is ever served from MEDIA_URL: files are read only through views that check
role and scope (dte.privacy.views), so `url()` refuses.

Format (streamed, bounded memory, any size): MAGIC | kid length | kid | 16-byte salt | segments.
The file key is HKDF-SHA256(data key `kid` of DTE_DATA_KEY, salt); each segment is SEGMENT bytes of
plaintext sealed with AES-256-GCM under the nonce (segment counter, last-segment flag) and the header as
associated data, so reordering, truncation or tampering fails authentication (the STREAM construction,
Hoang–Reyhanitabar–Rogaway–Vizár 2015). Files written before encryption (no MAGIC) are read as they are;
`dte privacy encrypt-files` seals them.
"""

from __future__ import annotations

import os
import tempfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.files import File
from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from . import crypto

MAGIC = b"DTEFILE1"
SEGMENT = 64 * 1024
TAG = 16
SPOOL_MEMORY = 4 * 1024 * 1024  # decrypted copies above this size spill to a private temporary file


class FileIntegrityError(crypto.DecryptionError):
    pass


def _file_key(kid: str, salt: bytes) -> AESGCM:
    keys = dict(crypto.keyring())
    if kid not in keys:
        raise FileIntegrityError(f"no key {kid!r} in DTE_DATA_KEY to decrypt this file")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"dte-file").derive(keys[kid])
    return AESGCM(key)


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_stream(source, target) -> None:
    """Seal the readable binary `source` into the writable `target`."""
    kid, _key = crypto.keyring()[0]
    salt = os.urandom(16)
    header = MAGIC + bytes([len(kid.encode())]) + kid.encode() + salt
    aead = _file_key(kid, salt)
    target.write(header)
    counter, current = 0, source.read(SEGMENT)
    while True:
        following = source.read(SEGMENT) if len(current) == SEGMENT else b""
        last = not following
        target.write(aead.encrypt(_nonce(counter, last), current, header))
        if last:
            return
        counter, current = counter + 1, following


def is_sealed(handle) -> bool:
    start = handle.read(len(MAGIC))
    handle.seek(0)
    return start == MAGIC


def decrypt_stream(source, target) -> None:
    """Open a sealed `source` into `target`; raises FileIntegrityError on any tampering or truncation."""
    if source.read(len(MAGIC)) != MAGIC:
        raise FileIntegrityError("not a sealed file")
    kid_length = source.read(1)
    kid = source.read(kid_length[0]).decode() if kid_length else ""
    salt = source.read(16)
    header = MAGIC + kid_length + kid.encode() + salt
    aead = _file_key(kid, salt)
    counter, current = 0, source.read(SEGMENT + TAG)
    while True:
        following = source.read(SEGMENT + TAG) if len(current) == SEGMENT + TAG else b""
        last = not following
        try:
            target.write(aead.decrypt(_nonce(counter, last), current, header))
        except Exception:
            raise FileIntegrityError("stored file fails authentication (tampered, truncated or wrong key)") from None
        if last:
            return
        counter, current = counter + 1, following


@deconstructible
class EncryptedStorage(Storage):
    """Wraps another storage backend; every saved file is sealed, every opened file is decrypted."""

    def __init__(self, backend: str = "django.core.files.storage.FileSystemStorage", options: dict | None = None):
        self.backend, self.options = backend, options or {}
        self.inner = import_string(backend)(**self.options)

    def _save(self, name, content):
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        if hasattr(content, "seek"):
            content.seek(0)
        encrypt_stream(content, spool)
        spool.seek(0)
        return self.inner._save(name, File(spool, name=name))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("encrypted files are written with save(), not opened for writing")
        plain = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        with self.inner.open(name, "rb") as handle:
            if is_sealed(handle):
                decrypt_stream(handle, plain)
            else:  # written before encryption at rest
                for chunk in iter(lambda: handle.read(SEGMENT), b""):
                    plain.write(chunk)
        plain.seek(0)
        return File(plain, name=name)

    def raw_open(self, name):
        """The stored bytes as they are on disk (for tests, audits and the sealing command)."""
        return self.inner.open(name, "rb")

    def seal_in_place(self, name) -> bool:
        """Encrypt a file written before encryption at rest; False if it was already sealed."""
        with self.inner.open(name, "rb") as handle:
            if is_sealed(handle):
                return False
            plain = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
            for chunk in iter(lambda: handle.read(SEGMENT), b""):
                plain.write(chunk)
        plain.seek(0)
        self.inner.delete(name)
        self._save(name, plain)
        return True

    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        return self.inner.size(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def url(self, name):
        raise ValueError("stored files are never served by URL; use the permission-checked download views")
