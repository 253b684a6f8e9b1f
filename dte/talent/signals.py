"""Follow the facts other apps own, once their change commits (we never write their tables):
- a level certificate's status change (suspended, revoked, restored) updates its title recognitions;
- a completion decision or a training certificate (issued, revoked) updates the enrolment's
  continuing-education hours.
Both are idempotent; the daily `talent.backfill` job catches anything missed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dte.credentials.models import LevelCertificate
from dte.training.models import CompletionDecision, TrainingCertificate


@receiver(post_save, sender=LevelCertificate, dispatch_uid="talent.level_certificate_status")
def level_certificate_status_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or not update_fields or "status" not in update_fields:
        return  # issue is handled by the call at the end of credentials' level_certificates_issue
    from .services import certificate_benefits_record

    pk = instance.pk
    transaction.on_commit(lambda: certificate_benefits_record(LevelCertificate.objects.get(pk=pk)))


def _ce_after_commit(enrolment_id: int) -> None:
    from dte.registry.models import Enrolment

    from .services import continuing_education_record_for_training

    transaction.on_commit(lambda: continuing_education_record_for_training(Enrolment.objects.get(pk=enrolment_id)))


@receiver(post_save, sender=CompletionDecision, dispatch_uid="talent.completion_decision")
def completion_decided(sender, instance, **kwargs):
    _ce_after_commit(instance.enrolment_id)


@receiver(post_save, sender=TrainingCertificate, dispatch_uid="talent.training_certificate")
def training_certificate_changed(sender, instance, **kwargs):
    _ce_after_commit(instance.enrolment_id)
