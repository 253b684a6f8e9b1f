"""Declaration (catalogue check, commitment kept exactly, withdraw before close), sessions
(capacity enforced), results (both parts, pass marks, lock, change with reason), imports and API."""

import hashlib
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from openpyxl import Workbook

from dte.audit.models import AuditEvent
from dte.catalogue.models import InstitutionListing
from dte.registry.tests.factories import occupation, officer

from ..errors import AssessmentError
from ..jobs import chain_items
from ..models import Candidate, Declaration, ExamStandard, ResultChange, ScoreImport
from ..pdf import ticket_layout
from ..services import (
    candidate_check_in, candidates_admit, commitment_text, declaration_withdraw, exam_standard_save, result_change,
    result_record, session_results_confirm,
)
from .factories import declare, evaluation_staff, evaluator, exam_session, training_certificate

pytestmark = pytest.mark.django_db


def test_commitment_kept_exactly_and_conditions_shown():
    org = evaluator()
    cert = training_certificate()
    assert "未设置" in commitment_text(cert, org, "")
    exam_standard_save(occupation(), "junior", conditions="取得培训合格证书", theory_pass_mark=Decimal("60"),
                       practical_pass_mark=Decimal("70"), citation="国家职业标准", by=officer("140000"))
    d = declare(cert, org, ip="10.1.2.3")
    assert "取得培训合格证书" in d.commitment_text and d.conditions == "取得培训合格证书"
    assert d.commitment_sha256 == hashlib.sha256(d.commitment_text.encode()).hexdigest()
    assert d.ip == "10.1.2.3" and d.via == Declaration.Via.SELF
    with pytest.raises(AssessmentError) as e:
        declare(cert, org)
    assert e.value.code == "ALREADY_DECLARED"


def test_tampered_text_and_unlisted_institution_refused():
    cert = training_certificate()
    from ..services import declaration_create

    org = evaluator()
    with pytest.raises(AssessmentError) as e:
        declaration_create(cert, org, text="别的文本", by=cert.enrolment.person.user)
    assert e.value.code == "COMMITMENT_TEXT_CHANGED"
    for unlisted in (evaluator(listed=False), evaluator(levels=("intermediate",))):
        with pytest.raises(AssessmentError) as e:
            declare(cert, unlisted)
        assert e.value.code == "NOT_LISTED"
    suspended = evaluator()
    InstitutionListing.objects.filter(organisation=suspended).update(status="suspended")
    from dte.catalogue.models import ListingAdjustment
    ListingAdjustment.objects.create(listing=InstitutionListing.objects.get(organisation=suspended), action="suspend",
                                     to_status="suspended", effective_on=cert.issued_on - timedelta(days=400))
    with pytest.raises(AssessmentError):
        declare(cert, suspended)


def test_only_owner_or_training_institution_declares():
    cert = training_certificate()
    org = evaluator()
    with pytest.raises(AssessmentError):
        declare(cert, org, by=training_certificate().enrolment.person.user)
    with pytest.raises(AssessmentError):
        declare(cert, org, by=evaluation_staff(org))
    from dte.registry.tests.factories import staff
    d = declare(cert, org, by=staff(cert.enrolment.training_class.institution))
    assert d.via == Declaration.Via.INSTITUTION


def test_capacity_enforced_and_withdraw_until_close():
    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s, capacity=2)
    ds = [declare(training_certificate(), org) for _ in range(3)]
    with pytest.raises(AssessmentError) as e:
        candidates_admit(session, ds, by=s, today=session.date)
    assert e.value.code == "CAPACITY"
    a, b = candidates_admit(session, ds[:2], by=s, today=session.date)
    assert a.ticket_number != b.ticket_number and a.ticket_token != b.ticket_token
    with pytest.raises(AssessmentError):
        candidates_admit(session, ds[2:], by=s, today=session.date)
    with pytest.raises(AssessmentError) as e:
        declaration_withdraw(ds[0], by=ds[0].person.user, today=session.declarations_close_on + timedelta(days=1))
    assert e.value.code == "CLOSED"
    declaration_withdraw(ds[0], by=ds[0].person.user, today=session.declarations_close_on)
    assert Candidate.objects.get(pk=a.pk).status == "withdrawn"
    candidates_admit(session, ds[2:], by=s, today=session.date)  # the withdrawn place is free again
    with pytest.raises(AssessmentError):  # another institution's staff
        candidates_admit(session, [], by=evaluation_staff(evaluator()), today=session.date)


