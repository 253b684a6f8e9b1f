"""Public certificate verification over HTTP (issue 9 §6, issue 12 target 5).

PostgreSQL + Redis, the platform's production settings served by gunicorn (2 sync workers) on loopback;
the load comes from a SECOND process (asyncio, N concurrent connections, bounded by time and count).
Measured in the same run, alternating rounds:

  reference — a bare Django view doing one primary-key lookup, through the same middleware stack,
              server and database (bench/verify_site/urls.py, mounted only by this bench's settings);
  page      — the public verification page a QR code opens, GET /credentials/v/<token>/ (HTML);
  api       — the public API, GET /api/credentials/verify/token/<token> (JSON).

Prints requests/second, p50 and p99 for each, the ratio to the reference, the verification-log rows
written (every verification is logged, in batches) and the workers' peak memory. Goal: ≥ 2× the bare
view, p99 ≤ 10 ms.

  .venv/bin/python bench/verify_http.py [--seconds 4] [--rounds 3] [--connections 4] [--certificates 200]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dte_bench_h4b; the database is
created if missing, emptied otherwise) and REDIS_URL (default redis://127.0.0.1:6379/9; flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]


from httpload import ensure_database, production_environment  # noqa: E402  (bench/, on the path above)


def environment() -> dict:
    return production_environment("verify_site.settings", "postgres://postgres@127.0.0.1:5432/dte_bench_h4b",
                                  "redis://127.0.0.1:6379/9", DTE_VERIFY_RATE="100000000/60")


def prepare(count: int) -> tuple[list[str], int, dict]:
    """Migrate, then issue `count` level certificates; returns (tokens, an occupation pk, token → holder name)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # an earlier run's rows (TRUNCATE, not DROP DATABASE)
    cache.clear()
    from dte.catalogue.models import InstitutionListing, ListingCoverage, Occupation
    from dte.credentials.services import LevelCertificateRequest, level_certificates_issue
    from dte.demo.people import make_id_number
    from dte.geography.models import Division
    from dte.organisations.models import Organisation, User
    from dte.organisations.roles import Role
    from dte.registry.models import Person
    from dte.registry.services import id_index_of

    nation = Division.objects.create(code="000000", name="全国", level=Division.Level.NATIONAL)
    province = Division.objects.create(code="140000", name="山西省", level=Division.Level.PROVINCE, parent=nation)
    city = Division.objects.create(code="140100", name="太原市", level=Division.Level.PREFECTURE, parent=province)
    occupation = Occupation.objects.create(code="2-02-10-09", name="人工智能工程技术人员", directions=[])
    issuer = Organisation.objects.create(name="山西省数字技术人才评价中心", kind=Organisation.Kind.EVALUATION_INSTITUTION, division=city)
    listing = InstitutionListing.objects.create(organisation=issuer, kind=InstitutionListing.Kind.EVALUATION, province=province,
                                                listed_on=date(2023, 1, 1))
    ListingCoverage.objects.create(listing=listing, occupation=occupation, level="junior")
    by = User.objects.create(username="bench_eval", role=Role.EVALUATION_STAFF, organisation=issuer)
    requests = []
    for i in range(count):
        idn = make_id_number("140105", date(1995, 1, 1 + i % 28), i % 1000)
        person = Person.objects.create(name=f"学员{i:04d}", id_number=idn, id_index=id_index_of(idn), birth_date=date(1995, 1, 1),
                                       gender="M", division=city)
        requests.append(LevelCertificateRequest(person=person, occupation=occupation, level="junior", direction="", issuer=issuer,
                                                exam_date=date(2026, 3, 1), national_reference="bench", source_label="bench"))
    certs = []
    for start in range(0, count, 50):
        certs += level_certificates_issue(requests[start:start + 50], by=by, issued_on=date(2026, 5, 1))
    return [c.token for c in certs], occupation.pk, {c.token: c.person.name for c in certs}


