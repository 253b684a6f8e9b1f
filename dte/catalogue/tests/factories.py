"""Catalogue test data: the real occupations and Tianjin table come from setup.py."""

from datetime import date

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division

from ..models import InstitutionListing, Level
from ..selectors import occupation_find
from ..services import listing_create
from ..setup import occupations_load, standards_load


def load_reference() -> None:
    for code in ("120000", "140000", "450000", "530000", "540000"):
        division(code)
    occupations_load()
    standards_load()


def officer(province_code: str, role: str = Role.PROVINCE_OFFICER, **kwargs):
    bureau = OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division(province_code))
    return UserFactory(role=role, organisation=bureau, **kwargs)


def listing(province_code: str = "140000", *, prefecture: str | None = None, kind=InstitutionListing.Kind.TRAINING,
            occupations=("2-02-10-11",), levels=tuple(Level.values), listed_on=date(2024, 5, 23)) -> InstitutionListing:
    org_kind = Organisation.Kind.TRAINING_INSTITUTION if kind == InstitutionListing.Kind.TRAINING else Organisation.Kind.EVALUATION_INSTITUTION
    organisation = OrganisationFactory(kind=org_kind, division=division(prefecture or province_code[:2] + "0100"))
    coverage = [(occupation_find(code), level) for code in occupations for level in levels]
    return listing_create(organisation=organisation, kind=kind, province=division(province_code), listed_on=listed_on,
                          coverage=coverage, batch="测试批次", document="测试文件")
