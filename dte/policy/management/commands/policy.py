"""`dte policy quote|explain|simulate` — the policy calculator.

quote:    case JSON on stdin → one decision JSON on stdout (exit 0), malformed input → exit 2.
explain:  a pack's parameters with citations, dates and history.
simulate: a whole population (CSV/JSONL file or synthetic demo), streamed.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dte.catalogue.selectors import overrides_with_official_standards

from dte.policy import simulate as sim
from dte.policy.population import read_population
from dte.policy.engine import ParameterError, load_overrides_file
from dte.policy.packs import PACK_MODULES
from dte.policy.report import explain_text, simulate_text
from dte.policy.services import PolicyInputError, pack_for, parameters_with, parse_date, quote_from_text

INPUT_ERROR = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=INPUT_ERROR)


class Command(BaseCommand):
    help = "Policy calculator: quote one case, explain a pack, simulate a population."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)

        quote = actions.add_parser("quote", help="Decide one case read as JSON from stdin.")
        quote.add_argument("--province", required=True, help=f"one of {', '.join(PACK_MODULES)} or a GB/T 2260 code")
        quote.add_argument("--on", help="date whose parameters apply (default: course.start_date)")
        quote.add_argument("--parameters", help="YAML/JSON file of what-if parameter values")
        quote.add_argument("--case", help="read the case from this file instead of stdin")
        quote.add_argument("--compact", action="store_true", help="one-line JSON")

        explain = actions.add_parser("explain", help="Show a pack's parameters with citations and dates.")
        explain.add_argument("province")
        explain.add_argument("--on", help="mark the values in force on this date (default: today)")
        explain.add_argument("--json", action="store_true", help="machine-readable output")

        simulate = actions.add_parser("simulate", help="Evaluate a population and report cost and reasons.")
        simulate.add_argument("--province", required=True)
        source = simulate.add_mutually_exclusive_group(required=True)
        source.add_argument("--population", help="CSV (dotted column names) or JSONL file of cases")
        source.add_argument("--demo", type=int, help="generate N synthetic cases")
        simulate.add_argument("--seed", type=int, default=1, help="seed of the demo population")
        simulate.add_argument("--parameters", help="what-if parameter values (first parameter set)")
        simulate.add_argument("--compare", help="second parameter set: report who gains or loses")
        simulate.add_argument("--on", help="evaluate every case on this date (default: each course start)")
        simulate.add_argument("--workers", type=int, help="processes (default: CPU count)")
        simulate.add_argument("--vectorised", action="store_true",
                              help="what-if mode: NumPy over columns of cases — totals, outcomes and reason counts, no per-case reasons")
        simulate.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **options):
        try:
            return getattr(self, f"_{options['action']}")(options)
        except (PolicyInputError, ParameterError) as error:
            raise _fail(str(error)) from None

    def _parameters(self, pack, path):
        return parameters_with(pack, load_overrides_file(path)) if path else pack.parameters

    def _quote(self, options):
        pack = pack_for(options["province"])
        on = parse_date(options["on"])
        overrides = load_overrides_file(options["parameters"]) if options["parameters"] else None
        if options["case"]:
            try:
                with open(options["case"], encoding="utf-8") as handle:
                    text = handle.read()
            except OSError as error:
                raise _fail(f"无法读取案例文件 {options['case']}: {error.strerror}") from None
        else:
            text = (options.get("stdin") or sys.stdin).read()
        try:  # the standards officials entered in the catalogue; the calculator also works without a database
            overrides = overrides_with_official_standards(pack.code, on, overrides)
        except DatabaseError:
            self.stderr.write("提示：数据库未初始化，未应用目录中录入的补贴标准 / database not set up: "
                              "standards entered in the catalogue are not applied")
        decision = quote_from_text(pack.code, text, on=on, overrides=overrides)
        self.stdout.write(decision.to_json(indent=None if options["compact"] else 2))

    def _explain(self, options):
        pack = pack_for(options["province"])
        on = parse_date(options["on"])
        if options["json"]:
            self.stdout.write(json.dumps(pack.describe(), ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write(explain_text(pack, on))

    def _simulate(self, options):
        pack = pack_for(options["province"])
        on = parse_date(options["on"])
        params = self._parameters(pack, options["parameters"])
        compare = self._parameters(pack, options["compare"]) if options["compare"] else None
        if options["demo"] is not None:
            if options["demo"] < 1:
                raise _fail("--demo 必须为正整数 (must be a positive number)")
            tasks = sim.demo_tasks(options["demo"], options["seed"])
        else:
            try:
                open(options["population"], "rb").close()
            except OSError as error:
                raise _fail(f"无法读取人群文件 {options['population']}: {error.strerror}") from None
            tasks = sim.file_tasks(options["population"])
        if options["workers"] is not None and options["workers"] < 1:
            raise _fail("--workers 必须为正整数")
        if options["vectorised"]:
            result = self._simulate_vectorised(pack, options, params, compare, on)
        else:
            result = sim.run(pack.code, tasks, params, compare=compare, on=on, workers=options["workers"])
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(simulate_text(result))

    def _simulate_vectorised(self, pack, options, params, compare, on):
        """Build the population's columns once (timed apart), then evaluate them."""
        import time
        from collections import Counter

        from dte.policy import vectorised

        started = time.perf_counter()
        invalid = Counter()
        if options["demo"] is not None:
            cols = vectorised.demo_columns(pack.code, options["demo"], options["seed"], options["workers"])
        else:
            summary = sim.Summary()
            cols = vectorised.columns_from_cases(sim.parsed_cases(read_population(options["population"]), summary))
            invalid = summary.invalid_fields
        built = time.perf_counter() - started
        try:
            result = vectorised.run(pack.code, cols, params, on, invalid, compare_with=compare)
        except vectorised.VectorUnsupported as error:
            raise _fail(f"该省份的规则暂不支持向量化模式 (not supported in vectorised mode): {error}") from None
        result["columns_seconds"] = round(built, 2)
        return result
