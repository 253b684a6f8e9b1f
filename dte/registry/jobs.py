"""Background jobs of the registry: roster validation and import, overdue-review reminders."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from dte.audit.services import audit_record
from dte.jobs.registry import NOTIFY, job_handler

from .errors import RegistryError
from .imports import roster_commit, roster_import_release, roster_validate
from .models import RosterImport
from .selectors import class_applications_overdue


def _today(job) -> date | None:
    return date.fromisoformat(job.params["today"]) if job.params.get("today") else None


def _validate_abandoned(job, retrying: bool) -> None:
    if not retrying:
        RosterImport.objects.filter(pk=job.params.get("import_id"), status=RosterImport.Status.VALIDATING).update(
            status=RosterImport.Status.FAILED, message="校验中断（处理进程已停止），请重新上传。")


def _commit_abandoned(job, retrying: bool) -> None:
    if retrying:
        RosterImport.objects.filter(pk=job.params.get("import_id")).update(message="导入中断，未做任何更改，正在自动重试")
    else:
        roster_import_release(job.params.get("import_id"), "导入中断（处理进程已停止），未做任何更改，可重新导入。")


@job_handler("registry.import_validate", retry_safe=True, on_abandon=_validate_abandoned)
def import_validate(job, progress) -> dict:
    roster = RosterImport.objects.select_related("training_class", "institution").get(pk=job.params["import_id"])
    roster = roster_validate(roster, today=_today(job), progress=progress)
    if roster.status == RosterImport.Status.FAILED:
        raise RegistryError(roster.message)
    progress(roster.rows_total, roster.rows_total, roster.message, force=True)
    return {"import_id": roster.pk, "rows": roster.rows_total, "valid": roster.rows_valid, "errors": roster.rows_error,
            "existing": roster.rows_existing, "link": reverse("registry:import", args=[roster.pk])}


# All-or-nothing in one transaction and refused once imported: running it again is safe.
@job_handler("registry.import_commit", retry_safe=True, on_abandon=_commit_abandoned)
def import_commit(job, progress) -> dict:
    roster = RosterImport.objects.select_related("training_class", "institution").get(pk=job.params["import_id"])
    try:
        roster = roster_commit(roster, user=job.created_by, today=_today(job), progress=progress)
    except RegistryError as error:
        roster_import_release(roster.pk, f"导入失败，未做任何更改：{error}")
        raise
    except Exception:
        roster_import_release(roster.pk, "导入失败，未做任何更改：系统错误，请稍后重试。")
        raise
    progress(roster.rows_valid, roster.rows_valid, roster.message, force=True)
    return {"import_id": roster.pk, "people_created": roster.people_created, "enrolments_created": roster.enrolments_created,
            "link": reverse("registry:import", args=[roster.pk])}


@job_handler("registry.remind_overdue", queue=NOTIFY)
def remind_overdue(job, progress) -> dict:
    """Lists applications whose review deadline has passed (run daily by Celery beat)."""
    today = _today(job) or date.today()
    overdue = list(class_applications_overdue(today))
    items = [{"application": a.pk, "class": a.training_class.title, "institution": a.training_class.institution.name,
              "division": a.training_class.division_id, "submitted_on": a.submitted_on.isoformat(),
              "review_due_on": a.review_due_on.isoformat()} for a in overdue]
    for a in overdue:
        audit_record("registry.class_application.overdue", obj=a, division_code=a.training_class.division_id,
                     organisation_id=a.training_class.institution_id, after={"review_due_on": a.review_due_on})
    progress(len(items), len(items), f"{len(items)} 项开班申请审核逾期", force=True)
    return {"today": today.isoformat(), "overdue": items}
