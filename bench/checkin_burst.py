"""Check-in burst benchmark (training delivery, issue 5).

Creates a class of N trainees (default 2,000) with one offline session happening now at a
geofenced venue, then fires every trainee's check-in concurrently and prints check-ins/second:

  phase 1 — the service function `dte.training.services.check_in` from a thread pool;
  phase 2 — the HTTP endpoint POST /api/training/sessions/<id>/check-in through a threaded
            WSGI server (a fixed pool of worker threads, each with its own DB connection),
            logged-in session cookies and CSRF, from a pool of client threads.

Run against PostgreSQL:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4bench .venv/bin/python bench/checkin_burst.py --trainees 2000
The database is created if missing and migrated. Bench rows are deleted at the end (--keep to keep).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socketserver
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
LAT, LON = 39.0842, 117.2009


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    if not cfg["ENGINE"].endswith("postgresql"):
        print("warning: DATABASE_URL is not PostgreSQL; figures will not be representative", file=sys.stderr)
        return
    dsn = dict(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None)
    with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def setup_django():
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n: int):
    """Institution, staff, venue, class, one session now, n trainees with logins (bulk)."""
    from decimal import Decimal

    from django.utils import timezone

    from dte.demo.people import make_id_number
    from dte.geography.models import Division
    from dte.organisations.models import Organisation, User
    from dte.organisations.roles import Role
    from dte.policy.occupations import find_occupation
    from dte.catalogue.models import Occupation
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
    sessions = [Session.objects.create(training_class=tc, title=f"压测课{i}", starts_at=now - timedelta(minutes=5),
                                       ends_at=now + timedelta(hours=3), hours=Decimal(4), delivery="offline", kind="theory",
                                       venue=venue) for i in (1, 2)]
    users = User.objects.bulk_create([User(username=f"bench{tag}-{i}", role=Role.TRAINEE, password="!") for i in range(n)])
    people = []
    base = date(1970, 1, 1) + timedelta(days=secrets.randbelow(9000))  # a fresh range of ID numbers per run
    for i, user in enumerate(users):
        number = make_id_number("120101", base + timedelta(days=i // 1000), i % 1000)
        people.append(Person(name=f"学员{i}", id_number=number, id_index=id_index_of(number), birth_date=date(1990, 1, 1),
                             gender="M", division_id="120101", registered_by=org, user=user))
    Person.objects.bulk_create(people, batch_size=500)
    Enrolment.objects.bulk_create([Enrolment(training_class=tc, person=p, status="enrolled") for p in people], batch_size=1000)
    return org, tc, sessions, users


def _service_threads(session, numbered, threads: int) -> int:
    from django.db import connections

    from dte.training.services import check_in

    def worker(chunk):
        """One thread, one DB connection, its share of the trainees."""
        try:
            return sum(check_in(session_id=session.pk, user=user, lat=LAT + (i % 50) * 1e-5, lon=LON, accuracy=15,
                                device_id=f"dev-{i}", ip=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}").accepted
                       for i, user in chunk)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(worker, [numbered[k::threads] for k in range(threads)]))


def run_service(session, users, threads: int, processes: int) -> float:
    """`processes` forked workers × `threads` threads each call the service function."""
    import multiprocessing

    from django.db import connections

    numbered = list(enumerate(users))
    if processes <= 1:
        start = time.perf_counter()
        accepted = _service_threads(session, numbered, threads)
    else:
        connections.close_all()  # never share a connection across fork
        ctx = multiprocessing.get_context("fork")
        results = ctx.Queue()
        parts = [numbered[k::processes] for k in range(processes)]
        workers = [ctx.Process(target=lambda part=part: results.put(_service_threads(session, part, threads))) for part in parts]
        start = time.perf_counter()
        for w in workers:
            w.start()
        accepted = sum(results.get() for _ in workers)
        for w in workers:
            w.join()
    elapsed = time.perf_counter() - start
    assert accepted == len(users), f"only {accepted} of {len(users)} accepted"
    return elapsed


class PooledWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """Requests handled by a fixed pool of threads, so each keeps one DB connection."""

    daemon_threads = True
    workers = 8

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pool = ThreadPoolExecutor(self.workers)

    def process_request(self, request, client_address):
        self.pool.submit(self.process_request_thread, request, client_address)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def run_http(session, users, threads: int, workers: int, server_processes: int) -> float:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.wsgi import get_wsgi_application

    cookies = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key)
    import multiprocessing

    from django.db import connections

    PooledWSGIServer.workers = workers
    PooledWSGIServer.request_queue_size = 512
    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=PooledWSGIServer, handler_class=QuietHandler)
    port = server.server_address[1]
    children = []
    if server_processes <= 1:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:  # pre-fork: every process accepts on the same listening socket
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        children = [ctx.Process(target=server.serve_forever, daemon=True) for _ in range(server_processes)]
        for child in children:
            child.start()
    csrf = secrets.token_hex(16)  # 32 characters: a valid CSRF secret for cookie and header

    def one(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps({"lat": LAT, "lon": LON, "accuracy": 15, "device_id": f"web-{i}"})
        conn.request("POST", f"/api/training/sessions/{session.pk}/check-in", body=body, headers={
            "Content-Type": "application/json", "Cookie": f"sessionid={cookies[i]}; csrftoken={csrf}", "X-CSRFToken": csrf,
            "Referer": f"http://127.0.0.1:{port}/",
            "X-Forwarded-For": f"10.1.{i // 256 % 256}.{i % 256}"})  # phones on mobile networks: distinct IPs
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status == 200 and json.loads(data).get("accepted") is True

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        accepted = sum(pool.map(one, range(len(users))))
    elapsed = time.perf_counter() - start
    if children:
        for child in children:
            child.terminate()
            child.join()
    else:
        server.shutdown()
        server.pool.shutdown(wait=True)
    server.server_close()
    assert accepted == len(users), f"only {accepted} of {len(users)} accepted over HTTP"
    SessionStore.get_model_class().objects.filter(session_key__in=cookies).delete()
    return elapsed


def cleanup(org, tc, users) -> None:
    from dte.organisations.models import User
    from dte.registry.models import Person
    from dte.training.models import Attendance, AttendanceFlag, CheckInAttempt, Session, Venue

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
    parser.add_argument("--threads", type=int, default=8, help="threads (per process for the service phase)")
    parser.add_argument("--processes", type=int, default=2, help="processes for the service phase")
    parser.add_argument("--workers", type=int, default=8, help="HTTP server worker threads")
    parser.add_argument("--server-processes", type=int, default=2, help="pre-forked HTTP server processes")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the bench rows")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url:
        ensure_database(url)
    setup_django()
    from django.db import connection

    from dte.training.models import Attendance, AttendanceFlag

    t0 = time.perf_counter()
    org, tc, sessions, users = build(args.trainees)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; set-up of {args.trainees} trainees "
          f"in {time.perf_counter() - t0:.1f}s")
    try:
        elapsed = run_service(sessions[0], users, args.threads, args.processes)
        print(f"service check_in: {args.trainees} check-ins, {args.processes} processes × {args.threads} threads, {elapsed:.2f}s → "
              f"{args.trainees / elapsed:,.0f} check-ins/s")
        assert Attendance.objects.filter(session=sessions[0]).count() == args.trainees
        assert not AttendanceFlag.objects.filter(session=sessions[0]).exists()
        if not args.no_http:
            elapsed = run_http(sessions[1], users, args.threads * 2, args.workers, args.server_processes)
            print(f"HTTP endpoint: {args.trainees} check-ins, {args.threads * 2} client threads, {args.server_processes} server "
                  f"processes × {args.workers} worker threads, "
                  f"{elapsed:.2f}s → {args.trainees / elapsed:,.0f} check-ins/s")
            assert Attendance.objects.filter(session=sessions[1]).count() == args.trainees
    finally:
        if not args.keep:
            cleanup(org, tc, users)


if __name__ == "__main__":
    main()
