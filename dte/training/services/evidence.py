"""Photos and recordings attached to sessions (培训过程留存照片和视频)."""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dte.audit.services import audit_record

from ..models import Session, SessionEvidence
from .schedule import TrainingError

PHOTO_MAX_BYTES = 20 * 1024 * 1024

# extension → (evidence kind, magic check)
FORMATS = {
    ".jpg": (SessionEvidence.Kind.PHOTO, lambda head: head[:3] == b"\xff\xd8\xff"),
    ".jpeg": (SessionEvidence.Kind.PHOTO, lambda head: head[:3] == b"\xff\xd8\xff"),
    ".png": (SessionEvidence.Kind.PHOTO, lambda head: head[:8] == b"\x89PNG\r\n\x1a\n"),
    ".mp4": (SessionEvidence.Kind.VIDEO, lambda head: head[4:8] == b"ftyp"),
}


def video_max_bytes() -> int:
    return getattr(settings, "DTE_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)


def evidence_validate(name: str, size: int, head: bytes) -> str:
    """The evidence kind for an upload, or TrainingError: extension and magic bytes must agree."""
    ext = os.path.splitext(name or "")[1].lower()
    if ext not in FORMATS:
        raise TrainingError(_("Only jpg, png and mp4 are accepted."))
    kind, magic = FORMATS[ext]
    if not magic(head):
        raise TrainingError(_("The file content does not match its extension."))
    limit = PHOTO_MAX_BYTES if kind == SessionEvidence.Kind.PHOTO else video_max_bytes()
    if size > limit:
        raise TrainingError(_("The file is larger than %(mb)s MB") % {"mb": limit // (1024 * 1024)})
    if size == 0:
        raise TrainingError(_("Empty file."))
    return kind


@transaction.atomic
def evidence_attach(session: Session, upload, *, by) -> SessionEvidence:
    """Store an uploaded file (a Django UploadedFile/File) after checking type and size."""
    upload.seek(0)
    head = upload.read(16)
    kind = evidence_validate(upload.name, upload.size, head)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    evidence = SessionEvidence(session=session, kind=kind, original_name=os.path.basename(upload.name)[:255], size=upload.size,
                               sha256=digest.hexdigest(), uploaded_by=by)
    ext = os.path.splitext(upload.name)[1].lower()
    evidence.file.save(f"{kind}-{digest.hexdigest()[:16]}{ext}", upload, save=False)
    evidence.save()
    audit_record("training.evidence.attach", obj=evidence, after={"kind": kind, "sha256": evidence.sha256, "size": evidence.size},
                 division_code=session.training_class.division_id, organisation_id=session.training_class.institution_id)
    return evidence
