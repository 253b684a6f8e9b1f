"""A level certificate's status change (suspended, revoked, restored) updates the title recognitions
it carries once the change commits (dte.credentials owns the status; we only follow it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dte.credentials.models import LevelCertificate


@receiver(post_save, sender=LevelCertificate, dispatch_uid="talent.level_certificate_status")
def level_certificate_status_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or not update_fields or "status" not in update_fields:
        return
    from .services import certificate_benefits_record

    pk = instance.pk
    transaction.on_commit(lambda: certificate_benefits_record(LevelCertificate.objects.get(pk=pk)))
