"""Benchmark: the statistics dashboard (/reporting/) on a large registry, beside hand-written SQL.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h4_1m .venv/bin/python bench/reporting_dashboard.py [USERNAME ...]
Fill the database first with `bench/demo_generate.py 1000` (1,000,000 people; 3000 = 3 M).

For every user (default: sx_province, ty_officer, admin — a province, a prefecture, the platform) and
every figure of the dashboard it prints, measured in the same run:
  - the figure's selector (dte/reporting/selectors.py, through scoped(): the real access rules),
  - the hand-written SQL of the SAME figure (same scope: residence OR a consented enrolment in the
    jurisdiction for people; the class's division for the rest), and checks both give the same numbers;
  cold = the first run of each in this process (the selector runs first, so it pays for any cold
  buffers and for compiling its SQL, which is then kept per scope: dte/reporting/compiled.py), warm = the
  median of 9 alternating runs. Then all figures as the page computes them (`dashboard()`: six statements,
  the one-row counts side by side in one; cold = with no compiled statement kept) beside all the
  hand-written queries run one after the other (alternating with it, warm), and the whole page (HTTP
  through Django's test client: session, user, the year filter and the template included; the URLconf is
  loaded first: a process's first request imports every app's views) two ways, both beside all the
  hand-written queries (alternating):
  - computed now (`?refresh=1`: every figure queried, the page rendered): cold (nothing compiled or cached)
    and warm;
  - as served: the figures and their rendered charts kept up to five minutes per scope (the page says
    "as of hh:mm" and offers a refresh): warm = a request that finds them.
Goal (issue 12 item 4): every warm dashboard within 1.5× of the hand-written SQL at 1 M and 3 M people.
Beside wall times, CPU (this process + its PostgreSQL backend): the figure to read on a loaded machine.
Ends with the peak resident memory of the process.
"""

import os
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from dte.organisations.models import User  # noqa: E402
from dte.registry.models import CONSENTED, Person  # noqa: E402
from dte.reporting import compiled, selectors  # noqa: E402

CONSENTED_STATUSES = tuple(CONSENTED.children[0][1])
WARM_RUNS = 9


def _where(column: str, prefix: str | None, joiner: str = "AND") -> str:
    return "" if prefix is None else f" {joiner} {column} LIKE %(prefix)s"


def sql_people(prefix):
    if prefix is None:
        return "SELECT left(division_id, 4) || '00', count(*) FROM registry_person GROUP BY 1"
    statuses = ", ".join(f"'{s}'" for s in CONSENTED_STATUSES)
    return f"""
        SELECT left(division_id, 4) || '00', count(*) FROM registry_person WHERE division_id LIKE %(prefix)s GROUP BY 1
        UNION ALL
        SELECT left(p.division_id, 4) || '00', count(*) FROM registry_person p
         WHERE p.division_id NOT LIKE %(prefix)s AND EXISTS (
               SELECT 1 FROM registry_enrolment e JOIN registry_trainingclass c ON c.id = e.training_class_id
                WHERE e.person_id = p.id AND c.division_id LIKE %(prefix)s AND e.status IN ({statuses}))
         GROUP BY 1"""


def sql_enrolments(prefix):
    return f"""SELECT o.name, c.level, count(*) FROM registry_enrolment e
                JOIN registry_trainingclass c ON c.id = e.training_class_id JOIN catalogue_occupation o ON o.id = c.occupation_id
               WHERE e.status <> 'withdrawn'{_where('c.division_id', prefix)} GROUP BY 1, 2"""


def sql_classes(prefix):
    return f"SELECT status, count(*) FROM registry_trainingclass{_where('division_id', prefix, 'WHERE')} GROUP BY 1"


def sql_quotas(prefix):
    return f"""SELECT i.name, sum(q.places), sum(q.enrolled) FROM registry_planquota q
                JOIN registry_annualplan p ON p.id = q.plan_id JOIN organisations_organisation i ON i.id = q.institution_id
               {_where('p.province_id', prefix, 'WHERE')} GROUP BY q.institution_id, i.name ORDER BY 2 DESC, 1"""


