"""Check-in burst over HTTP (training delivery; issue 5, issue 12 item 2).

A class of N trainees (default 2,000), each signed in (a browser session cookie and CSRF token), with
one offline session per round happening now at a geofenced venue. The platform's production settings
(PostgreSQL, Redis) are served by gunicorn (sync workers) on loopback; the load comes from a SECOND
process (asyncio, C concurrent connections). Each round, measured in the same run:

  reference — N POSTs to a bare Django view inserting one row (bench/checkin_site/urls.py), with the
              same cookies, CSRF header, middleware stack, server, database and client;
  check-in  — every trainee's POST /api/training/sessions/<id>/check-in, all at once.

Every `--shared-every`-th trainee uses the phone (device id and IP) of the trainee before them, sent
concurrently: the shared-device and shared-IP flags must come out exactly once per pair. After each
round the script checks that every trainee has one attendance row and one accepted attempt row.
Prints accepted check-ins/s, p50/p99, server CPU per request, ratio to the reference, the workers' peak
memory. Goal (issue 12): ≥ 1,000 accepted check-ins/s, p99 ≤ 50 ms.

  .venv/bin/python bench/checkin_burst.py [--trainees 2000] [--rounds 3] [--connections 8] [--workers 3]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_h2; created if missing and
migrated) and REDIS_URL (default redis://127.0.0.1:6379/11). Bench rows are deleted at the end
(--keep to keep them).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from httpload import Gunicorn, burst, ensure_database, production_environment, raw_request, summary  # noqa: E402

LAT, LON = 39.0842, 117.2009


def build(n: int, sessions: int):
    """Institution, venue, class, `sessions` sessions happening now, n trainees with logins (bulk)."""
    from decimal import Decimal

    from django.utils import timezone

    from dte.catalogue.models import Occupation
    from dte.demo.people import make_id_number
    from dte.geography.models import Division
    from dte.organisations.models import Organisation, User
    from dte.organisations.roles import Role
    from dte.policy.occupations import find_occupation
    from dte.registry.models import Enrolment, Person, TrainingClass
    from dte.registry.services import id_index_of
    from dte.training.models import Session, Venue

    tag = secrets.token_hex(3)
    for code, level, parent in (("000000", "national", None), ("120000", "province", "000000"), ("120100", "prefecture", "120000"),
                                ("120101", "county", "120100")):
        Division.objects.get_or_create(code=code, defaults={"name": f"区划{code}", "level": level, "parent_id": parent})
    o = find_occupation("2-02-10-09")
    occupation = Occupation.objects.get_or_create(code=o.code, defaults={"name": o.name, "field": o.field})[0]
    org = Organisation.objects.create(name=f"压测培训机构{tag}", kind="training", division_id="120101")
    today = timezone.localdate()
    tc = TrainingClass.objects.create(institution=org, occupation=occupation, level="junior", title=f"压测班{tag}", division_id="120101",
                                      start_date=today - timedelta(days=1), end_date=today + timedelta(days=30), capacity=n,
                                      status="in_training")
    venue = Venue.objects.create(institution=org, name="压测场地", division_id="120101", lat=LAT, lon=LON, radius_m=200)
    now = timezone.now()
    made = [Session.objects.create(training_class=tc, title=f"压测课{i}", starts_at=now - timedelta(minutes=5),
                                   ends_at=now + timedelta(hours=3), hours=Decimal(4), delivery="offline", kind="theory",
                                   venue=venue) for i in range(sessions)]
    users = User.objects.bulk_create([User(username=f"bench{tag}-{i}", role=Role.TRAINEE, password="!") for i in range(n)])
    people = []
    base = date(1970, 1, 1) + timedelta(days=secrets.randbelow(9000))  # a fresh range of ID numbers per run
    for i, user in enumerate(users):
        number = make_id_number("120101", base + timedelta(days=i // 1000), i % 1000)
        people.append(Person(name=f"学员{i}", id_number=number, id_index=id_index_of(number), birth_date=date(1990, 1, 1),
                             gender="M", division_id="120101", registered_by=org, user=user))
    Person.objects.bulk_create(people, batch_size=500)
    Enrolment.objects.bulk_create([Enrolment(training_class=tc, person=p, status="enrolled") for p in people], batch_size=1000)
    return org, tc, made, users


def sign_in(users) -> list[str]:
    """A signed-in browser session per trainee, as django.contrib.auth.login leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for user in users:
        store = store_class()
        store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys.append(store.session_key)
    return keys


def phone_of(i: int, shared_every: int) -> int:
    """Trainee i uses the phone of trainee i - 1 when i is the second of a shared pair."""
    return i - 1 if shared_every and i % shared_every == shared_every - 1 else i


def requests_for(path_of, keys: list[str], shared_every: int) -> list[bytes]:
    csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for cookie and header
    out = []
    for i, key in enumerate(keys):
        phone = phone_of(i, shared_every)
        body = json.dumps({"lat": LAT + (i % 50) * 1e-5, "lon": LON, "accuracy": 15, "device_id": f"phone-{phone}"}).encode()
        out.append(raw_request("POST", path_of(i), {
            "Content-Type": "application/json", "Cookie": f"sessionid={key}; csrftoken={csrf}", "X-CSRFToken": csrf,
            "Referer": "http://127.0.0.1/", "Accept-Language": "zh-hans",
            "X-Forwarded-For": f"10.{phone // 65536 % 256}.{phone // 256 % 256}.{phone % 256}"}, body))  # mobile networks
    return out


