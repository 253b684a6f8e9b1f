from types import SimpleNamespace

import pytest

from dte.catalogue.demo import generate
from dte.catalogue.models import InstitutionListing
from dte.catalogue.selectors import listing_may_train
from dte.demo.accounts import demo_organisations
from dte.organisations.tests.factories import division

pytestmark = pytest.mark.django_db


def test_demo_lists_the_shanxi_plan_idempotently():
    for code in ("140105", "120100", "450100", "530100", "540100"):
        division(code)
    context = SimpleNamespace(organisations=demo_organisations(), log=[])
    generate(context)
    generate(context)
    assert InstitutionListing.objects.count() == 8
    orgs = context.organisations
    sxu = InstitutionListing.objects.get(organisation=orgs["山西大学"])
    assert sxu.document == "晋人社厅发〔2024〕27号 附件"
    assert sorted({c.occupation.name for c in sxu.coverage.all()}) == ["人工智能工程技术人员", "数字化管理师"]
    assert listing_may_train(orgs["太原理工大学"], "2-02-10-15", "senior")
    assert not listing_may_train(orgs["太原科技大学"], "2-02-10-11", "junior")
    evaluation = InstitutionListing.objects.get(organisation=orgs["山西省数字技术人才评价中心"])
    assert evaluation.kind == "evaluation" and evaluation.coverage.count() == 15
    assert context.log == ["catalogue: 8 new listings", "catalogue: 0 new listings"]
