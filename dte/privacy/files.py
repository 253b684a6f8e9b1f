"""Serving stored files: only to a user who may access the owning object, each download audited.

Files live encrypted in the default storage (dte/privacy/storage.py) and have no public URL; a view finds
the owning object through dte.organisations.scoping (role and jurisdiction), then streams the decrypted
file with this helper, which records who downloaded what (个人信息保护法 第五十一条、第五十五条).
"""

from __future__ import annotations

import mimetypes
import os

from django.http import FileResponse

from dte.audit.services import audit_record


def protected_file_response(user, obj, field_file, *, filename: str = "", division_code: str = "",
                            organisation_id: int | None = None, inline: bool = False) -> FileResponse:
    name = filename or os.path.basename(field_file.name)
    audit_record("file.download", obj=obj, actor=user, division_code=division_code or "", organisation_id=organisation_id,
                 after={"field": field_file.field.name, "file": name})
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(field_file.storage.open(field_file.name, "rb"), as_attachment=not inline, filename=name,
                            content_type=content_type)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
