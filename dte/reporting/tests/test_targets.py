"""Progress against each pack's targets, and small-cell suppression in published statistics."""

from datetime import date

import pytest
from django.test import override_settings

from dte.policy.packs import get_pack
from dte.registry.tests.factories import officer
from dte.reporting.targets import suppress, targets_progress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()  # the pages keep progress for five minutes per scope


def test_the_page_keeps_progress_for_five_minutes_per_scope(client):
    from dte.training.models import TrainingCertificate
    from dte.training.tests.factories import TrainingClassFactory, institution, trainee

    c = TrainingClassFactory(institution=institution("120101"))
    user = officer("120000")
    client.force_login(user)
    assert "<strong>0</strong>" in client.get("/reporting/targets/?province=tianjin").content.decode()
    TrainingCertificate.objects.create(number="C1", enrolment=trainee(c), snapshot={}, snapshot_sha256="0" * 64,
                                       pdf_sha256="0" * 64, issued_on=date(2025, 1, 10), issued_by=user)
    assert "<strong>0</strong>" in client.get("/reporting/targets/?province=tianjin").content.decode()  # cached
    other = officer("120000")  # another bureau of the same scope kind gets its own entry
    client.force_login(other)
    assert "<strong>1</strong>" in client.get("/reporting/targets/?province=tianjin").content.decode()


def test_every_pack_states_its_document_target():
    targets = {code: get_pack(code)._bound(date(2026, 1, 1)).get("training_targets") for code in
               ("tianjin", "shanxi", "guangxi", "yunnan", "tibet")}
    assert [i["count"] for i in targets["tianjin"]["items"]] == [10000, 5000, 1000]  # 津人社办发〔2022〕94号 一
    assert targets["shanxi"]["per_year"] and targets["shanxi"]["items"][0]["count"] == 500  # 晋 二：每年500名左右
    assert targets["guangxi"]["by_year"] == 2030 and targets["guangxi"]["items"][0]["count"] == 10000
    assert targets["yunnan"]["items"][0]["count"] == 10000
    assert targets["tibet"] is None


def test_progress_counts_people_with_valid_training_certificates(monkeypatch):
    from dte.training.models import TrainingCertificate
    from dte.training.tests.factories import TrainingClassFactory, institution, trainee

    tianjin_class = TrainingClassFactory(institution=institution("120101"))
    user = officer("120000")
    for n in range(3):
        e = trainee(tianjin_class)
        TrainingCertificate.objects.create(number=f"T{n}", enrolment=e, snapshot={}, snapshot_sha256="0" * 64,
                                           pdf_sha256="0" * 64, issued_on=date(2025, 1, 10 + n), issued_by=user,
                                           status="revoked" if n == 2 else "valid")
    progress = {p.key: p for p in targets_progress(user, "120000")}
    assert progress["skilled"].achieved == 2 and progress["skilled"].target == 10000
    assert progress["engineers"].achieved == 0
    assert progress["skilled"].breakdown["year"] == [("2025", 2)]
    assert progress["skilled"].breakdown["prefecture"] == [("120100", 2)]
    assert targets_progress(officer("140000"), "120000")[0].achieved == 0  # another province's officer counts nothing


def test_small_cells_are_suppressed():
    assert suppress(0) == "0" and suppress(4) == "<5" and suppress(5) == "5" and suppress(1234) == "1234"
    with override_settings(DTE_STATS_SUPPRESS_BELOW=10):
        assert suppress(9) == "<10"


def test_published_page_suppresses_and_officials_see_exact_counts(client):
    from dte.training.models import TrainingCertificate
    from dte.training.tests.factories import TrainingClassFactory, institution, trainee

    c = TrainingClassFactory(institution=institution("120101"))
    user = officer("120000")
    for n in range(2):
        TrainingCertificate.objects.create(number=f"P{n}", enrolment=trainee(c), snapshot={}, snapshot_sha256="0" * 64,
                                           pdf_sha256="0" * 64, issued_on=date(2025, 1, 10), issued_by=user)
    public = client.get("/reporting/public/?province=tianjin").content.decode()
    assert "&lt;5" in public
    export = client.get("/reporting/public/?province=tianjin&export=xlsx")
    assert export.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for c in row if c]
    assert "<5" in cells and 2 not in cells and "2" not in cells
    client.force_login(user)
    assert "<strong>2</strong>" in client.get("/reporting/targets/").content.decode()


def test_officials_see_subsidy_spend_against_the_budget(client):
    from dte.subsidy.models import Budget
    from dte.organisations.tests.factories import division
    from dte.reporting.targets import subsidy_spend

    user = officer("140000")
    assert subsidy_spend("140000", 2026)["budget_fen"] is None
    Budget.objects.create(province=division("140000"), year=2026, amount_fen=123_456_700, basis="年度预算")
    spend = subsidy_spend("140000", 2026)
    assert spend["budget_fen"] == 123_456_700 and spend["committed_fen"] == 0 and spend["remaining_fen"] == 123_456_700
    client.force_login(user)
    page = client.get("/reporting/targets/?province=shanxi&year=2026").content.decode()
    assert "¥1,234,567.00" in page
    assert "¥1,234,567.00" not in client.get("/reporting/public/?province=shanxi&year=2026").content.decode()