def sql_applications(prefix):
    return f"""SELECT count(*) FILTER (WHERE a.status = 'submitted'), count(*) FILTER (WHERE a.status = 'approved'),
                      count(*) FILTER (WHERE a.status = 'returned'), count(*) FILTER (WHERE a.status = 'rejected'),
                      count(*) FILTER (WHERE a.status = 'submitted' AND a.review_due_on < %(today)s)
                 FROM registry_classapplication a JOIN registry_trainingclass c ON c.id = a.training_class_id
                {_where('c.division_id', prefix, 'WHERE')}"""


def sql_completion(prefix):
    return f"""SELECT count(*), count(*) FILTER (WHERE d.completed) FROM training_completiondecision d
                 JOIN registry_enrolment e ON e.id = d.enrolment_id JOIN registry_trainingclass c ON c.id = e.training_class_id
                {_where('c.division_id', prefix, 'WHERE')}"""


def sql_certificates(prefix):
    return f"""SELECT count(*) FILTER (WHERE t.status = 'valid'), count(*) FILTER (WHERE t.status = 'revoked'),
                      (SELECT count(DISTINCT date_trunc('month', t2.issued_on)) FROM training_trainingcertificate t2
                         JOIN registry_enrolment e2 ON e2.id = t2.enrolment_id JOIN registry_trainingclass c2 ON c2.id = e2.training_class_id
                        WHERE t2.status = 'valid'{_where('c2.division_id', prefix)})
                 FROM training_trainingcertificate t JOIN registry_enrolment e ON e.id = t.enrolment_id
                 JOIN registry_trainingclass c ON c.id = e.training_class_id{_where('c.division_id', prefix, 'WHERE')}"""


def sql_attendance(prefix):
    statuses = "('enrolled', 'completed', 'failed')"
    return f"""SELECT (SELECT count(*) FROM training_session s JOIN registry_enrolment e ON e.training_class_id = s.training_class_id
                        JOIN registry_trainingclass c ON c.id = s.training_class_id
                       WHERE s.makeup_for_id IS NULL AND s.ends_at < %(now)s AND e.status IN {statuses}{_where('c.division_id', prefix)}),
                      (SELECT count(*) FROM training_attendance a JOIN training_session s ON s.id = a.session_id
                        JOIN registry_enrolment e ON e.id = a.enrolment_id JOIN registry_trainingclass c ON c.id = s.training_class_id
                       WHERE s.makeup_for_id IS NULL AND s.ends_at < %(now)s AND a.status IN ('present', 'late')
                         AND e.status IN {statuses}{_where('c.division_id', prefix)})"""


def _sum(rows, column):
    return sum(row[column] for row in rows)


# (figure, selector call, hand-written SQL, the numbers both must agree on: from the selector, from the SQL rows)
FIGURES = [
    ("people by prefecture", lambda u, c: selectors.people_by_prefecture(u), sql_people,
     lambda r: (sum(n for _, n in r), len(r)), lambda rows: (_sum(rows, 1), len({row[0] for row in rows}))),
    ("enrolments by occupation", lambda u, c: selectors.enrolments_by_occupation(u), sql_enrolments,
     lambda r: (sum(n for *_, n in r), len(r)), lambda rows: (_sum(rows, 2), len(rows))),
    ("classes by status", lambda u, c: selectors.classes_by_status(u), sql_classes,
     lambda r: sum(n for _, n in r), lambda rows: _sum(rows, 1)),
    ("quotas by institution", lambda u, c: selectors.quotas_by_institution(u), sql_quotas,
     lambda r: (sum(p for _, p, _ in r), sum(e for *_, e in r)), lambda rows: (_sum(rows, 1), _sum(rows, 2))),
    ("class-opening applications", lambda u, c: selectors.application_counts(u, None, c["today"]), sql_applications,
     lambda r: (r["pending"], r["approved"], r["returned"], r["rejected"], r["overdue"]), lambda rows: tuple(rows[0])),
    ("completion", lambda u, c: selectors.completion_counts(u), sql_completion,
     lambda r: (r["decided"], r["completed"]), lambda rows: tuple(rows[0])),
    ("training certificates", lambda u, c: selectors.certificate_counts(u), sql_certificates,
     lambda r: (r[0]["valid"], r[0]["revoked"], len(r[1])), lambda rows: tuple(rows[0])),
    ("attendance", lambda u, c: selectors.attendance_counts(u, None, c["now"]), sql_attendance,
     lambda r: (r["expected"], r["attended"]), lambda rows: tuple(rows[0])),
]


