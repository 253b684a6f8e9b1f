"""Writes for training delivery, one module per concern; import from here."""

from .attendance import (  # noqa: F401
    CheckInResult, attendance_correct, check_in, check_out, excuse_grant, online_time_push, session_close,
)
from .certificates import (  # noqa: F401
    IntegrityFailure, certificate_bytes, certificate_preview, certificate_public, certificate_revoke, certificates_issue,
    number_is_valid,
)
from .completion import assessment_record, completion_decide, completion_reasons, enrolment_set_status  # noqa: F401
from .evidence import evidence_attach, evidence_validate  # noqa: F401
from .reports import report_rows, report_submit, report_xlsx  # noqa: F401
from .schedule import (  # noqa: F401
    Problem, TrainingError, schedule_check, schedule_confirm, session_delete, session_save, venue_save,
)
