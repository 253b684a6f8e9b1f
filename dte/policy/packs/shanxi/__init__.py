"""山西省 pack (晋人社厅发〔2024〕27号)."""

from .. import common
from ..base import PolicyPack
from . import rules


class ShanxiPack(PolicyPack):
    code = "shanxi"
    name = "山西省"
    division_code = "140000"
    eligibility_rules = (
        rules.target_group,
        common.institution_in_home_province,
        common.subsidised_mode,
        common.training_certificate,
        common.level_certificate,
        common.certificate_from_home_province,
        common.repeat_same_occupation_level,
    )
    subsidy_rule = rules.training_subsidy


PACK = ShanxiPack()
