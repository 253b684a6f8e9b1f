"""Scale-out on one machine (issue 12 item 7): one web process + one Celery worker against two of each,
the same PostgreSQL and Redis, the production settings (dte.settings.production) and the same mixed load.

Load, identical for both set-ups and measured in the same run:
  web  — the public certificate-verification pages, one to one: the verification form GET /credentials/verify/
         (a full Chinese page) and the page a QR code opens GET /credentials/v/<token>/ (token lookup,
         signature check, verification log; cached briefly per process). `--web page` / `--web api` take only
         the token page / the JSON API: so cheap per request that the Python load generator, not the server,
         is the limit on a 2-core machine, and extra processes only compete with it for the cores.
         The load comes from a SECOND process holding N concurrent connections, spread round-robin over the
         web processes' ports (the "load balancer");
  jobs — J policy-change simulations (`policy.simulate`, the job the policy page starts: S synthetic cases
         decided twice by the Shanxi pack, an encrypted .xlsx written) queued through Redis to the workers
         while the web load runs.

Set-ups: "1+1" = one gunicorn (1 sync worker) + one `celery worker --concurrency 1`;
         "2+2" = two gunicorn processes (1 sync worker each, own ports) + two Celery workers (own names).
Prints per set-up: web requests/s and p99, jobs finished per minute, and the 2+2 / 1+1 ratios; rounds
alternate (1+1, 2+2, 1+1, …) so a busy machine slows both alike; the summary is the median of rounds
and the ratio of each 2+2 round to the 1+1 round before it.

  .venv/bin/python bench/scale_out.py [--seconds 20] [--rounds 3] [--connections 8] [--jobs 8] [--cases 3000] [--web mix]
  .venv/bin/python bench/scale_out.py --quick          # the `make bench` size

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_h5; created if missing, emptied otherwise),
REDIS_URL (default redis://127.0.0.1:6379/10; flushed). Ports are picked free above 20000 (never 8000).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

import verify_http  # noqa: E402  (shares the load generator and the certificate set-up)


def environment(media: str) -> dict:
    env = verify_http.environment()
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_h5")
    env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
    env.update({"DJANGO_SETTINGS_MODULE": "dte.settings.production", "DTE_TASKS_EAGER": "0", "DTE_MEDIA_ROOT": media,
                "DTE_VAR_DIR": media, "LOG_LEVEL": "WARNING", "DTE_REQUEST_LOG": "0", "PYTHONPATH": str(ROOT)})
    return env


_TAKEN: set[int] = set()


def free_port() -> int:
    """A port nobody listens on and this run has not handed out before (a gunicorn may not have bound yet)."""
    import socket

    for port in range(20000 + os.getpid() % 20000, 65000):
        if port in _TAKEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            _TAKEN.add(port)
            return port
    raise RuntimeError("no free port")


def start(web: int, workers: int, env: dict) -> tuple[list[subprocess.Popen], list[int]]:
    processes, ports = [], []
    for _ in range(web):
        port = free_port()
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "dte.wsgi:application", "--workers", "1", "--bind", f"127.0.0.1:{port}",
             "--log-level", "warning", "--no-control-socket"], env=env, cwd=ROOT))
        ports.append(port)
    for number in range(workers):
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dte", "worker", "--concurrency", "1", "--pool", "prefork",
             "-n", f"bench{number}-{os.getpid()}@%h", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
            env={**env, "PYTHONWARNINGS": "ignore::UserWarning"},  # Celery's "running as root" warning on bench boxes
            cwd=ROOT, stdout=subprocess.DEVNULL))
    try:
        for port in ports:
            wait_http(port)
        wait_workers(workers)
    except BaseException:
        stop(processes)
        raise
    return processes, ports


def wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {port} not ready")


def wait_workers(count: int, timeout: float = 60) -> None:
    from dte.celery_app import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0) or []) >= count:
            return
    raise RuntimeError(f"{count} Celery workers did not answer")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def run_jobs(count: int, cases: int, tag: str) -> list:
    from dte.jobs.services import job_start

    return [job_start("policy.simulate", params={"province": "shanxi", "changes": {}, "population": "demo",
                                                 "size": cases, "seed": number, "bench": tag}).pk
            for number in range(count)]


def jobs_finished(ids: list) -> tuple[int, int]:
    from dte.jobs.models import Job

    done = Job.objects.filter(pk__in=ids, status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED])
    return done.count(), done.filter(status=Job.Status.FAILED).count()


def jobs_span(ids: list) -> float:
    """Seconds from the first job queued to the last one finished (the workers' own timestamps)."""
    from django.db.models import Max, Min

    from dte.jobs.models import Job

    if not ids:
        return float("nan")
    span = Job.objects.filter(pk__in=ids).aggregate(first=Min("created_at"), last=Max("finished_at"))
    return (span["last"] - span["first"]).total_seconds()


def one_round(label: str, web: int, workers: int, env: dict, paths: list[str], args) -> dict:
    import multiprocessing

    processes, ports = start(web, workers, env)
    try:
        # every path once per port, round-robin: the client-side stand-in for a load balancer
        spread = [(port, path) for path in paths for port in ports]
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        loader = ctx.Process(target=load_many, args=(spread, args.connections, args.seconds, queue))
        ids = run_jobs(args.jobs, args.cases, label)
        started = time.perf_counter()
        loader.start()
        latencies, errors, elapsed = queue.get()
        loader.join()
        web_window = time.perf_counter() - started
        finished, failed = jobs_finished(ids)
        in_window = finished
        deadline = time.monotonic() + args.drain
        while finished < len(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
            finished, failed = jobs_finished(ids)
        all_jobs = jobs_span(ids)
    finally:
        stop(processes)
    latencies.sort()
    return {"label": label, "rate": len(latencies) / elapsed, "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "errors": errors, "requests": len(latencies), "jobs_in_window": in_window, "window": web_window,
            "jobs": finished, "failed": failed, "all_jobs_s": all_jobs,
            "jobs_per_min": 60 * finished / all_jobs if ids else 0.0}


async def _one(port: int, path: str) -> tuple[int, float]:
    import asyncio

    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-hans\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, time.perf_counter() - started


def load_many(spread, connections: int, seconds: float, queue) -> None:
    """Second process: the web load, bounded by time (the jobs run meanwhile), over several ports
    (bench/httpload.py sends a given number of requests to one port)."""
    import asyncio

    async def drive():
        latencies, errors, deadline, index = [], 0, time.perf_counter() + seconds, [0]

        async def worker():
            nonlocal errors
            while time.perf_counter() < deadline:
                port, path = spread[index[0] % len(spread)]
                index[0] += 1
                status, elapsed = await _one(port, path)
                latencies.append(elapsed)
                errors += status != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies, errors, time.perf_counter() - began

    queue.put(asyncio.run(drive()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="web load per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=8, help="simulations queued per round")
    parser.add_argument("--cases", type=int, default=3000, help="synthetic cases per simulation")
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--drain", type=float, default=300.0, help="wait at most this long for the jobs")
    parser.add_argument("--web", choices=("mix", "page", "api"), default="mix",
                        help="mix: verification form + token pages (HTML); page: token pages; api: the JSON API")
    parser.add_argument("--quick", action="store_true", help="small sizes (make bench)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.connections, args.jobs, args.cases, args.certificates = 4, 1, 4, 4, 100, 40
    media = tempfile.mkdtemp(prefix="dte-bench-scale-")
    env = environment(media)
    os.environ.update(env)
    verify_http.ensure_database(env["DATABASE_URL"])
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    tokens, _occupation, _names = verify_http.prepare(args.certificates)
    if args.web == "api":
        paths = [f"/api/credentials/verify/token/{token}" for token in tokens]
    elif args.web == "page":
        paths = [f"/credentials/v/{token}/" for token in tokens]
    else:  # the public verification form and the token pages, one to one
        paths = [path for token in tokens for path in ("/credentials/verify/", f"/credentials/v/{token}/")]
    from django.db import connection

    load = os.getloadavg()
    print(f"scale-out: {args.rounds} round(s), {args.seconds:.0f} s web load ({args.web}), {args.connections} connections, "
          f"{args.jobs} jobs × {args.cases} cases; load average {load[0]:.1f} {load[1]:.1f}", flush=True)
    results: dict[str, list] = {"1+1": [], "2+2": []}
    try:
        for _ in range(args.rounds):
            for label, web, workers in (("1+1", 1, 1), ("2+2", 2, 2)):
                connection.close()
                outcome = one_round(label, web, workers, env, paths, args)
                results[label].append(outcome)
                print(f"  {label}: web {outcome['rate']:,.0f} req/s (p99 {outcome['p99']:.1f} ms, {outcome['errors']} errors); "
                      f"jobs {outcome['jobs']}/{args.jobs} in {outcome['all_jobs_s']:.1f} s = {outcome['jobs_per_min']:.1f}/min "
                      f"({outcome['jobs_in_window']} within the web window, {outcome['failed']} failed)", flush=True)
    finally:
        shutil.rmtree(media, ignore_errors=True)

    def median(label, key):
        return statistics.median(item[key] for item in results[label])

    def pairs(key):  # each 2+2 round against the 1+1 round just before it
        return ", ".join(f"{two[key] / one[key]:.2f}×" if one[key] else "–" for one, two in zip(results["1+1"], results["2+2"]))

    web_ratio = median("2+2", "rate") / median("1+1", "rate")
    job_ratio = median("2+2", "jobs_per_min") / (median("1+1", "jobs_per_min") or float("nan"))
    print(f"median of rounds — web: 1+1 {median('1+1', 'rate'):,.0f} req/s, 2+2 {median('2+2', 'rate'):,.0f} req/s "
          f"({web_ratio:.2f}×; per round {pairs('rate')}); jobs: 1+1 {median('1+1', 'jobs_per_min'):.1f}/min, "
          f"2+2 {median('2+2', 'jobs_per_min'):.1f}/min ({job_ratio:.2f}×; per round {pairs('jobs_per_min')}); "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
