from datetime import date

import pytest

from dte.catalogue.models import Occupation, SubsidyStandard
from dte.catalogue.selectors import occupation_find, subsidy_standard_in_force
from dte.catalogue.setup import occupations_load, reference_data

from .factories import load_reference

pytestmark = pytest.mark.django_db

# 津人社办发〔2022〕94号 附件3, transcribed from the document: code → (hours, 元) for 初级/中级/高级.
TIANJIN_ATTACHMENT_3 = {
    "2-02-10-11": ((128, 3519), (128, 4031), (160, 5838)),  # 大数据工程技术人员
    "2-02-10-15": ((80, 2465), (64, 2759), (64, 4679)),  # 区块链工程技术人员
    "2-02-07-13": ((90, 2778), (90, 3678), (80, 4482)),  # 智能制造工程技术人员
    "2-02-10-12": ((160, 3353), (160, 3993), (192, 5452)),  # 云计算工程技术人员
    "2-02-10-10": ((128, 3002), (128, 3258), (160, 4937)),  # 物联网工程技术人员
    "2-02-10-09": ((64, 2720), (80, 4026), (80, 4506)),  # 人工智能工程技术人员
    "2-02-30-11": ((60, 2102), (90, 3258), (120, 4654)),  # 数字化管理师
    "2-02-10-13": ((90, 2507), (120, 3663), (120, 4383)),  # 工业互联网工程技术人员
    "2-02-10-14": ((120, 3350), (100, 3890), (100, 4890)),  # 虚拟现实工程技术人员
    "2-02-09-06": ((128, 3022), (128, 3278), (160, 4637)),  # 集成电路工程技术人员
}
LEVELS = ("junior", "intermediate", "senior")


def test_fourteen_occupations_with_both_code_forms():
    load_reference()
    assert Occupation.objects.count() == 14
    big_data = occupation_find("2-02-10-11")
    assert big_data.name == "大数据工程技术人员"
    assert occupation_find("2-02-38-03") == big_data
    assert occupation_find(" 2-02-38-03 ") == big_data
    assert occupation_find("9-99-99-99") is None and occupation_find("") is None
    manager = occupation_find("2-02-30-11")
    assert manager.classification_2022 == ""  # not known: left unset, not guessed
    assert all(o.directions == [] for o in Occupation.objects.all())


def test_tianjin_standards_match_attachment_3_exactly():
    load_reference()
    rows = SubsidyStandard.objects.filter(province_id="120000")
    assert rows.count() == 30
    for code, cells in TIANJIN_ATTACHMENT_3.items():
        for level, (hours, yuan) in zip(LEVELS, cells):
            row = rows.get(occupation__code=code, level=level)
            assert (row.hours_required, row.amount_fen) == (hours, yuan * 100), (code, level)
            assert row.effective_from == date(2022, 11, 30)  # 本方案自印发之日起施行；版记：2022年11月30日印发
            assert "津人社办发〔2022〕94号 附件3" in row.citation
    big_data = subsidy_standard_in_force("120000", "2-02-38-03", "intermediate", date(2024, 1, 1))
    assert (big_data.hours_required, big_data.amount_fen) == (128, 403100)
    # occupations Tianjin's table does not list have no standard (not invented)
    assert not rows.filter(occupation__code__in=["2-02-38-10", "2-02-38-11", "2-02-38-12", "2-02-38-13"]).exists()
    assert subsidy_standard_in_force("120000", "2-02-10-11", "junior", date(2022, 11, 28)) is None


def test_reload_is_idempotent_and_keeps_official_edits():
    load_reference()
    Occupation.objects.filter(code="2-02-10-11").update(directions=["数据分析"], classification_2022="2-02-38-03")
    message = reference_data()
    assert "14 occupations" in message and "30 Tianjin" in message
    assert Occupation.objects.count() == 14
    assert SubsidyStandard.objects.count() == 30
    assert occupation_find("2-02-10-11").directions == ["数据分析"]
    assert occupations_load() == 14
