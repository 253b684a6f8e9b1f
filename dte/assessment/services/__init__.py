"""Writes for level exams, one module per concern; import from here."""

from .chain import (  # noqa: F401
    report_create, report_issue, report_national_record, report_province_decide, report_resubmit, report_set_status,
)
from .declarations import (  # noqa: F401
    commitment_text, conditions_for, declaration_create, declaration_set_status, declaration_void, declaration_withdraw,
    exam_standard, exam_standard_save, listing_may_assess,
)
from .results import parse_score, pass_marks, result_change, result_record, session_results_confirm  # noqa: F401
from .sessions import (  # noqa: F401
    candidate_check_in, candidates_admit, declarations_admissible, require_evaluator, session_create, session_set_status,
)
from .training_reports import training_report_review  # noqa: F401,E402
