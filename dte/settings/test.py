"""Tests: SQLite by default; DATABASE_URL=postgres://… runs the same suite on PostgreSQL."""

from .base import *  # noqa: F401,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
DTE_USER_CACHE = False  # a test database reuses user ids across runs; tests that need it switch it on
DTE_DATA_KEY = "k1:" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
DTE_INDEX_KEY = "aW5kZXgta2V5LWZvci10ZXN0cy0wMTIzNDU2Nzg5YWI="
STORAGES = {
    "default": {"BACKEND": "dte.privacy.storage.EncryptedStorage",
                "OPTIONS": {"backend": "django.core.files.storage.InMemoryStorage"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Audit checkpoints of test runs never mix with the local var/ tree (tests override it per test with tmp_path).
import tempfile as _tempfile  # noqa: E402

DTE_AUDIT_CHECKPOINT_DIR = Path(_tempfile.mkdtemp(prefix="dte-audit-checkpoints-"))  # noqa: F405
