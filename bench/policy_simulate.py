"""Benchmark the policy simulation: N synthetic cases (default 1,000,000) through a pack.

    .venv/bin/python bench/policy_simulate.py [N] [--province tianjin] [--workers 2] [--seed 1]

Pure engine, no Django: prints throughput (cases/s) and peak resident memory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dte.policy import simulate  # noqa: E402
from dte.policy.packs import get_pack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--province", default="tianjin")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pack = get_pack(args.province)
    result = simulate.run(pack.code, simulate.demo_tasks(args.n, args.seed), pack.parameters, workers=args.workers)
    memory = result["peak_memory"]
    print(f"province={pack.code} cases={result['cases']:,} eligible={result['eligible']:,} total_fen={result['total_fen']:,}")
    print(f"seconds={result['seconds']} workers={result['workers']} throughput={result['throughput_cases_per_second']:,} cases/s")
    print(f"peak memory: main={memory['main_mb']} MB, largest worker={memory['largest_worker_mb']} MB")


if __name__ == "__main__":
    main()