async def _one(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-hans\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, time.perf_counter() - started


async def _drive(port: int, paths: list[str], connections: int, seconds: float, limit: int):
    latencies, errors, deadline, index = [], 0, time.perf_counter() + seconds, [0]

    async def worker():
        nonlocal errors
        while time.perf_counter() < deadline and len(latencies) < limit:
            path = paths[index[0] % len(paths)]
            index[0] += 1
            status, elapsed = await _one(port, path)
            latencies.append(elapsed)
            errors += status != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies, errors, time.perf_counter() - started


def load(port: int, paths: list[str], connections: int, seconds: float, limit: int, queue) -> None:
    """Runs in the second process."""
    queue.put(asyncio.run(_drive(port, paths, connections, seconds, limit)))


def measure(port: int, paths: list[str], args) -> tuple[list[float], int, float]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=load, args=(port, paths, args.connections, args.seconds, args.limit, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master and its workers (Linux /proc)."""
    pids = [master] + [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def summary(name: str, runs: list, cpu: dict) -> dict:
    latencies = sorted(x for lat, _, _ in runs for x in lat)
    elapsed = sum(e for _, _, e in runs)
    rate = len(latencies) / elapsed
    p50, p99 = latencies[len(latencies) // 2] * 1000, latencies[int(len(latencies) * 0.99) - 1] * 1000
    errors = sum(err for _, err, _ in runs)
    return {"name": name, "rate": rate, "p50": p50, "p99": p99, "errors": errors, "n": len(latencies),
            "cpu_ms": 1000 * cpu[name] / len(latencies)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per round and kind")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--limit", type=int, default=50_000, help="at most this many requests per round and kind")
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = environment()
    os.environ.update(env)
    ensure_database(env["DATABASE_URL"])
    tokens, occupation_pk, names = prepare(args.certificates)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "dte.wsgi:application", "--workers", str(args.workers),
                               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/credentials/v/{tokens[0]}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not start")
        assert names[tokens[0]] in page, "the verification page does not show the holder"
        kinds = {"reference": [f"/bench/bare/{occupation_pk}/"], "page": [f"/credentials/v/{t}/" for t in tokens],
                 "api": [f"/api/credentials/verify/token/{t}" for t in tokens]}
        for paths in kinds.values():  # warm-up: imports, connections, the answer cache
            measure(port, paths, argparse.Namespace(**{**vars(args), "seconds": 1.0}))
        runs, cpu = {name: [] for name in kinds}, dict.fromkeys(kinds, 0.0)
        for _ in range(args.rounds):
            for name, paths in kinds.items():
                before = server_cpu(server.pid)
                runs[name].append(measure(port, paths, args))
                cpu[name] += server_cpu(server.pid) - before
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    from dte.credentials.models import VerificationLog

    reference = summary("reference", runs["reference"], cpu)
    verified = sum(len(lat) for name in ("page", "api") for lat, _, _ in runs[name])
    print(f"machine: {os.cpu_count()} CPUs; gunicorn {args.workers} sync workers; {args.connections} connections from a "
          f"second process; {args.rounds}×{args.seconds:g} s per kind; {date.today()}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows both kinds alike)")
    print(f"{'reference  bare Django view, one pk lookup':48s}: {reference['rate']:7.0f} req/s  p50 {reference['p50']:.2f} ms  "
          f"p99 {reference['p99']:.2f} ms  server CPU {reference['cpu_ms']:.2f} ms/req  ({reference['n']} requests, "
          f"{reference['errors']} non-200)")
    for name, label in (("page", "verification page /credentials/v/<token>/"), ("api", "verification API  /verify/token/<token>")):
        s = summary(name, runs[name], cpu)
        print(f"{label:48s}: {s['rate']:7.0f} req/s  p50 {s['p50']:.2f} ms  p99 {s['p99']:.2f} ms  server CPU {s['cpu_ms']:.2f} "
              f"ms/req  ({s['n']} requests, {s['errors']} non-200)")
        print(f"{'':48s}  ratio to the bare view: {s['rate'] / reference['rate']:.2f}× req/s, "
              f"{reference['cpu_ms'] / s['cpu_ms']:.2f}× by server CPU per request; goal ≥ 2× and p99 ≤ 10 ms: "
              f"{'met' if s['rate'] >= 2 * reference['rate'] and s['p99'] <= 10 else 'NOT met'}")
    logged = VerificationLog.objects.count()
    print(f"verification log rows: {logged} for ≥ {verified} measured verifications (plus warm-up)")
    print(f"peak memory of a worker: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
