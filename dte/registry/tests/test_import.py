import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from dte.jobs.models import Job
from dte.registry.imports import HEADERS, RESULT_HEADER, roster_import_start, roster_upload, template_workbook
from dte.registry.models import Enrolment, Person, PlanQuota, RosterImport

from dte.organisations.tests.factories import division

from .factories import PersonFactory, TrainingClassFactory, id_number, listed_institution, plan_with_quota, staff

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("roster.xlsx", buffer.getvalue())


def bad_checksum(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


@pytest.fixture
def setup_rows():
    existing = PersonFactory()
    good = [id_number("140105") for _ in range(3)]
    rows = [
        ["王一", good[0], "13900000001", "140105", "毕业生", "2024-06-30"],
        ["王二", good[1], "13900000002", "140105", "graduate", date(2024, 7, 1)],
        ["王三", bad_checksum(good[2]), "13900000003", "140105", "毕业生", "2024-06-30"],
        ["王四", good[0], "13900000004", "140105", "毕业生", "2024-06-30"],  # duplicate in file
        ["王五", id_number("140105"), "1234", "140105", "毕业生", "2024-06-30"],  # bad phone
        ["王六", id_number("140105"), "13900000006", "140105", "毕业生", "2024-13-45"],  # bad date
        ["王七", existing.id_number, "13900000007", "140105", "毕业生", "2024-06-30"],  # already in the registry
        ["王八", id_number("140105"), "13900000008", "140105", "在岗人员", "2020-06-30"],  # not eligible in Shanxi
    ]
    return existing, rows


def upload(rows, klass, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roster, job = roster_upload(institution=klass.institution, upload=xlsx(rows), training_class=klass,
                                    user=staff(klass.institution))
    roster.refresh_from_db()
    return roster, Job.objects.get(pk=job.pk)


def test_template_has_the_columns():
    ws = load_workbook(io.BytesIO(template_workbook())).active
    assert [c.value for c in ws[1]] == HEADERS


def test_validation_returns_the_sheet_with_an_error_column(setup_rows, django_capture_on_commit_callbacks):
    existing, rows = setup_rows
    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    roster, job = upload(rows, klass, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED and roster.status == RosterImport.Status.VALIDATED
    assert (roster.rows_total, roster.rows_valid, roster.rows_error, roster.rows_existing) == (8, 3, 5, 1)
    sheet = load_workbook(roster.result_file.open("rb")).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == HEADERS + [RESULT_HEADER]
    results = [r[-1] for r in table[1:]]
    assert results[0].startswith("通过") and results[1].startswith("通过")
    assert "校验位" in results[2]
    assert "与第 2 行重复" in results[3]
    assert "手机号码" in results[4]
    assert "毕业日期" in results[5] and "格式错误" in results[5]
    assert "已在实名库中登记" in results[6]
    assert "不符合条件" in results[7] and "晋人社厅发〔2024〕27号" in results[7]
    assert Person.objects.count() == 1  # validation writes nothing


def test_import_creates_valid_rows_and_enrols_them(setup_rows, django_capture_on_commit_callbacks):
    existing, rows = setup_rows
    quota = plan_with_quota(listed_institution(), places=10)
    klass = TrainingClassFactory(institution=quota.institution, quota=quota)
    roster, _ = upload(rows, klass, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(roster, user=staff(klass.institution))
    assert Job.objects.get(pk=job.pk).status == Job.Status.SUCCEEDED
    roster.refresh_from_db()
    assert (roster.people_created, roster.enrolments_created) == (2, 3)
    assert Person.objects.count() == 3 and Enrolment.objects.filter(training_class=klass).count() == 3
    assert Enrolment.objects.filter(person=existing, training_class=klass, source="import").exists()
    assert PlanQuota.objects.get(pk=quota.pk).enrolled == 3
    assert set(Person.objects.exclude(pk=existing.pk).values_list("registered_by", flat=True)) == {klass.institution_id}


def test_import_is_all_or_nothing(setup_rows, django_capture_on_commit_callbacks):
    existing, rows = setup_rows
    quota = plan_with_quota(listed_institution(), places=2)  # three valid rows: the last batch cannot fit
    klass = TrainingClassFactory(institution=quota.institution, quota=quota)
    roster, _ = upload(rows, klass, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_start(roster, user=staff(klass.institution))
    job = Job.objects.get(pk=job.pk)
    assert job.status == Job.Status.FAILED and "名额已满" in job.message
    assert Person.objects.count() == 1 and not Enrolment.objects.exists()
    assert PlanQuota.objects.get(pk=quota.pk).enrolled == 0
    roster.refresh_from_db()
    assert "未做任何更改" in roster.message


def test_csv_roster_is_accepted_and_bad_header_refused(django_capture_on_commit_callbacks):
    klass = TrainingClassFactory()
    division("140105")
    text = ",".join(HEADERS) + "\n" + f"赵一,{id_number()},13900000009,140105,毕业生,2024-06-30\n"
    with django_capture_on_commit_callbacks(execute=True):
        roster, _ = roster_upload(institution=klass.institution, training_class=klass, user=staff(klass.institution),
                                  upload=SimpleUploadedFile("r.csv", text.encode("utf-8-sig")))
    roster.refresh_from_db()
    assert (roster.rows_total, roster.rows_valid) == (1, 1)
    back = roster.result_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert roster.result_file.name.endswith(".csv") and back[0].endswith(RESULT_HEADER) and back[1].endswith("通过")
    with django_capture_on_commit_callbacks(execute=True):
        bad, job = roster_upload(institution=klass.institution, user=staff(klass.institution),
                                 upload=SimpleUploadedFile("r.csv", "a,b\n1,2\n".encode()))
    bad.refresh_from_db()
    assert bad.status == RosterImport.Status.FAILED and "表头" in bad.message
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED


def test_the_import_page_lists_the_failed_rows_and_why(setup_rows, django_capture_on_commit_callbacks, client):
    """Issue 13 item 14: which rows failed and why, on the page, without downloading the sheet."""
    existing, rows = setup_rows
    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    roster, _job = upload(rows, klass, django_capture_on_commit_callbacks)
    client.force_login(staff(klass.institution))
    body = client.get(f"/registry/imports/{roster.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "需要处理的行" in body and "校验位" in body and body.count("不能导入") == roster.rows_error
    for row in rows:  # full ID numbers stay in the downloadable sheet (masked there too unless entitled)
        assert not row[1] or str(row[1]) not in body


def test_import_problems_reads_the_sheet_only_up_to_what_the_page_shows(setup_rows, django_capture_on_commit_callbacks):
    """The count of rows to look at is kept with the import; the sheet is read up to the first `limit`."""
    from dte.registry.selectors import import_problems

    existing, rows = setup_rows
    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    roster, _job = upload(rows, klass, django_capture_on_commit_callbacks)
    every = import_problems(roster)
    assert [r["line"] for r in every["rows"]] == [4, 5, 6, 7, 8, 9] and every["more"] == 0
    assert [r["error"] for r in every["rows"]] == [True, True, True, True, False, True]
    roster = RosterImport.objects.get(pk=roster.pk)  # a field file is opened once
    first = import_problems(roster, limit=2)
    assert first["rows"] == every["rows"][:2] and first["more"] == 4
    roster.rows_error = roster.rows_existing = 0  # nothing to look at: the sheet is not opened
    roster.result_file.name = "gone.xlsx"
    assert import_problems(roster) == {"rows": [], "more": 0}
