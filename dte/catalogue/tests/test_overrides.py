"""Standards an official enters reach the policy calculator as parameter overrides."""

import json
from datetime import date

import pytest

from dte.catalogue.selectors import occupation_find, subsidy_standard_overrides
from dte.catalogue.services import subsidy_standard_add
from dte.organisations.tests.factories import division
from dte.policy.engine import parse_overrides
from dte.policy.packs import get_pack
from dte.policy.services import policy_quote

from .factories import load_reference, officer

pytestmark = pytest.mark.django_db


def case(home: str, level: str = "junior", occupation: str = "2-02-10-11", hours: int = 128) -> dict:
    return {
        "trainee": {"birth_date": "2001-05-01", "status": "graduate", "graduation_date": "2025-06-30", "employed_after_training": True},
        "course": {
            "occupation_code": occupation, "level": level, "mode": "subsidised", "institution_province": home,
            "start_date": "2026-03-01", "end_date": "2026-03-20", "training_days": 12, "hours_total": hours, "hours_online": 60,
            "training_certificate": True, "level_certificate": {"issued_on": "2026-04-20", "province": home},
        },
        "class": {"size": 50, "employed_after_training": 40},
        "history": [],
    }


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def test_tibet_standard_entered_by_official_changes_the_quote():
    on = date(2026, 3, 1)
    before = policy_quote("540000", case("54"), on=on, overrides=subsidy_standard_overrides("540000", on))
    assert before.total_fen == 0 and before.reasons[0].code == "STANDARD_NOT_PUBLISHED"
    assert subsidy_standard_overrides("540000", on) == {}

    subsidy_standard_add(province=division("540000"), occupation=occupation_find("2-02-38-03"), level="junior",
                         amount_fen=260000, hours_required=128, effective_from=date(2026, 1, 1),
                         citation="藏人社发〔2026〕1号 附件", by=officer("540000"))
    overrides = subsidy_standard_overrides("540000", on, occupation="2-02-10-11", level="junior")
    assert json.loads(json.dumps(overrides)) == overrides  # a --parameters file can hold it
    after = policy_quote("540000", case("54"), on=on, overrides=overrides)
    assert after.total_fen == 260000 and not after.reasons
    assert after.items[0].citation == "藏人社发〔2026〕1号 附件"
    # another level has no standard yet; before the effective date none applies
    assert policy_quote("540000", case("54", level="senior"), on=on, overrides=overrides).total_fen == 0
    assert subsidy_standard_overrides("540000", date(2025, 12, 31)) == {}


def test_override_shape_feeds_engine_loader_directly():
    subsidy_standard_add(province=division("530000"), occupation=occupation_find("2-02-10-09"), level="senior",
                         amount_fen=480000, effective_from=date(2024, 3, 1), citation="云人社函〔2024〕5号")
    overrides = subsidy_standard_overrides("530000", date(2024, 6, 1))
    dated = parse_overrides(overrides)["training_subsidy_fen"]
    assert dated.effective_from == date(2024, 3, 1) and dated.citation == "云人社函〔2024〕5号"
    params = get_pack("yunnan").parameters.with_overrides(parse_overrides(overrides))
    assert params.at("training_subsidy_fen", date(2024, 6, 1)) == {"2-02-10-09": {"senior": {"amount_fen": 480000}}}


def test_guangxi_flat_amount_kept_for_cells_without_a_row():
    subsidy_standard_add(province=division("450000"), occupation=occupation_find("2-02-10-09"), level="junior",
                         amount_fen=100000, effective_from=date(2025, 1, 1), citation="桂人社函〔2025〕1号")
    overrides = subsidy_standard_overrides("450000", date(2026, 3, 1))
    table = overrides["training_subsidy_fen"]["value"]
    assert table["2-02-10-09"]["junior"] == {"amount_fen": 100000}
    assert table["2-02-10-11"]["junior"] == 80000  # the pack's 800 元/人 (广西人社厅通知 四(三))
    assert policy_quote("450000", case("45", occupation="2-02-10-09"), on=date(2026, 3, 1), overrides=overrides).items[0].amount_fen == 100000


def test_tianjin_overrides_merge_with_attachment_3():
    on = date(2026, 3, 1)
    plain = policy_quote("120000", case("12", level="intermediate"), on=on)
    assert plain.items[0].amount_fen == 403100
    subsidy_standard_add(province=division("120000"), occupation=occupation_find("2-02-10-11"), level="intermediate",
                         amount_fen=450000, effective_from=date(2026, 1, 1), citation="津人社办发〔2026〕1号")
    overrides = subsidy_standard_overrides("120000", on)
    table = overrides["subsidy_standards"]["value"]
    assert table["2-02-10-11"]["intermediate"] == {"hours": 128, "amount_fen": 450000}
    assert table["2-02-10-15"]["senior"] == {"hours": 64, "amount_fen": 467900}
    quoted = policy_quote("120000", case("12", level="intermediate"), on=on, overrides=overrides)
    assert quoted.items[0].amount_fen == 450000
    assert policy_quote("120000", case("12", level="junior"), on=on, overrides=overrides).items[0].amount_fen == 351900


def test_no_pack_no_overrides():
    assert subsidy_standard_overrides("110000", date(2026, 1, 1)) == {}


def test_calculator_api_and_cli_apply_the_entered_standard(client, capsys):
    from django.core.management import call_command

    from dte.organisations.roles import Role
    from dte.organisations.tests.factories import UserFactory

    subsidy_standard_add(province=division("540000"), occupation=occupation_find("2-02-38-03"), level="junior",
                         amount_fen=260000, hours_required=128, effective_from=date(2026, 1, 1),
                         citation="藏人社发〔2026〕1号 附件", by=officer("540000"))
    client.force_login(UserFactory(role=Role.TRAINING_STAFF))
    response = client.post("/api/policy/quote", {"province": "tibet", "on": "2026-03-01", "case": case("54")},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["total_fen"] == 260000
    what_if = {"training_subsidy_fen": {"value": {"2-02-10-11": {"junior": 300000}}, "effective_from": "2026-01-01"}}
    response = client.post("/api/policy/quote", {"province": "tibet", "on": "2026-03-01", "case": case("54"),
                                                 "parameters": what_if}, content_type="application/json")
    assert response.json()["total_fen"] == 300000  # the caller's what-if wins over the entered standard

    import io

    call_command("policy", "quote", "--province", "tibet", "--on", "2026-03-01", stdin=io.StringIO(json.dumps(case("54"))))
    assert json.loads(capsys.readouterr().out)["total_fen"] == 260000


def test_entered_standard_is_in_the_overrides_every_quote_uses():
    from dte.catalogue.selectors import overrides_with_official_standards

    assert overrides_with_official_standards("tibet", date(2026, 3, 1)) is None
    subsidy_standard_add(province=division("540000"), occupation=occupation_find("2-02-38-03"), level="junior",
                         amount_fen=260000, effective_from=date(2026, 1, 1), citation="藏人社发〔2026〕1号 附件")
    merged = overrides_with_official_standards("540000", date(2026, 3, 1))
    assert policy_quote("540000", case("54"), on=date(2026, 3, 1), overrides=merged).total_fen == 260000
