"""Benchmark the policy simulation: N synthetic cases (default 1,000,000) through each pack.

    .venv/bin/python bench/policy_simulate.py [N] [--province tianjin] [--workers 2] [--seed 1] [--vector-rounds 3]

Pure engine, no Django. For each province (all five unless --province, each in a fresh process
so that its peak memory is its own) it prints, measured in the same run:

* reference — the bare formula in plain Python: Shanxi's daily-rate amount (150 元/day for 10
  days, 100 元 after, capped at 5,000 元) over N training-day counts in one loop, one process;
* per-case engine — `simulate.run` over the demo population (every case generated, every rule run,
  every reason counted), wall time with --workers processes (default: CPU count); goal ≤ 10 s
  for 1,000,000 cases on 2 cores, i.e. ≥ 100,000 cases/s;
* vectorised — `vectorised.evaluate` over the same population as NumPy columns (best of
  --vector-rounds; building the columns is timed apart), and whether its totals equal the
  per-case run's; goal ≥ 2,000,000 cases/s;
* peak resident memory of the main process and of the largest worker;
* CPU seconds of the per-case run (main process and workers), as cases per CPU-second beside the
  reference's — the figure a machine busy with other work distorts least.

Throughputs are also given as a ratio to the reference, which a busy machine slows alike.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dte.policy import simulate, vectorised  # noqa: E402
from dte.policy.packs import PACK_MODULES, get_pack  # noqa: E402

COMPARED = ("cases", "eligible", "total_fen", "by_kind_fen", "by_payee_fen", "reasons", "outcomes", "by_occupation_level")


def bare_formula(n: int) -> tuple[float, float]:
    """Cases per second of the plain-Python formula alone (the reference): wall and CPU time."""
    days = [3 + i % 37 for i in range(n)]
    started, cpu = time.perf_counter(), time.process_time()
    total = 0
    for d in days:
        amount = min(d, 10) * 15000 + max(d - 10, 0) * 10000
        total += amount if amount < 500000 else 500000
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert total > 0
    return n / elapsed, n / cpu


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished workers (a loaded machine slows wall time, not this)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_province(code: str, n: int, workers: int | None, seed: int, rounds: int) -> dict:
    pack = get_pack(code)
    reference, reference_cpu = bare_formula(n)
    cpu = cpu_seconds()
    per_case = simulate.run(pack.code, simulate.demo_tasks(n, seed), pack.parameters, workers=workers)
    per_case_cpu = cpu_seconds() - cpu
    started = time.perf_counter()
    cols = vectorised.demo_columns(pack.code, n, seed, workers)
    built = time.perf_counter() - started
    best, best_cpu = None, float("inf")
    for _ in range(rounds):
        cpu = time.process_time()
        result = vectorised.run(pack.code, cols, pack.parameters)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best = result if best is None or result["seconds"] < best["seconds"] else best
    same = all(best[key] == per_case[key] for key in COMPARED)
    return {"reference": reference, "reference_cpu": reference_cpu, "per_case": per_case, "per_case_cpu": per_case_cpu,
            "vectorised": best, "vectorised_cpu": best_cpu, "columns_seconds": built, "same": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--province", help="one pack (default: all five)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vector-rounds", type=int, default=3)
    args = parser.parse_args()
    if not args.province:  # one fresh process per province, so each peak memory is its own
        for code in PACK_MODULES:
            command = [sys.executable, __file__, str(args.n), "--province", code, "--seed", str(args.seed), "--vector-rounds", str(args.vector_rounds)]
            if args.workers:
                command += ["--workers", str(args.workers)]
            subprocess.run(command, check=True)
        return
    provinces = [get_pack(args.province).code]
    print(f"cases={args.n:,} workers={args.workers or os.cpu_count()} load average at start={os.getloadavg()[0]:.2f}")
    header = f"{'province':<8} {'reference/s':>12} {'per-case/s':>11} {'secs':>6} {'ratio':>7} {'vector/s':>12} {'ratio':>6} {'cols s':>6} same  peak MB main/worker"
    print(header)
    for code in provinces:
        r = bench_province(code, args.n, args.workers, args.seed, args.vector_rounds)
        per_case, vector = r["per_case"], r["vectorised"]
        pc_rate = per_case["cases"] / per_case["seconds"] if per_case["seconds"] else float("inf")
        v_rate = vector["cases"] / vector["seconds"] if vector["seconds"] else float("inf")
        memory = per_case["peak_memory"]
        vmem = vector["peak_memory"]
        print(
            f"{code:<8} {r['reference']:>12,.0f} {pc_rate:>11,.0f} {per_case['seconds']:>6.2f} {pc_rate / r['reference']:>7.4f} "
            f"{v_rate:>12,.0f} {v_rate / r['reference']:>6.2f} {r['columns_seconds']:>6.1f} {'yes' if r['same'] else 'NO':<4}  "
            f"{max(memory['main_mb'], vmem['main_mb'])}/{max(memory['largest_worker_mb'], vmem['largest_worker_mb'])}"
        )
        per_cpu = per_case["cases"] / r["per_case_cpu"]
        print(f"         per-case CPU time {r['per_case_cpu']:.2f} s = {per_cpu:,.0f} cases per CPU-second "
              f"(reference {r['reference_cpu']:,.0f} per CPU-second; ratio {per_cpu / r['reference_cpu']:.4f}; "
              f"on 2 idle cores ≈ {2 * per_cpu:,.0f} cases/s); vectorised {vector['cases'] / r['vectorised_cpu']:,.0f} cases per CPU-second")
        print(f"         eligible={per_case['eligible']:,} total_fen={per_case['total_fen']:,} outcomes={per_case['outcomes']}", flush=True)
    print(f"load average at end={os.getloadavg()[0]:.2f}; goals: per-case ≥ 100,000 cases/s (1 M in ≤ 10 s), vectorised ≥ 2,000,000 cases/s")


if __name__ == "__main__":
    main()
