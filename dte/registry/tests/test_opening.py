from datetime import date

import pytest

from dte.jobs.models import Job
from dte.jobs.services import job_start
from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.registry import rules
from dte.registry.errors import RegistryError
from dte.registry.models import ClassApplication, TrainingClass, TrainingPlanFiling
from dte.registry.selectors import class_applications_overdue, review_days_left
from dte.registry.services import enrolment_create
from dte.registry.services_opening import (
    class_application_review, class_application_save, class_application_set_status, class_application_submit,
)
from dte.workdays.services import calendar_seed_from_package

from .factories import PersonFactory, TrainingClassFactory, filing, listed_institution, officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    calendar_seed_from_package()


def ready_class(division_code: str, start: date, **kw) -> TrainingClass:
    institution = listed_institution(division_code)
    f = filing(institution)
    TrainingPlanFiling.objects.filter(pk=f.pk).update(status=TrainingPlanFiling.Status.ACCEPTED)
    klass = TrainingClassFactory(institution=institution, start_date=start, mode=TrainingClass.Mode.MARKET, **kw)
    enrolment_create(klass, PersonFactory(division=institution.division, employment_status="employee"))
    return klass


def application(klass) -> ClassApplication:
    return class_application_save(klass, schedule_summary="每周六、日 9:00-17:00；线上+线下", exam_plan="理论+实操考核",
                                  teachers=[{"name": "王老师", "title": "高级工程师"}])


def test_tianjin_application_15_calendar_days_ahead_late_one_is_refused_with_due_date():
    klass = ready_class("120100", date(2025, 10, 20))
    app = application(klass)
    with pytest.raises(RegistryError) as late:
        class_application_submit(app, today=date(2025, 10, 6))
    assert late.value.code == "LATE_APPLICATION"
    assert late.value.detail["due_on"] == "2025-10-05" and "2025-10-05" in late.value.message
    assert "津人社办发〔2022〕94号 附件4 一(一)" in late.value.citation
    class_application_submit(app, today=date(2025, 10, 5))  # exactly 15 days before: on time
    app.refresh_from_db()
    assert app.status == ClassApplication.Status.SUBMITTED and app.due_on == date(2025, 10, 5)


def test_yunnan_15_working_days_before_opening_across_national_day():
    klass = ready_class("530100", date(2025, 10, 20))
    due = rules.opening_due("530100", date(2025, 10, 20))
    # Oct 1–8 off, Sep 28 and Oct 11 worked: the 15th working day before Oct 20 is Sep 23.
    assert (due.date, due.unit, due.days) == (date(2025, 9, 23), "working", 15)
    assert "云人社通〔2023〕39号" in due.citation
    app = application(klass)
    with pytest.raises(RegistryError) as late:
        class_application_submit(app, today=date(2025, 9, 24))
    assert "2025-09-23" in late.value.message
    class_application_submit(app, today=date(2025, 9, 23))


def test_tianjin_review_within_5_working_days_days_left_and_overdue_flag():
    klass = ready_class("120100", date(2025, 10, 20))
    app = class_application_submit(application(klass), today=date(2025, 9, 26))
    # Fri Sep 26 + 5 working days: Sep 28 (make-up Sunday), 29, 30, Oct 9, Oct 10.
    assert app.review_due_on == date(2025, 10, 10) and "附件4 一(二)" in app.review_citation
    assert review_days_left(app, date(2025, 9, 30)) == 2
    assert list(class_applications_overdue(date(2025, 10, 10))) == []
    assert list(class_applications_overdue(date(2025, 10, 11))) == [app]
    klass.refresh_from_db()
    assert klass.status == TrainingClass.Status.SUBMITTED


def test_remind_overdue_job_lists_overdue_applications(django_capture_on_commit_callbacks):
    klass = ready_class("120100", date(2025, 10, 20))
    app = class_application_submit(application(klass), today=date(2025, 9, 26))
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start("registry.remind_overdue", params={"today": "2025-10-13"})
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.SUCCEEDED
    assert [i["application"] for i in job.result["overdue"]] == [app.pk]


def test_review_return_resubmit_approve_and_class_status_follows():
    klass = ready_class("120100", date(2025, 10, 20))
    app = class_application_submit(application(klass), today=date(2025, 9, 26))
    tj = officer("120000")
    with pytest.raises(RegistryError):
        class_application_review(app, "returned", by=tj, comment="", today=date(2025, 9, 29))
    class_application_review(app, "returned", by=tj, comment="补充师资证书", today=date(2025, 9, 29))
    klass.refresh_from_db()
    assert klass.status == TrainingClass.Status.RETURNED
    app.refresh_from_db()
    class_application_submit(app, today=date(2025, 9, 30))
    class_application_review(app, "approved", by=tj, today=date(2025, 10, 9))
    klass.refresh_from_db()
    app.refresh_from_db()
    assert (app.status, klass.status) == (ClassApplication.Status.APPROVED, TrainingClass.Status.APPROVED)
    with pytest.raises(RegistryError) as bad:
        class_application_set_status(app, ClassApplication.Status.SUBMITTED)
    assert bad.value.code == "BAD_TRANSITION"


def test_tianjin_officer_cannot_review_shanxi_and_district_officer_cannot_review_tianjin():
    shanxi = ready_class("140100", date(2025, 11, 20))
    app = class_application_submit(application(shanxi), today=date(2025, 10, 1))
    with pytest.raises(RegistryError) as refused:
        class_application_review(app, "approved", by=officer("120000"))
    assert refused.value.code == "NOT_REVIEWER"
    assert not scoped(officer("120000"), ClassApplication.objects.all()).exists()
    class_application_review(app, "approved", by=officer("140000"))
    tianjin = ready_class("120100", date(2025, 11, 20))
    tj_app = class_application_submit(application(tianjin), today=date(2025, 10, 1))
    with pytest.raises(RegistryError):
        class_application_review(tj_app, "approved", by=officer("120100", role=Role.LOCAL_OFFICER))


def test_application_needs_accepted_filing_and_roster():
    klass = TrainingClassFactory(institution=listed_institution("120100"), start_date=date(2025, 12, 1))
    with pytest.raises(RegistryError) as no_filing:
        class_application_submit(application(klass), today=date(2025, 10, 1))
    assert no_filing.value.code == "NO_FILING"
