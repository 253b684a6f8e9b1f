"""DTE_UPLOAD_MAX_BYTES enforced while the upload streams in (issue 8 finding 7).

The first upload handler counts every file's bytes as they arrive; past the limit it skips the file (the
other handlers' temporary copies are closed and deleted, the rest of that file is read and discarded,
nothing is stored) and marks the request, so the view answers with a clear message; the form's other
fields (the CSRF token among them) are still parsed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


def upload_refused(request) -> bool:
    return bool(getattr(request, "upload_too_large", False))


class MaxSizeUploadHandler(FileUploadHandler):
    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.DTE_UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
