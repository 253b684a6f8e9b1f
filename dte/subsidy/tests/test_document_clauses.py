"""The money path at the documents' boundaries (h6 audit, /work/notes/h6_table.md): the Tianjin
claim deadline counted in calendar days from the exam, the living allowance's own one-year window,
Shanxi's staged settlement reaching the 5000 元 cap, one settlement per order, and the publicity
period counted in working days over a holiday with a make-up Sunday."""

from __future__ import annotations

from datetime import date

import pytest

from dte.organisations.tests.factories import division
from dte.subsidy.models import Claim
from dte.subsidy.services import review
from dte.subsidy.services.claims import ClaimRefused, claim_create
from dte.workdays.services import calendar_year_enter

from .factories import CLAIM_DAY, BudgetFactory, completed_class, officials, passed_exams
from .test_employment_stages import employ

pytestmark = pytest.mark.django_db

TIANJIN = "津人社办发〔2022〕94号"


# --- 津人社办发〔2022〕94号 附件4 一(二): 在培训结业并完成专业技术等级考核30日内 … 提出补贴申请 ---------


@pytest.mark.parametrize("today, on_time", [(date(2025, 5, 10), True), (date(2025, 5, 11), False)])
def test_tianjin_claim_on_the_30th_calendar_day_after_the_exam(monkeypatch, today, on_time):
    k = completed_class("tianjin", status="employee")
    passed_exams(monkeypatch, k, exam_date=date(2025, 4, 10))  # + 30 calendar days = 2025-05-10 (a Saturday)
    by = officials(str(k.division_id)).reviewer
    if on_time:
        claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=by, today=today)
        assert list(claim.lines.values_list("status", "amount_fen", "payee")) == [("claimed", 272000, "institution")] * 2
    else:
        with pytest.raises(ClaimRefused) as refused:
            claim_create(training_class=k, kind=Claim.Kind.CLASS, by=by, today=today)
        assert "2025-05-10" in str(refused.value) and "已逾期" in str(refused.value)


# --- 三(四) 在享受培训费补贴同时，可以在一年内申请1000元的一次性生活费补贴; 附件4 二 (no 30-day limit) ----


@pytest.mark.parametrize("today, allowed", [
    (date(2025, 6, 1), True),    # more than 30 days after the exam: the 30-day limit is the training-fee claim's only
    (date(2026, 3, 20), True),   # the training ended 2025-03-20: one year later is still "一年内"
    (date(2026, 3, 21), False),
])
def test_tianjin_living_allowance_has_its_own_one_year_window(monkeypatch, today, allowed):
    k = completed_class("tianjin", status="employee")
    passed_exams(monkeypatch, k)
    by = officials(str(k.division_id)).reviewer
    claim_create(training_class=k, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
    if allowed:
        allowance = claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=today)
        assert list(allowance.lines.values_list("item", "status", "amount_fen", "payee")) == \
            [("living_allowance", "claimed", 100000, "person")] * 2
    else:
        with pytest.raises(ClaimRefused, match="一年内"):
            claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=today)


def test_tianjin_living_allowance_window_is_the_packs_rule_on_the_claim_date(monkeypatch):
    """The claim puts its date in the case and the pack's own rule (tianjin/rules.py living_allowance_refused)
    judges the year of its parameter living_allowance_window_years: the refusal is the pack's, and a dated
    value of two years lets the same claim through."""
    from dte.subsidy.services import claims as claims_module

    k = completed_class("tianjin", status="employee")  # the training ended 2025-03-20
    passed_exams(monkeypatch, k)
    by = officials(str(k.division_id)).reviewer
    claim_create(training_class=k, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
    with pytest.raises(ClaimRefused) as refused:
        claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=date(2026, 3, 21))
    assert "须在一年内（2026-03-20 前）申请，申请日期 2026-03-21" in str(refused.value)
    monkeypatch.setattr(claims_module, "overrides_with_official_standards",
                        lambda province, on: {"living_allowance_window_years": 2})
    allowance = claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=date(2026, 3, 21))
    assert [(line.status, line.amount_fen, line.facts["claim_date"]) for line in allowance.lines.all()] == \
        [("claimed", 100000, "2026-03-21")] * 2


def test_living_allowance_conditions_cite_the_packs_clause(monkeypatch):
    """在享受培训费补贴同时 is checked beside the pack; its refusal cites the clause the pack gives the
    allowance (a province's own pack, its own clause), not a text written for Tianjin."""
    from dte.policy.services import pack_for
    from dte.subsidy.services import claims as claims_module

    k = completed_class("tianjin", status="employee", trainees=1)
    passed_exams(monkeypatch, k)
    seen = []
    told = claims_module.nothing_to_claim
    monkeypatch.setattr(claims_module, "nothing_to_claim", lambda named: told(seen.extend(named) or seen))
    with pytest.raises(ClaimRefused, match="培训费补贴"):  # no training-subsidy line yet
        claim_create(training_class=k, kind=Claim.Kind.LIVING_ALLOWANCE, by=officials("120101").reviewer, today=CLAIM_DAY)
    [(_name, reasons)] = seen
    clause = pack_for("120000").parameters.bind(k.start_date).citation("living_allowance_fen")
    assert clause.startswith(f"{TIANJIN} 三(四)")
    assert [(r["code"], r["citation"]) for r in reasons if r["effect"] == "refuse"] == \
        [("LIVING_ALLOWANCE_WITHOUT_TRAINING_SUBSIDY", clause)]