def check_round(session, n: int, shared_every: int) -> list[str]:
    """What is wrong with the round's rows (nothing, when the check-ins were all kept and flagged right)."""
    from dte.training.models import Attendance, AttendanceFlag, CheckInAttempt

    problems = []
    if Attendance.objects.filter(session=session).count() != n:
        problems.append("not one attendance row per trainee")
    if CheckInAttempt.objects.filter(session=session, accepted=True).count() != n:
        problems.append("not one accepted attempt row per trainee")
    pairs = {i - 1 for i in range(n) if phone_of(i, shared_every) != i}
    expected = {(kind, value) for p in pairs
                for kind, value in (("shared_device", f"phone-{p}"), ("shared_ip", f"10.{p // 65536 % 256}.{p // 256 % 256}.{p % 256}"))}
    flags = set(AttendanceFlag.objects.filter(session=session).values_list("kind", "value"))
    if flags != expected:
        problems.append(f"flags differ: {len(expected - flags)} missing (e.g. {sorted(expected - flags)[:2]}), "
                        f"{len(flags - expected)} extra (e.g. {sorted(flags - expected)[:2]})")
    return problems


def cleanup(org, tc, users, keys) -> None:
    from importlib import import_module

    from django.conf import settings

    from dte.organisations.models import User
    from dte.registry.models import Person
    from dte.training.models import Attendance, AttendanceFlag, CheckInAttempt, Session, Venue

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store_class(key).delete()
    CheckInAttempt.objects.filter(session__training_class=tc).delete()
    Attendance.objects.filter(session__training_class=tc).delete()
    AttendanceFlag.objects.filter(session__training_class=tc).delete()
    Session.objects.filter(training_class=tc).delete()
    Venue.objects.filter(institution=org).delete()
    tc.enrolments.all().delete()
    Person.objects.filter(registered_by=org).delete()
    User.objects.filter(pk__in=[u.pk for u in users]).delete()
    tc.delete()
    org.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections of the load process")
    parser.add_argument("--workers", type=int, default=os.cpu_count() * 2 + 1,
                        help="gunicorn sync workers (default: 2 × cores + 1, as deploy/gunicorn.conf.py)")
    parser.add_argument("--shared-every", type=int, default=100, help="every k-th trainee shares the previous one's phone (0: none)")
    parser.add_argument("--keep", action="store_true", help="keep the bench rows")
    args = parser.parse_args()
    env = production_environment("checkin_site.settings", "postgres://postgres@127.0.0.1:5432/bench_h2", "redis://127.0.0.1:6379/11",
                                 DTE_TRUSTED_PROXIES="127.0.0.1")
    os.environ.update(env)
    ensure_database(env["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    org, tc, sessions, users = build(args.trainees, args.rounds + 1)
    keys = sign_in(users)
    print(f"database: {connection.settings_dict['NAME']}; sessions: {settings.SESSION_ENGINE}; set-up of {args.trainees} signed-in "
          f"trainees in {time.perf_counter() - t0:.1f}s")
    connection.close()
    server = Gunicorn(env, args.workers)
    try:
        kinds, problems = {"reference": [], "check-in": []}, []
        warm = sessions[0]
        burst(server, requests_for(lambda i: f"/bench/insert/{warm.pk}/", keys[:200], 0), args.connections)
        burst(server, requests_for(lambda i: f"/api/training/sessions/{warm.pk}/check-in", keys[:200], 0), args.connections)
        for session in sessions[1:]:
            kinds["reference"].append(burst(server, requests_for(lambda i: f"/bench/insert/{session.pk}/", keys, args.shared_every),
                                            args.connections, b'"accepted": true'))
            kinds["check-in"].append(burst(server, requests_for(lambda i: f"/api/training/sessions/{session.pk}/check-in", keys,
                                                                args.shared_every), args.connections, b'"accepted": true'))
            problems += check_round(session, args.trainees, args.shared_every)
        peak = server.peak_memory_mb()
    finally:
        server.stop()
        if not args.keep:
            cleanup(org, tc, users, keys)
    ref, chk = summary(kinds["reference"]), summary(kinds["check-in"])
    print(f"machine: {os.cpu_count()} CPUs; gunicorn {args.workers} sync workers; {args.connections} connections from a second "
          f"process; {args.rounds} rounds × {args.trainees} trainees; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine slows both kinds alike)")
    for label, s, unit in (("reference  bare Django view inserting one row", ref, "inserts/s"),
                           ("check-in   POST /api/training/sessions/<id>/check-in", chk, "accepted check-ins/s")):
        print(f"{label:52s}: {s['matched_rate']:7.0f} {unit}  p50 {s['p50']:.1f} ms  p99 {s['p99']:.1f} ms  server CPU "
              f"{s['cpu_ms']:.2f} ms/req, load client {s['client_cpu_ms']:.2f} ms/req  (statuses {s['statuses']})")
    print(f"{'':52s}  ratio to the bare view: {chk['matched_rate'] / ref['matched_rate']:.2f}×; goal ≥ 1,000/s and p99 ≤ 50 ms: "
          f"{'met' if chk['matched_rate'] >= 1000 and chk['p99'] <= 50 else 'NOT met'}")
    print(f"peak memory of a worker: {peak:.0f} MB")
    print(f"shared phones: every {args.shared_every}th trainee shares the previous one's device and IP; rows and flags: "
          + ("as expected in every round" if not problems else "WRONG: " + "; ".join(problems)))
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