def test_pass_marks_from_standard_lock_and_change_with_reason():
    org = evaluator()
    s = evaluation_staff(org)
    ExamStandard.objects.create(occupation=occupation(), level="junior", theory_pass_mark=Decimal("70"), citation="标准")
    session = exam_session(org, by=s)
    c1, c2 = candidates_admit(session, [declare(training_certificate(), org) for _ in range(2)], by=s, today=session.date)
    candidate_check_in(c1, by=s, identity_checked=True, incident="迟到5分钟")
    result_record(c1, theory="65", practical="90", by=s)
    c1.refresh_from_db()
    assert (c1.theory_passed, c1.practical_passed, c1.passed, c1.theory_pass_mark) == (False, True, False, Decimal("70"))
    with pytest.raises(AssessmentError):
        result_record(c1, theory="101", practical="90", by=s)
    with pytest.raises(AssessmentError) as e:
        session_results_confirm(session, by=s)
    assert e.value.code == "INCOMPLETE"
    candidate_check_in(c2, by=s, identity_checked=False, absent=True)
    session_results_confirm(session, by=s)
    c1.refresh_from_db()
    assert c1.locked and Candidate.objects.get(pk=c2.pk).status == "absent"
    with pytest.raises(AssessmentError) as e:
        result_record(c1, theory="75", practical="90", by=s)
    assert e.value.code == "LOCKED"
    with pytest.raises(AssessmentError):
        result_change(c1, theory="75", practical="90", reason=" ", by=s)
    result_change(c1, theory="75", practical="90", reason="复核加分", by=s)
    c1.refresh_from_db()
    assert c1.passed is True
    change = ResultChange.objects.get(candidate=c1)
    assert change.before["theory_score"] == "65.0" and change.after["theory_score"] == "75.0" and change.reason == "复核加分"
    assert AuditEvent.objects.filter(action="assessment.result.change").exists()


def _sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["准考证号", "姓名", "理论知识成绩", "专业能力成绩"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_import_job_with_per_row_errors(django_capture_on_commit_callbacks):
    from dte.jobs.services import job_start

    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    c1, c2 = candidates_admit(session, [declare(training_certificate(), org) for _ in range(2)], by=s, today=session.date)
    data = _sheet([[c1.ticket_number, c1.declaration.person.name, 80, 70],
                   [c2.ticket_number, "冒名", 80, 70], ["ZK000", "某人", 1, 1], [c2.ticket_number, c2.declaration.person.name, "abc", 70]])
    imp = ScoreImport(session=session, source_name="s.xlsx", created_by=s)
    imp.source.save("s.xlsx", ContentFile(data), save=False)
    imp.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("assessment.import_scores", params={"import_id": imp.pk}, user=s)
    imp.refresh_from_db()
    job.refresh_from_db()
    assert job.status == "succeeded"
    assert (imp.rows_total, imp.rows_ok) == (4, 1)
    assert [e["row"] for e in imp.errors] == [3, 4, 5]
    assert Candidate.objects.get(pk=c1.pk).score_source == "import"


def test_api_scores_and_scope(client):
    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=s, today=session.date)
    client.force_login(s)
    r = client.post(f"/api/assessment/sessions/{session.pk}/scores", {"scores": [
        {"ticket_number": c.ticket_number, "theory_score": "61", "practical_score": "59"},
        {"ticket_number": "nope", "theory_score": "61", "practical_score": "59"}]}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["recorded"] == 1 and r.json()["refused"][0]["code"] == "UNKNOWN_TICKET"
    c.refresh_from_db()
    assert c.passed is False and c.score_source == "api"
    other = evaluation_staff(evaluator())
    client.force_login(other)
    assert client.post(f"/api/assessment/sessions/{session.pk}/scores", {"scores": []},
                       content_type="application/json").status_code == 404
    assert client.get(f"/api/assessment/sessions/{session.pk}/candidates").status_code == 404


def test_ticket_pdf_qr_does_not_overlap_text():
    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=s, today=session.date)
    pdf, layout = ticket_layout(c)
    assert pdf.startswith(b"%PDF") and layout.qr is not None and not layout.overlaps_qr()


def test_reminders_flag_overdue_reports():
    org = evaluator()
    s = evaluation_staff(org)
    session = exam_session(org, by=s)
    [c] = candidates_admit(session, [declare(training_certificate(), org)], by=s, today=session.date)
    result_record(c, theory="90", practical="90", by=s)
    session_results_confirm(session, by=s)
    items = chain_items(session.date + timedelta(days=31))
    assert items and items[0]["step"] == "report" and items[0]["overdue"] is True
    assert chain_items(session.date + timedelta(days=1)) == []
