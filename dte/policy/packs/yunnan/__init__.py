"""云南省 pack (云人社通〔2023〕39号)."""

from .. import common
from ..base import PolicyPack
from . import rules


class YunnanPack(PolicyPack):
    code = "yunnan"
    name = "云南省"
    division_code = "530000"
    eligibility_rules = (
        rules.target_group,
        common.institution_in_home_province,
        common.subsidised_mode,
        common.training_certificate,
        common.level_certificate,
    )
    subsidy_rule = rules.training_subsidy


PACK = YunnanPack()
