"""Level-exam API: sessions and candidates (scoped), scores pushed by an evaluation institution's
exam system, pass rates, and the caller's exam outcomes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from dte.organisations.scoping import get_scoped_or_404, scoped

from .errors import AssessmentError
from .models import Candidate, CertificateReport, ExamSession
from .selectors import pass_rates
from .services import result_record

router = Router(tags=["assessment"])


class SessionOut(Schema):
    id: int
    occupation_code: str
    occupation: str
    level: str
    date: date
    centre: str
    capacity: int
    admitted: int
    status: str


class CandidateOut(Schema):
    id: int
    ticket_number: str
    name: str
    status: str
    identity_checked: bool
    theory_score: Decimal | None
    practical_score: Decimal | None
    passed: bool | None
    locked: bool


class ScoreIn(Schema):
    ticket_number: str
    theory_score: Decimal
    practical_score: Decimal


class ScoresIn(Schema):
    scores: list[ScoreIn]


class ScoresOut(Schema):
    recorded: int
    refused: list[dict]


class RateOut(Schema):
    label: str
    sat: int
    passed: int
    rate: str


class ReportOut(Schema):
    id: int
    session_id: int
    status: str
    report_due_on: date
    confirm_due_on: date | None
    issue_due_on: date | None
    national_reference: str
    lines: int


def _candidate_out(c: Candidate) -> CandidateOut:
    return CandidateOut(id=c.pk, ticket_number=c.ticket_number, name=c.declaration.person.name, status=c.status,
                        identity_checked=c.identity_checked, theory_score=c.theory_score, practical_score=c.practical_score,
                        passed=c.passed, locked=c.locked)


@router.get("/sessions", response=list[SessionOut])
def api_sessions(request):
    rows = scoped(request.user, ExamSession.objects.select_related("occupation", "centre")).order_by("-date", "-pk")[:500]
    return [SessionOut(id=s.pk, occupation_code=s.occupation.code, occupation=s.occupation.name, level=s.level, date=s.date,
                       centre=s.centre.name, capacity=s.capacity, status=s.status,
                       admitted=s.candidates.exclude(status=Candidate.Status.WITHDRAWN).count()) for s in rows]


@router.get("/sessions/{session_id}/candidates", response=list[CandidateOut])
def api_candidates(request, session_id: int):
    session = get_scoped_or_404(request.user, ExamSession.objects.all(), pk=session_id)
    candidates = scoped(request.user, session.candidates.select_related("declaration__person"))
    return [_candidate_out(c) for c in candidates]


@router.post("/sessions/{session_id}/scores", response=ScoresOut)
def api_scores(request, session_id: int, payload: ScoresIn):
    """Push both scores per candidate; each entry is checked on its own (refusals listed, none lost)."""
    session = get_scoped_or_404(request.user, ExamSession.objects.all(), write=True, pk=session_id)
    candidates = {c.ticket_number: c for c in session.candidates.select_related("session__occupation", "session__centre")}
    recorded, refused = 0, []
    for entry in payload.scores:
        candidate = candidates.get(entry.ticket_number)
        try:
            if candidate is None:
                raise AssessmentError("本场次没有该准考证号", code="UNKNOWN_TICKET")
            result_record(candidate, theory=entry.theory_score, practical=entry.practical_score, by=request.user,
                          source=Candidate.Source.API)
            recorded += 1
        except AssessmentError as error:
            if error.code == "FORBIDDEN":
                raise HttpError(403, error.message) from None
            refused.append({"ticket_number": entry.ticket_number, "code": error.code, "message": error.message})
    return ScoresOut(recorded=recorded, refused=refused)


@router.get("/pass-rates", response=list[RateOut])
def api_pass_rates(request, by: str = "session"):
    if by not in ("session", "institution", "occupation"):
        raise HttpError(400, "by must be session, institution or occupation")
    rates = pass_rates(scoped(request.user, Candidate.objects.all()), by)
    return [RateOut(label=r.label, sat=r.sat, passed=r.passed, rate=r.rate_display) for r in rates]


@router.get("/reports", response=list[ReportOut])
def api_reports(request):
    rows = scoped(request.user, CertificateReport.objects.all())[:500]
    return [ReportOut(id=r.pk, session_id=r.session_id, status=r.status, report_due_on=r.report_due_on,
                      confirm_due_on=r.confirm_due_on, issue_due_on=r.issue_due_on, national_reference=r.national_reference,
                      lines=r.lines.count()) for r in rows]
