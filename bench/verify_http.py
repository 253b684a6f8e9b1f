"""Public certificate verification over HTTP (issue 9 §6, issue 12 target 5).

PostgreSQL + Redis, the platform's production settings served by gunicorn (2 sync workers) on loopback;
the load comes from a SECOND process (bench/httpload.py: N concurrent connections, a request count sized
from the last rate measured to last about --seconds, at most --limit).
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
import os
import sys
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]


from httpload import Gunicorn, burst, ensure_database, production_environment, raw_request, summary  # noqa: E402  (bench/, on the path above)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per round and kind (about: the request count is "
                                                                     "the last rate measured times this)")
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
    page_path = f"/credentials/v/{tokens[0]}/"
    server = Gunicorn(env, args.workers, ready_path=page_path)
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{server.port}{page_path}", timeout=2).read().decode()
        assert names[tokens[0]] in page, "the verification page does not show the holder"
        kinds = {"reference": [f"/bench/bare/{occupation_pk}/"], "page": [f"/credentials/v/{t}/" for t in tokens],
                 "api": [f"/api/credentials/verify/token/{t}" for t in tokens]}

        def requests(paths: list[str], count: int) -> list[bytes]:
            return [raw_request("GET", paths[i % len(paths)], {"Accept-Language": "zh-hans"}) for i in range(count)]

        def count(measured: list) -> int:
            # httpload sends a given number of requests; this bench's rounds are given in seconds: the last
            # rate measured sizes the next round
            return max(100, min(args.limit, int(summary(measured)["rate"] * args.seconds)))

        # warm-up: imports, connections, the answer cache
        counts = {name: count([burst(server, requests(paths, 400), args.connections)]) for name, paths in kinds.items()}
        runs = {name: [] for name in kinds}
        for _ in range(args.rounds):
            for name, paths in kinds.items():
                runs[name].append(burst(server, requests(paths, counts[name]), args.connections))
                counts[name] = count(runs[name][-1:])
        peak = server.peak_memory_mb()
    finally:
        server.stop()
    from dte.credentials.models import VerificationLog

    def line(label: str, s: dict) -> str:
        non_200 = s["n"] - s["statuses"].get(200, 0)
        return (f"{label:48s}: {s['rate']:7.0f} req/s  p50 {s['p50']:.2f} ms  p99 {s['p99']:.2f} ms  server CPU "
                f"{s['cpu_ms']:.2f} ms/req  ({s['n']} requests, {non_200} non-200)")

    reference = summary(runs["reference"])
    verified = sum(len(b.latencies) for name in ("page", "api") for b in runs[name])
    print(f"machine: {os.cpu_count()} CPUs; gunicorn {args.workers} sync workers; {args.connections} connections from a "
          f"second process; {args.rounds}×≈{args.seconds:g} s per kind; {date.today()}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows both kinds alike)")
    print(line("reference  bare Django view, one pk lookup", reference))
    for name, label in (("page", "verification page /credentials/v/<token>/"), ("api", "verification API  /verify/token/<token>")):
        s = summary(runs[name])
        print(line(label, s))
        print(f"{'':48s}  ratio to the bare view: {s['rate'] / reference['rate']:.2f}× req/s, "
              f"{reference['cpu_ms'] / s['cpu_ms']:.2f}× by server CPU per request; goal ≥ 2× and p99 ≤ 10 ms: "
              f"{'met' if s['rate'] >= 2 * reference['rate'] and s['p99'] <= 10 else 'NOT met'}")
    logged = VerificationLog.objects.count()
    print(f"verification log rows: {logged} for ≥ {verified} measured verifications (plus warm-up)")
    print(f"peak memory of a worker: {peak:.0f} MB")


if __name__ == "__main__":
    main()
