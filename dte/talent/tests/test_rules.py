"""The pure rules against the documents' own words (no database)."""

from datetime import date
from decimal import Decimal

import pytest

from dte.policy.packs import get_pack
from dte.talent import rules

ON = date(2025, 7, 1)


@pytest.mark.parametrize("province, citation", [
    ("tibet", "藏人社发〔2025〕13号 五(二)"),
    ("shanxi", "晋人社厅发〔2024〕27号 五(二)"),
    ("guangxi", "广西人社厅通知（2023-09-19） 四(二)"),
    ("tianjin", "津人社办发〔2022〕94号 三(二)"),
    ("yunnan", "云人社通〔2023〕39号 三(二)"),
])
def test_junior_and_intermediate_are_recognised_directly_with_the_clause(province, citation):
    for level, title in (("junior", "助理工程师"), ("intermediate", "工程师")):
        [outcome] = rules.title_recognition(get_pack(province), level=level, on=ON)
        assert (outcome.status, outcome.title, outcome.citation) == ("recognised", title, citation)
        assert citation in outcome.message


@pytest.mark.parametrize("province, status, words", [
    ("tibet", "reference", "可作为申报评审高级工程师的重要参考"),  # 藏人社发〔2025〕13号 五(二)
    ("shanxi", "reference", "可作为申报评审高级工程师的重要参考"),  # 晋人社厅发〔2024〕27号 五(二)
    ("guangxi", "reference", "可作为申报评审高级工程师的重要参考"),  # 广西 四(二)
    ("tianjin", "may_apply", "可直接申报评审高级工程师"),  # 津人社办发〔2022〕94号 三(二)
    ("yunnan", "may_apply", "可直接申报评审高级工程师"),  # 云人社通〔2023〕39号 三(二)
])
def test_senior_is_never_a_direct_title(province, status, words):
    [outcome] = rules.title_recognition(get_pack(province), level="senior", on=ON)
    assert outcome.status == status and outcome.title == "高级工程师" and words in outcome.message


def test_tibet_excludes_the_exam_based_series_for_junior_and_intermediate():
    tibet = get_pack("tibet")
    [outcome] = rules.title_recognition(tibet, level="intermediate", on=ON, series="accounting")
    assert outcome.status == "excluded" and "以考代评" in outcome.message
    assert outcome.citation == "藏人社发〔2025〕13号 五(二)"
    [software] = rules.title_recognition(tibet, level="junior", on=ON, series="computer_software")
    assert software.status == "excluded"
    # the exclusion is attached to 初级/中级 only; the senior reference stands
    [senior] = rules.title_recognition(tibet, level="senior", on=ON, series="accounting")
    assert senior.status == "reference"
    # other provinces do not exclude any series
    [shanxi] = rules.title_recognition(get_pack("shanxi"), level="intermediate", on=ON, series="accounting")
    assert shanxi.status == "recognised"


def test_tianjin_excellent_engineer_only_after_the_senior_review():
    tianjin = get_pack("tianjin")
    assert len(rules.title_recognition(tianjin, level="senior", on=ON)) == 1
    outcomes = rules.title_recognition(tianjin, level="senior", on=ON, senior_title_reviewed=True)
    assert [(o.kind, o.title, o.status) for o in outcomes] == [("level", "高级工程师", "may_apply"),
                                                               ("after_review", "数字经济卓越工程师", "recognised")]
    assert outcomes[1].citation == "津人社办发〔2022〕94号 三(二)"
    # Yunnan has no such step, and a reviewed title does not lift a junior certificate
    assert len(rules.title_recognition(get_pack("yunnan"), level="senior", on=ON, senior_title_reviewed=True)) == 1
    assert len(rules.title_recognition(tianjin, level="junior", on=ON, senior_title_reviewed=True)) == 1


def test_continuing_education_needs_a_training_certificate_only_in_shanxi():
    shanxi = rules.continuing_education(get_pack("shanxi"), on=ON, hours="64", has_training_certificate=False)
    assert not shanxi.counts and shanxi.citation == "晋人社厅发〔2024〕27号 五(一)"
    shanxi = rules.continuing_education(get_pack("shanxi"), on=ON, hours="64", has_training_certificate=True)
    assert shanxi.counts and shanxi.hours == Decimal("64")
    tianjin = rules.continuing_education(get_pack("tianjin"), on=ON, hours="72.5", has_training_certificate=False)
    assert tianjin.counts and tianjin.hours == Decimal("72.5") and tianjin.scope == "全国有效"
    assert tianjin.citation == "津人社办发〔2022〕94号 三(一)"
    tibet = rules.continuing_education(get_pack("tibet"), on=ON, hours=40, has_training_certificate=False)
    assert tibet.counts and tibet.scope == "当年度全国有效" and tibet.citation == "藏人社发〔2025〕13号 五(一)"
    assert not rules.continuing_education(get_pack("yunnan"), on=ON, hours=0, has_training_certificate=True).counts


def test_talent_pool_membership_per_province():
    member, name, citation = rules.talent_pool(get_pack("yunnan"), on=ON, has_level_certificate=True, excellent_engineer=False)
    assert member and name == "数字技术工程师人才库" and citation == "云人社通〔2023〕39号 三(五)"
    member, name, citation = rules.talent_pool(get_pack("tianjin"), on=ON, has_level_certificate=True, excellent_engineer=False)
    assert not member and name == "数字经济卓越工程师人才库" and citation == "津人社办发〔2022〕94号 三(十)"
    assert rules.talent_pool(get_pack("tianjin"), on=ON, has_level_certificate=True, excellent_engineer=True)[0]
    # Shanxi's document is silent: the national baseline applies and says so
    _, name, citation = rules.talent_pool(get_pack("shanxi"), on=ON, has_level_certificate=True, excellent_engineer=False)
    assert name == "数字技术工程师人才库" and citation.startswith("人社厅发〔2021〕71号")
    assert rules.talent_pool(get_pack("guangxi"), on=ON, has_level_certificate=True, excellent_engineer=False)[1] == "专业技术人才库"
