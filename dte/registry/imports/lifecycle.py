"""An import's life outside its two jobs: who may upload and import, the upload that starts the validation
job, the claim that starts the commit job once, a failure's message, and the release of a commit that
changed nothing."""

from __future__ import annotations

from django.conf import settings

from dte.organisations.roles import Role

from .. import import_files
from ..errors import RegistryError
from ..models import RosterImport, TrainingClass

UNREADABLE = "文件无法读取（已损坏，或不是有效的 .xlsx/.csv 文件），请使用下载的模板重新填写后上传。"


def require_institution_staff(user, institution) -> None:
    """Only the institution's own training staff upload and import its rosters (deny by default):
    the roster is the institution's 实名制 record (人社部发〔2024〕3号 二(三); 晋人社厅发〔2024〕27号 三),
    so finance, officers, auditors and other institutions read results but never write."""
    if not (user is not None and getattr(user, "is_authenticated", False) and user.is_active
            and user.role == Role.TRAINING_STAFF and user.organisation_id == institution.pk):
        raise RegistryError("只有本培训机构的工作人员可以上传和导入本机构的名单。", code="FORBIDDEN")


def roster_fail(roster: RosterImport, message: str) -> RosterImport:
    roster.status, roster.message = RosterImport.Status.FAILED, message[:255]
    RosterImport.objects.filter(pk=roster.pk).update(status=roster.status, message=roster.message)
    return roster


def not_committable(status: str) -> RegistryError:
    if status == RosterImport.Status.IMPORTED:
        return RegistryError("该名单已导入，不能重复导入。", code="ALREADY_IMPORTED")
    return RegistryError("请先完成校验，再导入有效行。", code="NOT_VALIDATED")


def open_source(roster: RosterImport):
    roster.source.open("rb")
    return roster.source


def roster_upload(*, institution, upload, user=None, training_class: TrainingClass | None = None) -> tuple:
    """Store the uploaded file (encrypted at rest) and start the validation job; returns (RosterImport, Job)."""
    from dte.jobs.services import job_start

    require_institution_staff(user, institution)
    name = getattr(upload, "name", "roster.xlsx")
    if not name.lower().endswith((".xlsx", ".csv")):
        raise RegistryError("只接受 .xlsx 或 .csv 文件。", code="BAD_FILE")
    if getattr(upload, "size", 0) > settings.DTE_UPLOAD_MAX_BYTES:
        raise import_files.upload_too_large()
    if training_class is not None and training_class.institution_id != institution.pk:
        raise RegistryError("只能向本机构的班级导入名单。", code="NOT_OWN_CLASS")
    roster = RosterImport(institution=institution, training_class=training_class, source_name=name.rsplit("/", 1)[-1],
                          created_by=user)
    roster.source.save(roster.source_name, upload, save=False)
    roster.save()
    job = job_start("registry.import_validate", params={"import_id": roster.pk}, user=user)
    return roster, job


def roster_import_start(roster: RosterImport, *, user=None):
    """Queue the commit once: the import moves validated → importing atomically, so a second request
    (double click, two tabs, two people) is refused with a message instead of a second import."""
    from dte.jobs.services import job_start

    require_institution_staff(user, roster.institution)
    if not roster.rows_valid and roster.status == RosterImport.Status.VALIDATED:
        raise RegistryError("没有可导入的有效行。", code="NOTHING_TO_IMPORT")
    claimed = RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.VALIDATED).update(
        status=RosterImport.Status.IMPORTING, message="导入排队中")
    if not claimed:
        roster.refresh_from_db(fields=["status"])
        if roster.status == RosterImport.Status.IMPORTING:
            raise RegistryError("该名单正在导入，请勿重复提交。", code="IMPORT_RUNNING")
        raise not_committable(roster.status)
    roster.status = RosterImport.Status.IMPORTING
    return job_start("registry.import_commit", params={"import_id": roster.pk}, user=user)


def roster_import_release(roster_id: int, message: str) -> None:
    """A commit that failed or was interrupted changed nothing: the import can be committed again."""
    RosterImport.objects.filter(pk=roster_id, status=RosterImport.Status.IMPORTING).update(
        status=RosterImport.Status.VALIDATED, message=message[:255])
