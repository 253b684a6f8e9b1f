"""Roster import: template, streaming validation with an error column per row, and the
all-or-nothing import of the valid rows; memory stays flat (rows are handled in chunks; only the
blind indexes seen so far are kept). One module per step; import from here.

- columns: the roster's columns, accepted words, the template workbook;
- reading: the rows of an upload (limits in dte.registry.import_files), a cell as text or date;
- validation: each row's own checks, the registry and class checks per chunk, the validation job;
- kept: the validation's result kept for the commit;
- commit: the commit job, writing in batches inside one transaction;
- lifecycle: who may, the upload, the claim that starts the commit once, failure and release.

Issue 12 item 1 (≥ 10,000 rows/s end to end): the validation keeps its result — every row whose own
checks passed (ID number, phone, division, status, dates, duplicates within the file), parsed, with the
eligibility decisions quoted for new people — in an encrypted file beside the upload (`kept_name`); the
commit reads that back and re-checks only what the registry may have changed since (people registered
meanwhile, enrolments in the class, consent, a known person's history), a chunk at a time, then writes
with COPY on PostgreSQL (bulk_create elsewhere) inside one transaction. Reference data (divisions, the
catalogue's subsidy standards) is read once per job (rules.RosterEligibility). An import validated
before this existed has no kept file: its commit validates the source again, as before."""

from .columns import COLUMNS, HEADERS, RESULT_HEADER, STATUS_CODES, STATUS_WORDS, template_workbook  # noqa: F401
from .commit import BATCH, ENROLMENT_COLUMNS, PERSON_COLUMNS, roster_commit  # noqa: F401
from .kept import KeptRows, kept_name, kept_rows  # noqa: F401
from .lifecycle import (  # noqa: F401
    UNREADABLE, require_institution_staff, roster_fail, roster_import_release, roster_import_start,
    roster_upload,
)
from .reading import RowResult, _date, _text, read_rows  # noqa: F401
from .validation import CHUNK, PREFIX, checked_rows, parsed_rows, roster_validate, validate_rows  # noqa: F401