def test_tianjin_living_allowance_once_per_person_across_trainings(monkeypatch):
    """The pack's reading of 一次性 (parameters.yaml note): a second training's allowance is refused."""
    first = completed_class("tianjin", status="employee", trainees=1)
    second = completed_class("tianjin", status="employee", trainees=1, code="2-02-10-10", hours_per_day=11)  # 物联网 初级 128 学时
    person = first.enrolments.get().person
    e = second.enrolments.get()
    e.person = person
    e.save()
    by = officials("120101").reviewer
    passed_exams(monkeypatch, first)
    claim_create(training_class=first, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)
    claim_create(training_class=first, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=CLAIM_DAY)
    passed_exams(monkeypatch, second)
    paid = claim_create(training_class=second, kind=Claim.Kind.CLASS, by=by, today=CLAIM_DAY)  # 2nd subsidy this year: allowed
    assert paid.lines.get().amount_fen == 300200
    with pytest.raises(ClaimRefused, match="没有可申领"):
        claim_create(training_class=second, kind=Claim.Kind.LIVING_ALLOWANCE, by=by, today=CLAIM_DAY)


# --- 晋人社厅发〔2024〕27号 五(四): 项目制培训可分时段阶段性结算; 最高每人不超过5000元; 订单式一单一结算 --


def test_shanxi_project_stages_stop_at_5000_yuan(monkeypatch):
    k = completed_class("shanxi", trainees=1, mode="project", days=50)  # sessions 2025-03-03 … 2025-04-21
    k.end_date, k.status = date(2025, 4, 21), "in_training"
    k.save()
    passed_exams(monkeypatch, k)
    people = officials("140100")
    employ(k.enrolments.get(), people.reviewer)
    today = date(2025, 5, 1)
    first = claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 4, 1), today=today)
    assert first.lines.get().amount_fen == 10 * 15000 + 20 * 10000  # 30 days: 3500 元
    second = claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 4, 21), today=today)
    # 50 days would be 5500 元; the cap is 5000 元, so the second stage pays 1500 元
    assert second.lines.get().amount_fen == 500000 - 350000
    with pytest.raises(ClaimRefused, match="没有可申领"):
        claim_create(training_class=k, kind=Claim.Kind.STAGE, by=people.reviewer, stage_end=date(2025, 4, 21), today=today)


def test_shanxi_order_is_settled_once(monkeypatch):
    k = completed_class("shanxi", trainees=1, mode="order")
    passed_exams(monkeypatch, k)
    people = officials("140100")
    employ(k.enrolments.get(), people.reviewer)
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    assert claim.lines.get().amount_fen == 170000  # 12 days: 10 × 150 + 2 × 100
    with pytest.raises(ClaimRefused, match="一单一结算"):
        claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)


# --- publicity (津人社办发〔2022〕94号 附件4 一(三) 审核、汇总、公示; length: platform default 5 working days) --


def test_publicity_counts_working_days_over_may_day_with_the_make_up_sunday(monkeypatch):
    # 2025: 4月27日（周日）上班; 5月1日至5日放假
    calendar_year_enter(2025, {date(2025, 5, d): "劳动节" for d in range(1, 6)}, {date(2025, 4, 27): "劳动节调休"})
    k = completed_class("guangxi", status="employee", trainees=1)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"))
    claim = claim_create(training_class=k, kind=Claim.Kind.CLASS, by=people.reviewer, today=CLAIM_DAY)
    claim = review.claim_approve(claim, by=people.reviewer, today=date(2025, 4, 24))
    # working days after Thu 24 April: Fri 25, Sun 27 (make-up), Mon 28, Tue 29, Wed 30
    assert claim.publicity_until == date(2025, 4, 30)
    with pytest.raises(review.ReviewRefused, match="公示期至 2025-04-30"):
        review.claim_authorise(claim, by=people.finance, today=date(2025, 4, 30))
    review.claim_authorise(claim, by=people.finance, today=date(2025, 5, 1))
    assert set(claim.lines.values_list("status", flat=True)) == {"authorised"}


@pytest.mark.parametrize("claim_on, allowance_shown", [("2026-03-20", True), ("2026-03-21", False)])
def test_calculator_applies_the_living_allowance_year_to_the_claim_date(client, monkeypatch, claim_on, allowance_shown):
    # 津人社办发〔2022〕94号 三(四): the training ended 2025-03-20; the allowance may be applied for within one year
    k = completed_class("tianjin", status="employee", trainees=1)
    passed_exams(monkeypatch, k)
    client.force_login(officials("120101").reviewer)
    page = client.post("/subsidy/calculator/", {"training_class": k.pk, "id_number": k.enrolments.get().person.id_number,
                                                "claim_on": claim_on}).content.decode()
    assert ("¥1,000.00" in page) is allowance_shown
    assert ("2026-03-20 前" in page) is not allowance_shown  # LIVING_ALLOWANCE_WINDOW_PASSED names the last day
