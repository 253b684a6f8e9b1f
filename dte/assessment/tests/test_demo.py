"""The demo reaches every state in Shanxi and Guangxi, once."""

from types import SimpleNamespace

import pytest

from dte.credentials.models import LevelCertificate
from dte.demo.accounts import demo_accounts, demo_organisations
from dte.organisations.tests.factories import division
from dte.registry.tests.factories import occupation

from .. import demo
from ..models import Candidate, CertificateReport, Declaration

pytestmark = pytest.mark.django_db


def test_demo_reaches_every_state():
    for code in ("000000", "140100", "140105", "120100", "450100", "450103", "530100", "540100", "140000"):
        division(code)
    orgs = demo_organisations()
    demo_accounts(orgs)
    occupation()
    ctx = SimpleNamespace(seed=7, log=[], organisations=orgs)
    demo.generate(ctx)
    assert all("issued" in line for line in ctx.log), ctx.log
    for code in ("14", "45"):
        reports = CertificateReport.objects.filter(province_id=f"{code}0000")
        assert {"issued", "confirmed"} <= set(reports.values_list("status", flat=True))
        declarations = Declaration.objects.filter(evaluation_institution__division__code__startswith=code)
        assert {"declared", "admitted", "voided"} <= set(declarations.values_list("status", flat=True))
        candidates = Candidate.objects.filter(session__evaluation_institution__division__code__startswith=code)
        assert candidates.filter(theory_passed=False, practical_passed=True).exists()
        assert candidates.filter(theory_passed=True, practical_passed=False).exists()
        certificates = LevelCertificate.objects.filter(issuer__division__code__startswith=code)
        assert set(certificates.values_list("status", flat=True)) == {"valid", "revoked"}
    statuses = set(CertificateReport.objects.values_list("status", flat=True))
    assert {"reported", "returned", "confirmed", "issued"} <= statuses
    assert CertificateReport.objects.filter(submissions=2).exists()  # Shanxi's returned-then-resubmitted batch
    count = Declaration.objects.count()
    demo.generate(SimpleNamespace(seed=7, log=[], organisations=orgs))
    assert Declaration.objects.count() == count
