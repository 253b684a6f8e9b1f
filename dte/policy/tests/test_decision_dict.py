"""Decision.to_dict converts items and reasons without dataclasses.asdict (issue 10, speed): the
result must stay exactly asdict's, which holds while their fields are plain values."""

from dataclasses import asdict, fields
from datetime import date

from dte.policy.engine import Decision, Item, Reason, _flat


def test_flat_is_asdict_for_items_and_reasons():
    item = Item("training_subsidy", 120000, "institution", "晋人社厅发〔2024〕27号 五(四)", onward_payee=None, note="")
    reason = Reason("OK", "符合条件", "津人社办发〔2022〕94号 附件3 二", effect="info")
    assert _flat(item) == asdict(item) and list(_flat(item)) == list(asdict(item))
    assert _flat(reason) == asdict(reason) and list(_flat(reason)) == list(asdict(reason))
    decision = Decision("140000", date(2025, 3, 3), True, [item], [reason])
    assert decision.to_dict()["reasons"] == [asdict(reason)]
    assert decision.to_dict()["items"][0] == {k: v for k, v in asdict(item).items() if v not in (None, "")}


def test_item_and_reason_fields_stay_plain_values():
    """A nested (mutable) field would need asdict's deep copy again: _flat would then be wrong."""
    for cls in (Item, Reason):
        for f in fields(cls):
            assert f.type in ("str", "int", "str | None", str, int), (cls, f.name, f.type)
