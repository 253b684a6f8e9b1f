"""The append-only, hash-chained audit trail.

Each event stores the hash of the previous one, and its own hash is an HMAC keyed with
DTE_AUDIT_KEY (outside the database); `audit_verify` recomputes the chain, compares it with
the signed checkpoints exported outside the database (checkpoints.py), and names any row
that was edited, deleted, moved, cut off or rewritten. Rows cannot be updated or
deleted through the ORM, and on PostgreSQL a trigger refuses UPDATE/DELETE as well.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dte.organisations.scoping import Scope


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.PROTECT, db_constraint=False)
    actor_label = models.CharField(_("actor"), max_length=150)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    division_code = models.CharField(max_length=6, blank=True, db_index=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()
    access_scope = Scope(division="division_code", organisation="organisation_id", owner="actor_id")

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash; locked to append in order."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
