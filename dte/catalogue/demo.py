"""Demo catalogue listings (demo data, not reference data).

Shanxi: the three institutions and their occupations in 晋人社厅发〔2024〕27号 附件
(2024 年度山西省数字技术工程师培训计划分配表), and the evaluation institution. The other
provinces' demo training institutions get plausible coverage; no document number is
invented for them (their listing document stays empty, the batch says 演示数据)."""

from __future__ import annotations

from datetime import date

from dte.geography.models import Division

from .models import InstitutionListing, Level
from .selectors import occupation_find
from .services import listing_create
from .setup import occupations_load

ALL_LEVELS = tuple(Level.values)
SHANXI_PLAN = "晋人社厅发〔2024〕27号 附件"
SHANXI_BATCH = "2024 年度山西省数字技术工程师培训计划"
SHANXI_DATE = date(2024, 5, 23)
AI, BIG_DATA, CLOUD, IOT, SMART_MFG, BLOCKCHAIN, MANAGER, INDUSTRIAL = (
    "2-02-10-09", "2-02-10-11", "2-02-10-12", "2-02-10-10", "2-02-07-13", "2-02-10-15", "2-02-30-11", "2-02-10-13",
)

# (organisation name, kind, province, occupations, batch, document, listed on)
LISTINGS = [
    ("山西大学", "training", "140000", (AI, MANAGER), SHANXI_BATCH, SHANXI_PLAN, SHANXI_DATE),
    ("太原理工大学", "training", "140000", (BLOCKCHAIN, BIG_DATA), SHANXI_BATCH, SHANXI_PLAN, SHANXI_DATE),
    ("太原科技大学", "training", "140000", (SMART_MFG,), SHANXI_BATCH, SHANXI_PLAN, SHANXI_DATE),
    ("山西省数字技术人才评价中心", "evaluation", "140000", (AI, MANAGER, SMART_MFG, BLOCKCHAIN, BIG_DATA), "演示数据", "", SHANXI_DATE),
    ("天津市数字技术职业培训学校", "training", "120000", (BIG_DATA, AI, CLOUD, IOT), "演示数据", "", date(2022, 11, 29)),
    ("广西数字技术工程师培训中心", "training", "450000", (AI, BIG_DATA, INDUSTRIAL), "演示数据", "", date(2023, 9, 19)),
    ("云南数字技术工程师培训学院", "training", "530000", (AI, BIG_DATA, "2-02-38-12"), "演示数据", "", date(2023, 12, 4)),
    ("西藏数字技术人才培训中心", "training", "540000", (AI, BIG_DATA, CLOUD), "演示数据", "", date(2025, 1, 1)),
]


def generate(context) -> None:
    occupations_load()
    created = 0
    for name, kind, province_code, codes, batch, document, listed_on in LISTINGS:
        organisation = context.organisations.get(name)
        province = Division.objects.filter(code=province_code).first()
        if organisation is None or province is None:
            continue
        if InstitutionListing.objects.filter(organisation=organisation, kind=kind, province=province).exists():
            continue
        coverage = [(occupation_find(code), level) for code in codes for level in ALL_LEVELS]
        listing_create(organisation=organisation, kind=kind, province=province, listed_on=listed_on,
                       coverage=coverage, batch=batch, document=document)
        created += 1
    context.log.append(f"catalogue: {created} new listings")
