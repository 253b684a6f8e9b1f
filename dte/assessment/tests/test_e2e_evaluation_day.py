"""Browser end-to-end: the evaluation institution's day, role by role, through the real pages —
a trainee declares (reads the conditions and the commitment, signs) → the evaluation institution
plans a session at its exam centre, admits, opens the admission ticket, checks identity, enters both
scores, confirms and reports the certificate data → the Shanxi province confirms and records the
national approval → the institution issues the level certificate (晋人社厅发〔2024〕27号 四(三)).

Debian's /usr/bin/chromium through Playwright against the live server, as in
dte/web/tests/test_e2e_browser.py; skipped only where /usr/bin/chromium is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from dte.registry.tests.factories import officer  # noqa: E402
from dte.web.tests.browser import browser  # noqa: E402,F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import open_as, zh  # noqa: E402,F401  (pytest fixtures are used by name)

from ..models import Candidate, CertificateReport, Declaration  # noqa: E402
from .factories import centre, evaluation_staff, evaluator, training_certificate  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def click(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_evaluation_institution_day(open_as):
    org = evaluator(name="山西省数字技术人才评价中心")
    exam_centre = centre(org)
    staff = evaluation_staff(org)
    cert = training_certificate()
    trainee = cert.enrolment.person.user
    province = officer("140000")
    today = timezone.localdate().isoformat()

    # The trainee declares: conditions ("not set"), the commitment text, signature.
    page = open_as(trainee.username)
    page.goto("/assessment/declarations/")
    click(page, page.locator(f"a[href='/assessment/declare/{cert.pk}/']"))
    expect(page.locator("main")).to_contain_text("未设置")
    page.locator("#id_institution").select_option(str(org.pk))
    click(page, page.locator("main form.toolbar button"))
    expect(page.locator("pre.commitment")).to_contain_text("专业技术等级考核申报告知承诺书")
    click(page, page.locator("#sign"))
    declaration = Declaration.objects.get(person=cert.enrolment.person)
    expect(page.locator("main")).to_contain_text(declaration.commitment_sha256)

    # The evaluation institution: the holder on its workbench page, a session planned for today.
    page = open_as(staff.username)
    page.goto("/assessment/sessions/")
    page.locator("details.card summary").click()
    form = page.locator("#plan")
    form.locator("[name=centre]").select_option(str(exam_centre.pk))
    form.locator("[name=occupation]").select_option(str(cert.enrolment.training_class.occupation_id))
    form.locator("[name=level]").select_option("junior")
    form.locator("[name=date]").fill(today)
    form.locator("[name=start_time]").fill("09:00")
    form.locator("[name=end_time]").fill("11:30")
    form.locator("[name=capacity]").fill("20")
    form.locator("[name=declarations_close_on]").fill(today)
    click(page, form.locator("button"))
    click(page, page.locator("#admit button"))
    candidate = Candidate.objects.get(declaration=declaration)
    ticket = page.request.get(f"/assessment/candidate/{candidate.pk}/ticket.pdf")
    assert ticket.ok and ticket.body().startswith(b"%PDF")
    click(page, page.locator(f"a[href='/assessment/candidate/{candidate.pk}/']").first)
    page.locator("#check [name=identity_checked]").check()
    page.locator("#check [name=incident]").fill("携带手机已交考务人员保管")
    click(page, page.locator("#check button"))
    page.locator("#scores [name=theory]").fill("82")
    page.locator("#scores [name=practical]").fill("76.5")
    click(page, page.locator("#scores button"))
    expect(page.locator("#result")).to_have_class("badge ok")
    click(page, page.locator(f"a[href='/assessment/session/{candidate.session_id}/']"))
    click(page, page.locator("#confirm-results"))
    click(page, page.locator("#report"))
    report = CertificateReport.objects.get(session_id=candidate.session_id)
    assert report.status == "reported" and report.lines.count() == 1
    expect(page.locator("#report-status")).to_contain_text(zh(CertificateReport.Status.REPORTED.label))

    # The province confirms and records the national approval.
    officer_page = open_as(province.username)
    officer_page.goto(f"/assessment/report/{report.pk}/")
    officer_page.locator("#province-decision [name=decision]").select_option("confirmed")
    click(officer_page, officer_page.locator("#province-decision button"))
    officer_page.locator("#national [name=decision]").select_option("approved")
    officer_page.locator("#national [name=decided_on]").fill(today)
    officer_page.locator("#national [name=reference]").fill("人社证审〔2026〕1号")
    click(officer_page, officer_page.locator("#national button"))
    report.refresh_from_db()
    assert report.status == "approved" and report.national_reference == "人社证审〔2026〕1号"

    # The institution issues the level certificate.
    page.goto(f"/assessment/report/{report.pk}/")
    click(page, page.locator("#issue"))
    report.refresh_from_db()
    line = report.lines.get()
    assert report.status == "issued" and line.level_certificate is not None
    expect(page.locator("main")).to_contain_text(line.level_certificate.number)