# the same figures as dashboard() gives them (the shape each selector returns), for the same-numbers check
FROM_DASHBOARD = [
    lambda d: d.people_by_prefecture, lambda d: d.enrolments_by_occupation, lambda d: d.classes_by_status,
    lambda d: d.quotas_by_institution, lambda d: d.applications, lambda d: d.completion,
    lambda d: (d.certificates, d.certificates_by_month), lambda d: d.attendance,
]


_backend_stat: Path | None = None


def _cpu() -> float:
    """CPU seconds so far of this process plus its PostgreSQL backend (/proc/<pid>/schedstat, in ns;
    parallel query workers not included). The figure that means something on a loaded machine."""
    backend = int(_backend_stat.read_text().split()[0]) / 1e9 if _backend_stat else 0.0
    return time.process_time() + backend


def _timed(call):
    """(wall seconds, CPU seconds, result) of one call."""
    cpu, started = _cpu(), time.perf_counter()
    result = call()
    return time.perf_counter() - started, _cpu() - cpu, result


def _alternating(call, reference, runs=WARM_RUNS) -> tuple[float, float, float, float]:
    """Median wall and CPU of `call` and of `reference`, run alternately (the same moments of the machine)."""
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(_timed(call)[:2])
        theirs.append(_timed(reference)[:2])
    return (statistics.median(t[0] for t in mine), statistics.median(t[1] for t in mine),
            statistics.median(t[0] for t in theirs), statistics.median(t[1] for t in theirs))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _prefix(user) -> str | None:
    if user.is_platform_admin or user.organisation is None:
        return None
    prefix = user.organisation.division.scope_prefix
    return f"{prefix}%" if prefix else None


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _line(name, cold, cold_ref, warm, warm_ref, cpu, cpu_ref, note="") -> None:
    cold_cells = f"{ms(cold):>13s} {ms(cold_ref):>11s}" if cold is not None else f"{'':>13s} {'':>11s}"
    print(f"  {name:28s} {cold_cells} {ms(warm):>13s} {ms(warm_ref):>11s} {warm / warm_ref:9.2f}×  "
          f"{ms(cpu):>11s} {ms(cpu_ref):>11s} {cpu / cpu_ref:8.2f}×  {note}")


