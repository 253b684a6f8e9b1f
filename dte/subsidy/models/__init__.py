"""Subsidy claims, their review and publicity, payment batches, recoveries and the ledger.

Money is integer fen everywhere. A claim line is computed by the province pack from the
facts (dte.subsidy.facts) and stores the pack version, every parameter used and the trace,
so its amount can be explained from the line alone. Ledger rows are append-only (a
PostgreSQL trigger refuses UPDATE/DELETE, migration 0002) and hash-chained (`dte ledger verify`).
"""

# One module per part of the money path; every model is importable from dte.subsidy.models as before.
from .claims import (  # noqa: F401
    ACTIVE_STATUSES, CLAIMED_STATUSES, CLASS_SCOPE, LINE_SCOPE, Budget, Claim, ClaimExplanation, ClaimLine, ClaimLineQuerySet, ExplanationField, InstitutionHold,
    Objection, PersonLock, explanation_digest, explanations_store,
)
from .employment import EmploymentRecord, employment_evidence_path  # noqa: F401
from .ledger import LedgerEntry, LedgerHead, LedgerTransaction  # noqa: F401
from .payments import BankResultImport, OnwardPayment, PaymentBatch, PaymentItem, Recovery, onward_evidence_path  # noqa: F401
