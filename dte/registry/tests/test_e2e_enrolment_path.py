"""Browser end-to-end: the enrolment path (issue 4) clicked through the real pages, role by role —
filing (备案) → acceptance → class → announcement (a forbidden claim refused first) → public
self-registration and the signed commitment → roster import with an error column → class-opening
application → approval → audit trail.

Same approach as dte/web/tests/test_e2e_browser.py: Debian's chromium (/usr/bin/chromium, never a
downloaded browser) through Playwright against pytest-django's live_server; skipped only where
/usr/bin/chromium is missing; a failing test leaves screenshots of every open page in var/e2e/."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from dte.demo.people import make_id_number  # noqa: E402
from dte.organisations.roles import Role  # noqa: E402
from dte.organisations.tests.factories import division  # noqa: E402
from dte.registry.imports import HEADERS, RESULT_HEADER  # noqa: E402

from dte.jobs.models import Job  # noqa: E402
from dte.registry.models import (  # noqa: E402
    Announcement, ClassApplication, RosterImport, TrainingClass, TrainingPlanFiling,
)
from dte.web.tests.browser import browser  # noqa: E402,F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import open_as, zh  # noqa: E402,F401  (pytest fixtures are used by name)

from .factories import evaluation_institution, listed_institution, occupation, officer, plan_with_quota, staff  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page, form_selector: str = "main form[method=post]") -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit], button:not([type])").first.click()


def download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_enrolment_path_in_the_browser(open_as):
    today = date.today()
    opening = today + timedelta(days=60)
    division("140105", "小店区")
    school = listed_institution("140100", name="山西大学（E2E）")
    evaluator = evaluation_institution("140100")
    quota = plan_with_quota(school, 100, year=today.year)
    teacher = staff(school)
    province = officer("140000")
    taiyuan = officer("140100", role=Role.LOCAL_OFFICER)
    ai = occupation()

    # 1. institution staff file a training plan (备案) and submit it
    staff_page = open_as(teacher.username)
    staff_page.goto("/registry/filings/")
    staff_page.locator("main a.button[href='/registry/filings/new/']").click()
    form = staff_page.locator("main form[method=post]")
    form.locator("[name=occupation]").select_option(str(ai.pk))
    form.locator("[name=level]").select_option("junior")
    for name, value in {"hours_online_theory": "20", "hours_online_practice": "8", "hours_offline_theory": "20",
                        "hours_offline_practice": "32", "materials": "全国专业技术人员新职业培训教程",
                        "exam_plan": "理论知识考试与专业能力考核", "teachers_text": "李明 教授 高级工程师",
                        "venues_text": "太原市小店区坞城路92号 实训楼301", "exam_dates_text": (opening + timedelta(days=40)).isoformat()}.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("[name=evaluation_institution]").select_option(str(evaluator.pk))
    submit(staff_page)
    staff_page.wait_for_url(re.compile(r"/registry/filings/\d+/$"))
    filing_url = staff_page.url
    expect(staff_page.locator("main")).to_contain_text("李明")
    submit(staff_page, "main form:has(input[name=action][value=submit])")
    expect(staff_page.locator("main .badge").first).to_have_text(zh(TrainingPlanFiling.Status.SUBMITTED.label))

    # 2. the Taiyuan bureau officer accepts the filing
    officer_page = open_as(taiyuan.username)
    officer_page.goto("/registry/filings/?status=submitted")
    officer_page.locator("main table a", has_text=school.name).click()
    officer_page.wait_for_url(filing_url)
    officer_page.locator("main [name=decision]").select_option("accept")
    submit(officer_page, "main form:has([name=decision])")
    expect(officer_page.locator("main .badge").first).to_have_text(zh(TrainingPlanFiling.Status.ACCEPTED.label))

    # 3. staff create a class on the annual-plan quota
    staff_page.goto("/registry/classes/")
    staff_page.locator("main a.button[href='/registry/classes/new/']").click()
    form = staff_page.locator("main form[method=post]")
    form.locator("[name=title]").fill("人工智能工程技术人员初级培训班（E2E）")
    form.locator("[name=occupation]").select_option(str(ai.pk))
    form.locator("[name=level]").select_option("junior")
    form.locator("[name=mode]").select_option("subsidised")
    form.locator("[name=division]").select_option("140105")
    form.locator("[name=start_date]").fill(opening.isoformat())
    form.locator("[name=end_date]").fill((opening + timedelta(days=30)).isoformat())
    form.locator("[name=capacity]").fill("30")
    form.locator("[name=quota]").select_option(str(quota.pk))
    submit(staff_page)
    staff_page.wait_for_url(re.compile(r"/registry/classes/\d+/$"))
    klass = TrainingClass.objects.get(institution=school)
    class_url = staff_page.url

    # 4. an announcement with “包过” is refused with the phrase and its clause; a clean one is saved and published
    staff_page.locator(f"main a[href='/registry/classes/{klass.pk}/announcement/']").click()
    form = staff_page.locator("main form[method=post]")
    form.locator("[name=text]").fill("名师授课，包过！面向应届毕业生招生。")
    form.locator("[name=fee_fen]").fill("0")
    form.locator("[name=fee_standard]").fill("免费（财政补贴）")
    form.locator("[name=venue]").fill("太原市小店区坞城路92号")
    form.locator("[name=online_share_bp]").fill("35")  # per cent (issue 13 item 13)
    submit(staff_page)
    refusal = staff_page.locator("main section.card.error")
    expect(refusal).to_contain_text("包过")
    expect(refusal).to_contain_text("六(二)")  # the clause forbidding “包过”
    assert not Announcement.objects.exists()
    staff_page.locator("main form[method=post] [name=text]").fill("面向应届毕业生公开招生，免费培训，结业考核合格颁发培训合格证书。")
    submit(staff_page)
    staff_page.wait_for_url(class_url)
    submit(staff_page, "main form[action$='/publish/']")
    expect(staff_page.locator("main .badge.ok")).to_have_text(zh("published"))

    # 5. anonymously: the public announcements, self-registration, enrolment with the signed commitment
    public = open_as(None)
    public.goto("/registry/public/announcements/")
    article = public.locator("main article.card", has_text=klass.title)
    expect(article).to_contain_text("面向应届毕业生公开招生")
    public.locator("main a[href='/registry/public/register/']").click()
    own_id = make_id_number("140105", date(2002, 3, 14), 731)
    form = public.locator("main form[method=post]")
    for name, value in {"name": "陈同学", "id_number": own_id, "phone": "13935100009",
                        "graduation_date": today.replace(month=1, day=1).isoformat(), "password": "Secret@2026"}.items():
        form.locator(f"[name={name}]").fill(value)
    # the place of residence is picked province → prefecture → county (issue 13 item 13), not typed
    form.locator("select[data-division-level=province]").select_option("140000")
    form.locator("select[data-division-level=prefecture]").select_option("140100")
    form.locator("[name=division]").select_option("140105")
    form.locator("[name=employment_status]").select_option("graduate")
    submit(public)
    public.wait_for_url(re.compile(r"/registry/public/registered/$"))  # one answer, known or new (issue 8 finding 6)
    public.goto("/login/")
    public.locator("input[name=username]").fill("13935100009")  # trainees sign in with their mobile number
    public.locator("input[name=password]").fill("Secret@2026")
    public.locator("main button[type=submit]").click()
    public.wait_for_url(re.compile(r"/$"))
    public.goto("/registry/public/announcements/")
    public.locator("main article.card", has_text=klass.title).locator("a.button").click()
    public.wait_for_url(re.compile(r"/registry/public/announcements/\d+/enrol/$"))
    expect(public.locator("main pre")).to_contain_text("陈同学")
    public.locator("main input[name=agree]").check()
    submit(public)
    public.wait_for_url(re.compile(r"/registry/people/\d+/$"))  # /registry/me/ redirects to the own record
    expect(public.locator("main")).to_contain_text(klass.title)
    expect(public.locator("main")).not_to_contain_text(own_id)  # the record shows the ID masked

    # 6. staff download the import template and upload a roster with one bad row
    staff_page.goto("/registry/imports/new/")
    template = load_workbook(io.BytesIO(download(staff_page, staff_page.locator("main a[href$='template.xlsx']"))))
    assert [c.value for c in template.worksheets[0][1]] == HEADERS
    bad_id = make_id_number("140105", date(2001, 7, 1), 12)[:-1] + "0"
    if bad_id == make_id_number("140105", date(2001, 7, 1), 12):
        bad_id = bad_id[:-1] + "1"
    roster_csv = io.StringIO()
    writer = csv.writer(roster_csv)
    writer.writerow(HEADERS)
    writer.writerow(["王一", make_id_number("140105", date(2001, 7, 1), 11), "13900000001", "140105", "毕业生", f"{today.year}-01-01"])
    writer.writerow(["王二", bad_id, "13900000002", "140105", "毕业生", f"{today.year}-01-01"])
    writer.writerow(["王三", make_id_number("140106", date(2000, 2, 2), 21), "13900000003", "140105", "毕业生", f"{today.year}-01-01"])
    staff_page.locator("main input[name=file]").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": roster_csv.getvalue().encode("utf-8-sig")})
    staff_page.locator("main select[name=training_class]").select_option(str(klass.pk))
    submit(staff_page, "main form[enctype]")
    staff_page.wait_for_url(re.compile(r"/registry/imports/\d+/$"))
    for _ in range(20):  # validation runs as a background job (eagerly, after commit)
        if RosterImport.objects.get().status != RosterImport.Status.VALIDATING:
            break
        staff_page.wait_for_timeout(250)
    staff_page.reload()
    expect(staff_page.locator("main section.card p").nth(1)).to_contain_text(re.compile(r"3\D+2\D+1\D"))  # rows · valid · errors
    roster = RosterImport.objects.get()
    assert (roster.rows_total, roster.rows_valid, roster.rows_error) == (3, 2, 1)
    result = download(staff_page, staff_page.locator("main a[href$='/result/']")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(result)))
    assert rows[0][-1] == RESULT_HEADER
    by_name = {row[0]: row[-1] for row in rows[1:]}
    assert "身份证" in by_name["王二"] or "校验" in by_name["王二"], by_name
    assert by_name["王一"] and by_name["王二"] != by_name["王一"]
    staff_page.locator("main form[method=post] button").click()  # import the 2 valid rows (all or nothing)
    staff_page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    expect(staff_page.locator("#job-status")).to_have_text(zh(Job.Status.SUCCEEDED.label), timeout=30_000)
    staff_page.goto(class_url)
    for name in ("陈同学", "王一", "王三"):
        expect(staff_page.locator("main table").first).to_contain_text(name)
    expect(staff_page.locator("main table").first).not_to_contain_text("王二")

    # 7. staff submit the class-opening application
    form = staff_page.locator("main form:has(input[name=action][value=application])")
    form.locator("[name=schedule_summary]").fill("周末集中授课，共 80 学时，线上 28 学时")
    form.locator("[name=teachers_text]").fill("李明 教授 高级工程师")
    form.locator("[name=exam_plan]").fill("结业后由评价机构组织理论知识考试与专业能力考核")
    form.locator("button[name=submit]").click()
    staff_page.wait_for_url(class_url)
    expect(staff_page.locator("main section.card").first.locator(".badge")).to_have_text(zh(TrainingClass.Status.SUBMITTED.label))

    # 8. the bureau officer approves it
    app = ClassApplication.objects.get(training_class=klass)
    reviewer = open_as(province.username)
    reviewer.goto("/registry/applications/")
    reviewer.locator("main table a", has_text=klass.title).click()
    reviewer.wait_for_url(re.compile(rf"/registry/applications/{app.pk}/$"))
    expect(reviewer.locator("main")).to_contain_text("王三")
    reviewer.locator("main [name=decision]").select_option("approved")
    reviewer.locator("main [name=comment]").fill("材料齐全，同意开班")
    submit(reviewer, "main form:has([name=decision])")
    expect(reviewer.locator("main .badge").first).to_have_text(zh(ClassApplication.Status.APPROVED.label))

    # 9. the class shows as approved, and the audit trail lists the steps
    staff_page.goto(class_url)
    expect(staff_page.locator("main section.card").first.locator(".badge")).to_have_text(zh(TrainingClass.Status.APPROVED.label))
    reviewer.goto("/audit/?action=registry.")
    trail = reviewer.locator("main table")
    from django.utils import translation

    from dte.audit.labels import action_label  # the page names each action in words, never the code (issue 13 item 12)

    for action in ("registry.class.create", "registry.filing.status", "registry.announcement.publish",
                   "registry.commitment.sign", "registry.import.commit", "registry.class_application.status"):
        with translation.override("zh-hans"):
            label = action_label(action)
        expect(trail).to_contain_text(label)
        expect(trail).not_to_contain_text(action)