def bench_user(username: str) -> list[tuple]:
    user = User.objects.select_related("organisation__division").get(username=username)
    prefix = _prefix(user)
    context = {"today": timezone.localdate(), "now": timezone.now()}
    params = {"prefix": prefix, "today": context["today"], "now": context["now"]}
    print(f"\n{username} (scope: {prefix or 'whole platform'})")
    print(f"  {'figure':28s} {'selector cold':>13s} {'SQL cold':>11s} {'selector warm':>13s} {'SQL warm':>11s}  warm ratio"
          f"  {'CPU warm':>11s} {'SQL CPU':>11s} CPU ratio  same numbers")
    total = {"cold": 0.0, "warm": 0.0, "cpu": 0.0, "cold_ref": 0.0, "warm_ref": 0.0, "cpu_ref": 0.0}
    rows, raws = [], []
    for name, select, sql_for, mine, theirs in FIGURES:
        sql = sql_for(prefix)
        cold_mine, _, result = _timed(lambda: select(user, context))
        cold_sql, _, raw = _timed(lambda: _raw(sql, params))
        warm_mine, warm_sql = [], []
        for _ in range(WARM_RUNS):  # alternating
            warm_mine.append(_timed(lambda: select(user, context))[:2])
            warm_sql.append(_timed(lambda: _raw(sql, params))[:2])
        wm, cm = (statistics.median(t[i] for t in warm_mine) for i in (0, 1))
        ws, cs = (statistics.median(t[i] for t in warm_sql) for i in (0, 1))
        same = mine(result) == theirs(raw)
        raws.append(raw)
        for k, v in (("cold", cold_mine), ("cold_ref", cold_sql), ("warm", wm), ("warm_ref", ws), ("cpu", cm), ("cpu_ref", cs)):
            total[k] += v
        _line(name, cold_mine, cold_sql, wm, ws, cm, cs, "yes" if same else "NO: " + repr((mine(result), theirs(raw))))
        rows.append((username, name, wm, ws, cm, cs, same))
    _line("sum of the figure selectors", total["cold"], total["cold_ref"], total["warm"], total["warm_ref"],
          total["cpu"], total["cpu_ref"])
    statements = [sql_for(prefix) for _, _, sql_for, _, _ in FIGURES]

    def all_sql():  # the reference of the rows below: every hand-written query, one after the other
        return [_raw(sql, params) for sql in statements]

    compiled.statements_clear()  # cold: nothing compiled yet for this scope
    cold_all, _, whole = _timed(lambda: selectors.dashboard(user, None, context["today"], context["now"]))
    warm_all, cpu_all, ref_wall, ref_cpu = _alternating(
        lambda: selectors.dashboard(user, None, context["today"], context["now"]), all_sql)
    same_all = all(mine(pick(whole)) == theirs(raw)
                   for (_, _, _, mine, theirs), pick, raw in zip(FIGURES, FROM_DASHBOARD, raws))
    _line("all figures (dashboard())", cold_all, total["cold_ref"], warm_all, ref_wall, cpu_all, ref_cpu,
          f"six statements, as the page computes them; same numbers: {'yes' if same_all else 'NO'}")
    rows.append((username, "all figures", warm_all, ref_wall, cpu_all, ref_cpu, same_all))

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    compiled.statements_clear()
    cache.clear()
    cold_page, _, response = _timed(lambda: client.get("/reporting/?refresh=1"))
    assert response.status_code == 200, response.status_code
    now_page, now_cpu, ref_wall, ref_cpu = _alternating(lambda: client.get("/reporting/?refresh=1"), all_sql)
    _line("page, computed now (HTTP)", cold_page, total["cold_ref"], now_page, ref_wall, now_cpu, ref_cpu,
          "?refresh=1: every figure queried, years filter, template")
    rows.append((username, "page computed now", now_page, ref_wall, now_cpu, ref_cpu, True))
    client.get("/reporting/")
    served_page, served_cpu, ref_wall, ref_cpu = _alternating(lambda: client.get("/reporting/"), all_sql)
    _line("page as served (HTTP)", None, None, served_page, ref_wall, served_cpu, ref_cpu,
          "figures and charts kept up to 5 minutes, shown with their time")
    rows.append((username, "page as served", served_page, ref_wall, served_cpu, ref_cpu, True))
    # What a refresh adds to the page served from the cache: its figures and charts. The rest of the page (session,
    # user, organisation, menus, base template) costs the same either way.
    _line("page, what a refresh adds", None, None, now_page - served_page, ref_wall, now_cpu - served_cpu, ref_cpu,
          "computed now minus as served: the figures and charts on the page")
    return rows


def main() -> None:
    global _backend_stat
    usernames = sys.argv[1:] or ["sx_province", "ty_officer", "admin"]
    _raw("SELECT 1", {})
    if connection.vendor == "postgresql":
        stat = Path(f"/proc/{_raw('SELECT pg_backend_pid()', {})[0][0]}/schedstat")
        _backend_stat = stat if stat.exists() else None  # a server on another host: this process's CPU only
    print(f"database: {connection.vendor}, people: {Person.objects.count():,}; {date.today()}; "
          f"load average {os.getloadavg()[0]:.1f}; CPU measured: this process"
          f"{' + its PostgreSQL backend' if _backend_stat else ''}")
    get_resolver().url_patterns  # the process's first request would import every app's views: not the dashboard's cost
    rows = [row for username in usernames for row in bench_user(username)]
    print()
    for kind in ("all figures", "page computed now", "page as served"):
        kind_rows = [row for row in rows if row[1] == kind]
        worst = max(kind_rows, key=lambda row: row[2] / row[3])
        worst_cpu = max(kind_rows, key=lambda row: row[4] / row[5])
        print(f"worst warm ratio, {kind + ':':18s} {worst[2] / worst[3]:.2f}× ({worst[0]}); goal ≤ 1.5×: "
              f"{'met' if worst[2] / worst[3] <= 1.5 else 'NOT met'}; by CPU {worst_cpu[4] / worst_cpu[5]:.2f}× ({worst_cpu[0]})")
    print(f"every figure the same numbers as its SQL: {'yes' if all(row[6] for row in rows) else 'NO'}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; "
          f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
