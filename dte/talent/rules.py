"""What a certificate brings, as pure rules over a province's policy pack (no database).

Each function reads the dated, cited parameters of the pack (`dte/policy/packs/<p>/parameters.yaml`):
`continuing_education`, `title_recognition`, `title_recognition_excluded_series`, `talent_pool`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dte.policy.packs.base import PolicyPack

# 职称系列 a person may be recognised into. The digital-technology titles are engineering titles
# (助理工程师/工程师/高级工程师), so a person's series defaults to 工程技术.
SERIES_NAMES = {
    "engineering": "工程技术",
    "computer_software": "计算机技术与软件",
    "accounting": "会计",
    "economics": "经济",
    "statistics": "统计",
    "audit": "审计",
    "health": "卫生",
    "translation": "翻译",
    "other": "其他系列",
}

BASIS_WORDS = {
    "direct": "直接认定",
    "may_apply": "可直接申报评审",
    "reference": "可作为申报评审的重要参考",
    "after_review": "经评审取得高级工程师职称后认定",
}


@dataclass(frozen=True)
class ContinuingEducation:
    hours: Decimal
    counts: bool
    scope: str
    citation: str
    message: str


@dataclass(frozen=True)
class TitleOutcome:
    kind: str  # 'level' (from the certificate) | 'after_review' (Tianjin 数字经济卓越工程师)
    status: str  # 'recognised' | 'may_apply' | 'reference' | 'excluded' | 'none'
    level: str
    title: str
    basis: str
    citation: str
    message: str


def continuing_education(pack: PolicyPack, *, on: date, hours, has_training_certificate: bool) -> ContinuingEducation:
    """Training hours registered as this year's continuing-education 专业课 hours (藏人社发〔2025〕13号 五(一)；
    广西 四(一)；津人社办发〔2022〕94号 三(一)；云人社通〔2023〕39号 三(一)); in Shanxi only with a
    training certificate (晋人社厅发〔2024〕27号 五(一))."""
    p = pack.parameters.bind(on, None)
    rule = p.get("continuing_education") or {}
    citation = p.citation("continuing_education")
    hours = Decimal(str(hours or 0))
    if not rule.get("counts"):
        return ContinuingEducation(Decimal(0), False, "", citation, "本省文件未规定培训学时计入继续教育学时。")
    if rule.get("requires_training_certificate") and not has_training_certificate:
        return ContinuingEducation(Decimal(0), False, rule.get("scope", ""), citation, "取得培训合格证书后，相应学时方可记入继续教育学时。")
    if hours <= 0:
        return ContinuingEducation(Decimal(0), False, rule.get("scope", ""), citation, "没有可登记的培训学时。")
    return ContinuingEducation(hours, True, rule.get("scope", ""), citation,
                               f"培训学时{hours}学时登记为{on.year}年度继续教育专业课学时（{rule.get('scope', '')}）。")


def title_recognition(pack: PolicyPack, *, level: str, on: date, series: str = "engineering",
                      senior_title_reviewed: bool = False) -> list[TitleOutcome]:
    """The title a level certificate brings (初级→助理工程师, 中级→工程师, 高级→may apply for / a reference
    for 高级工程师). Tibet: 初级/中级 not for the 国家以考代评 series (藏人社发〔2025〕13号 五(二)). Tianjin: a
    高级 holder who obtains 高级工程师 by review is 数字经济卓越工程师 (津人社办发〔2022〕94号 三(二))."""
    found = pack.title_for_level(level, on)
    if found is None:
        return [TitleOutcome("level", "none", level, "", "", "", "本省文件未规定该等级对应的职称。")]
    p = pack.parameters.bind(on, None)
    if found.basis == "direct" and series in (p.get("title_recognition_excluded_series") or ()):
        cite = p.citation("title_recognition_excluded_series")
        return [TitleOutcome("level", "excluded", level, found.title, found.basis, cite,
                             f"{SERIES_NAMES.get(series, series)}系列属国家以考代评的职称系列，不适用直接认定（{cite}）。")]
    status = {"direct": "recognised", "may_apply": "may_apply", "reference": "reference"}[found.basis]
    words = {"recognised": f"认定为{found.title}", "may_apply": f"可直接申报评审{found.title}",
             "reference": f"可作为申报评审{found.title}的重要参考"}[status]
    outcomes = [TitleOutcome("level", status, level, found.title, found.basis, found.citation, f"{words}（{found.citation}）。")]
    if found.after_review and senior_title_reviewed:
        outcomes.append(TitleOutcome("after_review", "recognised", level, found.after_review, "after_review", found.citation,
                                     f"经评审取得{found.title}职称，认定为{found.after_review}（{found.citation}）。"))
    return outcomes


def talent_pool(pack: PolicyPack, *, on: date, has_level_certificate: bool, excellent_engineer: bool) -> tuple[bool, str, str]:
    """(member?, pool name, citation). Tianjin's pool is of 数字经济卓越工程师 (津人社办发〔2022〕94号 三(十));
    the others take every holder of a level certificate (e.g. 云人社通〔2023〕39号 三(五) 一人一档)."""
    p = pack.parameters.bind(on, None)
    pool = p.get("talent_pool") or {}
    members = pool.get("members", "level_certificate")
    member = excellent_engineer if members == "excellent_engineer" else has_level_certificate
    return member, pool.get("name", ""), p.citation("talent_pool")
