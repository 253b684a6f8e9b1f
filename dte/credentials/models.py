"""Professional technical level certificates (专业技术等级证书), the platform's signing keys and the
public verification log.

A certificate is never deleted or edited after issue: its snapshot (the facts printed on it) is frozen,
canonicalised with RFC 8785 (JCS) and signed with Ed25519; its PDF is stored with its SHA-256 and a
signature over that digest. Only the status moves (valid / suspended / revoked, with reason and date).
Private signing keys never live in the database: DTE_SIGNING_KEY holds them (see signing.py); the
public half of every key ever used is kept here so that old certificates verify after rotation.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dte.catalogue.models import Level
from dte.organisations.scoping import Scope


class SigningKey(models.Model):
    """The public half of an Ed25519 key the platform has signed with (published at /credentials/keys.json)."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    public_key = models.CharField(_("public key (base64, raw 32 bytes)"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    access_scope = Scope(public=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.kid


def level_certificate_path(instance, filename):
    return f"credentials/level/{instance.issued_on.year}/{instance.number}.pdf"


class LevelCertificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    token = models.CharField(max_length=64, unique=True, editable=False)  # random, for the QR code
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="level_certificates")
    occupation = models.ForeignKey("catalogue.Occupation", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    direction = models.CharField(_("direction"), max_length=64, blank=True)
    issuer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="level_certificates")
    issuer_name = models.CharField(_("issuer (catalogue name on the issue date)"), max_length=128)
    exam_date = models.DateField(_("exam date"))
    national_reference = models.CharField(_("national review reference"), max_length=64, blank=True)
    source_label = models.CharField(_("source"), max_length=128, blank=True)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey("organisations.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)  # Ed25519 over RFC 8785 JCS bytes of the snapshot, base64
    pdf = models.FileField(upload_to=level_certificate_path, max_length=255)
    pdf_sha256 = models.CharField(max_length=64, db_index=True)
    pdf_signature = models.CharField(max_length=128)  # Ed25519 over the 32 raw bytes of the PDF's SHA-256, base64
    created_at = models.DateTimeField(auto_now_add=True)

    access_scope = Scope(division="issuer__division__code", organisation="issuer_id", owner="person__user_id")

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("level certificate")
        verbose_name_plural = _("level certificates")
        constraints = [
            models.UniqueConstraint(fields=["person", "occupation", "level", "direction"], condition=~Q(status="revoked"),
                                    name="one_live_level_certificate_per_person_occupation_level"),
        ]

    def __str__(self) -> str:
        return self.number


class LevelCertificateCounter(models.Model):
    issuer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("level certificate counter")
        verbose_name_plural = _("level certificate counters")
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="one_level_counter_per_issuer_year")]


class VerificationLog(models.Model):
    """One row per public verification (lean, written in batches; not the audit chain)."""

    class Kind(models.TextChoices):
        LEVEL = "level", _("Level certificate")
        TRAINING = "training", _("Training certificate")
        NONE = "", _("None")

    class Method(models.TextChoices):
        NUMBER = "number", _("Number and name")
        TOKEN = "token", _("QR token")
        PDF = "pdf", _("PDF file")

    class Outcome(models.TextChoices):
        FOUND = "found", _("Found")
        NOT_FOUND = "not_found", _("Not found")
        MATCH = "match", _("File matches")
        MISMATCH = "mismatch", _("File does not match")
        THROTTLED = "throttled", _("Throttled")

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    certificate_number = models.CharField(max_length=40, blank=True)
    channel = models.CharField(max_length=4, default="web")  # web | api
    ip = models.GenericIPAddressField(null=True, blank=True)

    access_scope = Scope()  # platform administrators only

    class Meta:
        verbose_name = _("verification log entry")
        verbose_name_plural = _("verification log entries")
        ordering = ["-at", "-pk"]
