"""Browser end-to-end: the subsidy money path (issue 10) clicked through the real pages in Chinese,
role by role, for each of the five provinces — the training institution submits the claim of a
completed class (computed from the facts by the province's pack; Tibet and Yunnan with a standard
entered in the catalogue) → the bureau approves it (the
budget shown) → the public publicity list shows the names and ID numbers masked → once the publicity
period is over, finance authorises and a second finance officer releases → finance makes a payment
batch, marks it sent, imports the bank's result file → the lines are paid and the ledger balances.
Every page visited is checked: no English source string and no raw internal code is visible
(dte.web.tests.ui_text.findings on the browser's own document.body.innerText).

Same approach as dte/web/tests/test_e2e_browser.py: Debian's chromium (/usr/bin/chromium, never a
downloaded browser) through Playwright against pytest-django's live_server; skipped only where
/usr/bin/chromium is missing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); CI installs it", allow_module_level=True)

from django.utils import timezone  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

from dte.organisations.roles import Role  # noqa: E402
from dte.organisations.tests.factories import UserFactory, division  # noqa: E402
from dte.subsidy.models import Claim, ClaimLine, EmploymentRecord, PaymentBatch  # noqa: E402
from dte.subsidy.services import ledger  # noqa: E402
from dte.web.tests.browser import browser  # noqa: E402,F401  (a pytest fixture, used by name)
from dte.web.tests.test_e2e_browser import open_as  # noqa: E402,F401  (pytest fixtures are used by name)
from dte.web.tests.ui_text import findings  # noqa: E402

from .factories import BudgetFactory, completed_class, officials, passed_exams, standard  # noqa: E402
from .test_money_path import result_file  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button").last.click()


class Visited:
    """Checks the visible text of every page a step lands on."""

    def __init__(self, usernames):
        self.usernames = frozenset(usernames)
        self.pages: list[str] = []

    def check(self, page) -> None:
        page.wait_for_load_state("domcontentloaded")
        text = page.evaluate("document.body.innerText")
        found = findings(text, usernames=self.usernames)
        assert not found, f"{page.url}: {found}"
        self.pages.append(page.url)


@pytest.mark.parametrize("province, mode, status, standard_fen, total", [
    ("tianjin", "subsidised", "employee", None, "¥5,440.00"),   # 津人社办发〔2022〕94号 附件3: 2,720 元
    ("shanxi", "order", "graduate", None, "¥3,400.00"),        # 晋人社厅发〔2024〕27号 五(四): 10×150 + 2×100 元
    ("guangxi", "subsidised", "employee", None, "¥1,600.00"),  # 广西 (2023-09-19) 四(三): 800 元
    ("tibet", "subsidised", "employee", 250000, "¥5,000.00"),  # standard entered in the catalogue
    ("yunnan", "subsidised", "employee", 300000, "¥6,000.00"),  # standard entered; paid to the institution
])
def test_subsidy_path_in_the_browser(open_as, monkeypatch, province, mode, status, standard_fen, total):
    today = timezone.localdate()
    k = completed_class(province, mode=mode, status=status)
    code = str(k.division_id)[:2] + "0000"
    if standard_fen:
        standard(code, standard_fen)
    # the exam 25 days ago: within Tianjin's 30 days for the claim (附件4 一(二))
    passed_exams(monkeypatch, k, exam_date=today - timedelta(days=25))
    BudgetFactory(province=division(code), year=today.year)
    staff = UserFactory(role=Role.TRAINING_STAFF, organisation=k.institution)
    people = officials(str(k.division_id))
    if province == "shanxi":  # 五(四): employment after training, recorded with evidence by the institution
        for e in k.enrolments.all():
            EmploymentRecord.objects.create(enrolment=e, status="employed", employer="太原某科技公司", recorded_by=staff)
    seen = Visited(u.username for u in (staff, people.reviewer, people.finance, people.releaser))

    # 1. the training institution submits the claim; the amounts are computed, not typed
    desk = open_as(staff.username)
    desk.goto(f"/subsidy/classes/{k.pk}/claim/")
    seen.check(desk)
    submit(desk, desk.locator("main form"))
    claim = Claim.objects.get(training_class=k)
    assert f"/subsidy/claims/{claim.pk}/" in desk.url
    expect(desk.locator("main")).to_contain_text(total)
    seen.check(desk)

    # 2. the bureau reviews: the budget is shown before the approval; publicity starts
    bureau = open_as(people.reviewer.username)
    bureau.goto("/subsidy/")
    seen.check(bureau)
    bureau.goto(f"/subsidy/claims/{claim.pk}/")
    expect(bureau.locator("main")).to_contain_text("¥1,000,000.00")
    seen.check(bureau)
    submit(bureau, bureau.locator(f"main form[action='/subsidy/claims/{claim.pk}/approve/']"))
    seen.check(bureau)
    claim.refresh_from_db()
    assert claim.status == "approved" and claim.publicity_until > today

    # 3. anyone: the publicity list, names and ID numbers masked
    public = open_as(None)
    public.goto("/subsidy/publicity/")
    rows = public.locator("main table tr", has_text=k.institution.name)
    expect(rows).to_have_count(2)
    person = k.enrolments.order_by("pk").first().person
    expect(public.locator("main")).not_to_contain_text(person.name)
    expect(public.locator("main")).not_to_contain_text(person.id_number)
    seen.check(public)

    # 4. the publicity period ends without objection (what the calendar would do)
    Claim.objects.filter(pk=claim.pk).update(publicity_until=today - timedelta(days=1))

    # 5. finance authorises; the same officer may not also release; a second officer releases
    finance = open_as(people.finance.username)
    finance.goto(f"/subsidy/claims/{claim.pk}/")
    submit(finance, finance.locator(f"main form[action='/subsidy/claims/{claim.pk}/authorise/']"))
    seen.check(finance)
    submit(finance, finance.locator(f"main form[action='/subsidy/claims/{claim.pk}/release/']"))
    expect(finance.locator("body")).to_contain_text("不同人员")
    seen.check(finance)
    releaser = open_as(people.releaser.username)
    releaser.goto(f"/subsidy/claims/{claim.pk}/")
    submit(releaser, releaser.locator(f"main form[action='/subsidy/claims/{claim.pk}/release/']"))
    seen.check(releaser)
    assert set(ClaimLine.objects.filter(claim=claim).values_list("status", flat=True)) == {"released"}

    # 6. finance: a payment batch with its control totals, sent to the bank, the result imported
    finance.goto("/subsidy/batches/")
    seen.check(finance)
    submit(finance, finance.locator("main form.toolbar"))
    batch = PaymentBatch.objects.get(province_id=code)
    expect(finance.locator("main")).to_contain_text(batch.reference)
    expect(finance.locator("main")).to_contain_text(total)
    seen.check(finance)
    submit(finance, finance.locator("main form:has(button[name=submit])"))
    seen.check(finance)
    raw = result_file(PaymentBatch.objects.get(pk=batch.pk))
    for _ in range(2):  # the same file twice pays once
        form = finance.locator("main form:has(input[name=result])")
        form.locator("input[name=result]").set_input_files({"name": "result.csv", "mimeType": "text/csv", "buffer": raw})
        submit(finance, form)
        seen.check(finance)
    expect(finance.locator("body")).to_contain_text("已导入")
    assert set(ClaimLine.objects.filter(claim=claim).values_list("status", flat=True)) == {"paid"}
    paid = int(total.strip("¥").replace(",", "").replace(".", ""))
    assert ledger.balances(province=code, budget_year=today.year)["bank"] == -paid
    assert ledger.verify().ok

    # 7. the finance officer's day shows the batch; the institution sees its claim paid
    finance.goto("/subsidy/")
    expect(finance.locator("main")).to_contain_text(batch.reference)
    seen.check(finance)
    desk.goto(f"/subsidy/claims/{claim.pk}/")
    seen.check(desk)
    assert len(seen.pages) >= 15
