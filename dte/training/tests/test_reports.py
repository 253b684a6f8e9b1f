"""The 30-day report: deadline from the pack, due-soon (≤7 days) and overdue flags, the Excel layout."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dte.registry.models import Enrolment
from dte.training.selectors import report_status, reports_flagged, reports_pending
from dte.training.services import TrainingError, report_submit, report_xlsx

from .factories import TrainingClassFactory, institution, staff, trainee

pytestmark = pytest.mark.django_db


def ended(days_ago, division_code="140105"):
    today = timezone.localdate()
    tc = TrainingClassFactory(institution=institution(division_code), start_date=today - timedelta(days=days_ago + 20),
                              end_date=today - timedelta(days=days_ago))
    e = trainee(tc)
    Enrolment.objects.filter(pk=e.pk).update(status=Enrolment.Status.COMPLETED)
    return tc


def test_deadline_is_thirty_days_after_end_with_citation():
    tc = ended(10)
    status = report_status(tc)
    assert status.deadline == tc.end_date + timedelta(days=30)
    assert "晋人社厅发〔2024〕27号 四(一)" in status.citation
    assert status.state == "open" and status.days_left == 20


@pytest.mark.parametrize("days_ago, state", [(22, "open"), (23, "due_soon"), (30, "due_soon"), (31, "overdue")])
def test_flags_near_and_past_deadline(days_ago, state):
    assert report_status(ended(days_ago)).state == state


def test_selector_lists_flagged_within_scope_only():
    soon, late, calm = ended(25), ended(40), ended(5)
    other = ended(40)
    user = staff(soon.institution)
    assert [r.training_class for r in reports_flagged(user)] == [soon]
    assert [r.state for r in reports_pending(staff(late.institution))] == ["overdue"]
    assert calm not in [r.training_class for r in reports_flagged(staff(calm.institution))]
    assert other not in [r.training_class for r in reports_pending(user)]


def test_submission_clears_flag_and_records_lateness():
    tc = ended(40)
    by = staff(tc.institution)
    report = report_submit(tc, by=by)
    assert report.on_time is False and report.rows[0]["completed"] == "是"
    assert report_status(tc).state == "submitted_late"
    assert reports_pending(by) == []


def test_tianjin_has_no_separate_deadline():
    status = report_status(ended(40, "120101"))
    assert status.deadline is None and status.state == "no_deadline" and "附件4" in status.citation


def test_submit_refused_without_decisions():
    tc = TrainingClassFactory(institution=institution("140105"))
    trainee(tc)
    with pytest.raises(TrainingError):
        report_submit(tc, by=staff(tc.institution))


def test_excel_layout_and_masked_ids():
    tc = ended(5)
    person = tc.enrolments.get().person
    wb = load_workbook(io.BytesIO(report_xlsx(tc)))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "数字技术工程师培育项目培训学员名单及培训情况"
    assert values[1][1] == tc.institution.name and values[2][1] == tc.title
    assert values[5] == ["序号", "姓名", "身份证号", "学时", "线上占比", "出勤率", "考核结果", "是否结业"]
    assert values[6][1] == person.name and values[6][2] == person.masked_id_number
    flat = " ".join(str(v) for row in values for v in row)
    assert person.id_number not in flat


def test_undecided_class_is_flagged_too():
    today = timezone.localdate()
    tc = TrainingClassFactory(institution=institution("140105"), start_date=today - timedelta(days=60),
                              end_date=today - timedelta(days=35))
    trainee(tc)  # still 'enrolled': completion never decided
    assert [r.state for r in reports_flagged(staff(tc.institution))] == ["overdue"]


def test_workbench_tile_counts_flagged_reports():
    from dte.training.workbench import tiles

    soon = ended(25)
    ended(5)
    user = staff(soon.institution)
    tile = next(t for t in tiles(user) if t.url.endswith("/training/reports/"))
    assert tile.count == 1


def test_daily_reminder_job_lists_due_and_overdue_reports():
    from dte.audit.models import AuditEvent
    from dte.jobs.models import Job
    from dte.jobs.services import job_run

    soon, late, calm = ended(25), ended(40), ended(5)
    job = job_run(Job.objects.create(kind="training.remind_reports").pk)
    assert job.status == Job.Status.SUCCEEDED, job.error
    states = {item["class"]: item["state"] for item in job.result["flagged"]}
    assert states == {soon.pk: "due_soon", late.pk: "overdue"}
    assert AuditEvent.objects.filter(action="training.report.overdue", object_id=str(late.pk)).exists()
    assert calm.pk not in states
