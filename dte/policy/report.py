"""Human-readable renderings for the CLI: a pack's parameters and a simulation report."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from .occupations import LEVEL_NAMES, find_occupation
from .packs.base import PolicyPack


def _value(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "—" if value is None else str(value)


def explain_text(pack: PolicyPack, on: date | None = None) -> str:
    on = on or date.today()
    lines = [f"{pack.name} ({pack.code}, {pack.division_code}) — parameters in force on {on.isoformat()}", ""]
    for name in pack.parameters.names():
        parameter = pack.parameters.parameters[name]
        current = parameter.at(on)
        lines.append(f"{name} — {parameter.description}" + (f" [{parameter.unit}]" if parameter.unit else ""))
        if not parameter.values:
            lines.append("    (尚未公布 / not published — supply a what-if value with --parameters)")
        for dated in parameter.values:
            marker = "*" if dated is current else " "
            published = f" published {dated.published.isoformat()}" if dated.published else ""
            lines.append(f"  {marker} from {dated.effective_from.isoformat()}{published}  {dated.citation}")
            if isinstance(dated.value, dict) and all(isinstance(v, dict) for v in dated.value.values()) and name == "subsidy_standards":
                for code, levels in dated.value.items():
                    occupation = find_occupation(code)
                    cells = "  ".join(f"{LEVEL_NAMES[level]} {cell['hours']}学时 {cell['amount_fen']}分" for level, cell in levels.items())
                    lines.append(f"      {code} {occupation.name if occupation else ''}: {cells}")
            else:
                lines.append(f"      = {_value(dated.value)}")
            if dated.note:
                lines.append(f"      note: {dated.note}")
        lines.append("")
    lines.append("* = value in force on the date shown")
    return "\n".join(lines)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen).scaleb(-2):,.2f} 元"


def simulate_text(result: dict) -> str:
    lines = [
        f"Province: {result['province']}   cases: {result['cases']:,}   invalid: {result['invalid']:,}   eligible: {result['eligible']:,}",
        f"Total cost: {result['total_fen']:,} fen ({_yuan(result['total_fen'])})",
    ]
    for kind, fen in sorted(result["by_kind_fen"].items()):
        lines.append(f"  {kind}: {fen:,} fen")
    for payee, fen in sorted(result["by_payee_fen"].items()):
        lines.append(f"  to {payee}: {fen:,} fen")
    if result.get("outcomes"):
        lines.append("Outcomes: " + ", ".join(f"{name} {count:,}" for name, count in result["outcomes"].items()))
    lines.append("Reasons:")
    for code, count in result["reasons"].items():
        lines.append(f"  {code:<34} {count:>10,}")
    if result["invalid_fields"]:
        lines.append("Invalid cases by field:")
        for path, count in result["invalid_fields"].items():
            lines.append(f"  {path:<34} {count:>10,}")
    lines.append("By occupation/level:            cases   eligible          total fen")
    for key, row in result["by_occupation_level"].items():
        lines.append(f"  {key:<24} {row['cases']:>10,} {row['eligible']:>10,} {row['total_fen']:>18,}")
    compare = result.get("compare")
    if compare:
        lines += [
            "Comparison (second parameter set minus first):",
            f"  gainers {compare['gainers']:,} (+{compare['gain_fen']:,} fen), losers {compare['losers']:,} (-{compare['loss_fen']:,} fen), unchanged {compare['unchanged']:,}",
            f"  newly eligible {compare['newly_eligible']:,}, no longer eligible {compare['no_longer_eligible']:,}",
            f"  total {result['total_fen']:,} → {compare['total_b_fen']:,} fen (net {compare['net_change_fen']:+,})",
        ]
        for key, delta in compare["by_occupation_level_delta_fen"].items():
            lines.append(f"    {key:<24} {delta:+,} fen")
        for example in compare["examples"]:
            lines.append(f"    e.g. {example['id']} {example['occupation_level']}: {example['a_fen']:,} → {example['b_fen']:,} fen")
    memory = result["peak_memory"]
    if result.get("mode") == "vectorised":
        lines.append(f"Mode: vectorised (no per-case reasons); columns built in {result.get('columns_seconds', 0)} s")
    lines.append(
        f"Throughput: {result['throughput_cases_per_second']:,} cases/s ({result['seconds']} s, {result['workers']} workers); "
        f"peak memory: main {memory['main_mb']} MB, largest worker {memory['largest_worker_mb']} MB"
    )
    return "\n".join(lines)
