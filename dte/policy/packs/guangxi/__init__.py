"""广西壮族自治区 pack (广西人社厅通知（2023-09-19）)."""

from .. import common
from ..base import PolicyPack
from . import rules


class GuangxiPack(PolicyPack):
    code = "guangxi"
    name = "广西壮族自治区"
    division_code = "450000"
    eligibility_rules = (
        rules.target_group,
        common.institution_in_home_province,
        common.subsidised_mode,
        common.training_certificate,
        common.level_certificate,
        common.subsidies_per_year,
        common.repeat_same_occupation_level,
    )
    subsidy_rule = rules.training_subsidy


PACK = GuangxiPack()
