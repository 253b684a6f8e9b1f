"""西藏自治区 pack (藏人社发〔2025〕13号)."""

from .. import common
from ..base import PolicyPack
from . import rules


class TibetPack(PolicyPack):
    code = "tibet"
    name = "西藏自治区"
    division_code = "540000"
    eligibility_rules = (
        rules.target_group,
        common.institution_in_home_province,
        common.subsidised_mode,
        common.online_hours_cap,
        common.training_certificate,
        common.level_certificate,
        common.repeat_same_occupation_level,
    )
    subsidy_rule = rules.training_subsidy


PACK = TibetPack()
