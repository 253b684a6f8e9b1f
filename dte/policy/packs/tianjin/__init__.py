"""天津市 pack (津人社办发〔2022〕94号)."""

from .. import common
from ..base import PolicyPack
from . import rules


class TianjinPack(PolicyPack):
    code = "tianjin"
    name = "天津市"
    division_code = "120000"
    eligibility_rules = (
        rules.target_group,
        common.institution_in_home_province,
        common.subsidised_mode,
        rules.catalogue_standard,
        common.required_hours,
        common.online_hours_cap,
        common.training_certificate,
        common.level_certificate,
        common.subsidies_per_year,
        common.repeat_same_occupation_level,
        common.no_lower_level_after_higher,
    )
    subsidy_rule = rules.training_subsidy


PACK = TianjinPack()
