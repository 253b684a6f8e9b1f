"""Exam results: two scores per candidate (theory knowledge 理论知识, professional ability 专业能力),
pass marks per occupation and level (60/100 unless the exam standard says otherwise), a pass only
when both pass; locked once confirmed, a later change needs a reason and is audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from dte.audit.services import audit_record

from ..errors import AssessmentError
from ..models import DEFAULT_PASS_MARK, FULL_MARK, Candidate, ExamSession, ResultChange
from .declarations import exam_standard
from .sessions import require_evaluator, session_set_status

C = Candidate.Status


def pass_marks(occupation, level: str) -> tuple[Decimal, Decimal]:
    standard = exam_standard(occupation, level)
    if standard is None:
        return DEFAULT_PASS_MARK, DEFAULT_PASS_MARK
    return standard.theory_pass_mark, standard.practical_pass_mark


def parse_score(value, label: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise AssessmentError(f"{label}不是有效分数：{value!r}", code="BAD_SCORE") from None
    if not score.is_finite() or score < 0 or score > FULL_MARK:
        raise AssessmentError(f"{label}应在0到{FULL_MARK}之间：{value}", code="BAD_SCORE")
    if score != score.quantize(Decimal("0.1")):
        raise AssessmentError(f"{label}最多一位小数：{value}", code="BAD_SCORE")
    return score.quantize(Decimal("0.1"))


def _result_state(c: Candidate) -> dict:
    return {"theory_score": None if c.theory_score is None else str(c.theory_score),
            "practical_score": None if c.practical_score is None else str(c.practical_score),
            "passed": c.passed, "status": c.status}


def _apply(candidate: Candidate, theory: Decimal, practical: Decimal) -> None:
    t_mark, p_mark = pass_marks(candidate.session.occupation, candidate.session.level)
    candidate.theory_score, candidate.practical_score = theory, practical
    candidate.theory_pass_mark, candidate.practical_pass_mark = t_mark, p_mark
    candidate.theory_passed, candidate.practical_passed = theory >= t_mark, practical >= p_mark
    candidate.passed = candidate.theory_passed and candidate.practical_passed


def result_record(candidate: Candidate, *, theory, practical, by, source: str = Candidate.Source.UI) -> Candidate:
    """Enter or correct both scores before the session's results are confirmed."""
    require_evaluator(by, candidate.session.evaluation_institution_id)
    theory, practical = parse_score(theory, "理论知识成绩"), parse_score(practical, "专业能力成绩")
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().select_related("session__occupation", "session__centre").get(pk=candidate.pk)
        if candidate.locked:
            raise AssessmentError("成绩已确认锁定，修改须说明理由。", code="LOCKED")
        if candidate.status not in (C.ADMITTED, C.SCORED):
            raise AssessmentError(f"考生状态为“{C(candidate.status).label}”，不能录入成绩。", code="BAD_STATE")
        if candidate.session.status not in (ExamSession.Status.PLANNED, ExamSession.Status.HELD):
            raise AssessmentError("场次已取消或成绩已确认。", code="BAD_SESSION")
        if candidate.session.date > timezone.localdate():
            raise AssessmentError("考核尚未举行，不能录入成绩。", code="NOT_YET")
        before = _result_state(candidate)
        _apply(candidate, theory, practical)
        candidate.status, candidate.score_source = C.SCORED, source
        candidate.scored_at, candidate.scored_by = timezone.now(), by
        candidate.save()
        audit_record("assessment.result.record", obj=candidate, before=before, after=_result_state(candidate),
                     division_code=candidate.session.centre.division_id, organisation_id=candidate.session.evaluation_institution_id)
    return candidate


def session_results_confirm(session: ExamSession, *, by) -> ExamSession:
    """Lock every result of the session. All present candidates must have both scores."""
    require_evaluator(by, session.evaluation_institution_id)
    with transaction.atomic():
        if session.status == ExamSession.Status.PLANNED:
            session = session_set_status(session, ExamSession.Status.HELD, by=by)
        candidates = list(session.candidates.select_for_update().order_by("pk"))
        pending = [c.ticket_number for c in candidates if c.status == C.ADMITTED]
        if pending:
            raise AssessmentError(f"尚有{len(pending)}名考生未录入成绩或未标记缺考：{', '.join(pending[:5])}", code="INCOMPLETE")
        now = timezone.now()
        for c in candidates:
            if c.status == C.SCORED:
                Candidate.objects.filter(pk=c.pk).update(status=C.CONFIRMED, locked=True, confirmed_at=now, confirmed_by=by)
        return session_set_status(session, ExamSession.Status.CONFIRMED, by=by)


def result_change(candidate: Candidate, *, theory, practical, reason: str, by) -> Candidate:
    """Change a confirmed result: a reason is required; audited and kept on the candidate's record."""
    require_evaluator(by, candidate.session.evaluation_institution_id)
    if not reason.strip():
        raise AssessmentError("修改已确认的成绩须填写理由。", code="REASON_REQUIRED")
    theory, practical = parse_score(theory, "理论知识成绩"), parse_score(practical, "专业能力成绩")
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().select_related("session__occupation", "session__centre").get(pk=candidate.pk)
        if candidate.status != C.CONFIRMED:
            raise AssessmentError("只有已确认的成绩可以这样修改。", code="BAD_STATE")
        if candidate.report_lines.filter(report__status__in=["confirmed", "approved", "issued"]).exists():
            raise AssessmentError("证书数据已确认上报，不能修改成绩。", code="IN_CHAIN")
        before = _result_state(candidate)
        _apply(candidate, theory, practical)
        candidate.save()
        after = _result_state(candidate)
        ResultChange.objects.create(candidate=candidate, before=before, after=after, reason=reason.strip()[:255], by=by)
        audit_record("assessment.result.change", obj=candidate, before=before, after={**after, "reason": reason},
                     division_code=candidate.session.centre.division_id, organisation_id=candidate.session.evaluation_institution_id)
    return candidate
