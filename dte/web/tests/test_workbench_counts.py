"""The workbench's tile counts are compiled once per scope (dte/web/workbench.py `scoped_count`): they must be
the very numbers Django's .count() of the same querysets gives, for every demo account, stay live (the SQL is
kept, never the result), never cross from one scope to another, and the page's queries stay bounded."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dte.assessment.selectors import deadline_dates, deadlines_for
from dte.organisations.models import User
from dte.organisations.roles import Role
from dte.organisations.scoping import scoped
from dte.organisations.tests.factories import division
from dte.registry.models import Person
from dte.registry.tests.factories import PersonFactory, officer
from dte.reporting.compiled import statements_clear
from dte.web.workbench import count_together, tiles_for

pytestmark = pytest.mark.django_db

APPS_WITH_COMPILED_COUNTS = ("assessment", "catalogue", "credentials", "organisations", "registry", "supervision", "talent",
                             "training")


def _plain_count(figure, user, build):
    """The reference: Django's own .count() of what `build` gives (as the tiles counted before)."""
    def count():
        built = build(user)
        return sum(qs.count() for qs in (built if isinstance(built, list) else [built]))
    return count


def _counts(user) -> dict:
    return {(str(tile.title), tile.url): tile.count for tile in tiles_for(user)}


def _people_tile(user):
    return next(tile for tile in tiles_for(user) if tile.url == "/registry/people/")


@pytest.fixture
def demo_world():
    call_command("setup", demo_scale=0, verbosity=0, stdout=open("/dev/null", "w"))
    call_command("demo", scale=1, stdout=open("/dev/null", "w"))


def test_compiled_counts_equal_plain_counts_for_every_demo_account(demo_world, monkeypatch):
    users = list(User.objects.filter(is_active=True).order_by("username"))
    statements_clear()
    compiled = {user.username: _counts(user) for user in users}  # one statement cache for all: scopes must not mix
    assert {user.username: _counts(user) for user in users} == compiled  # and again, from the cached statements
    for app in APPS_WITH_COMPILED_COUNTS:
        monkeypatch.setattr(f"dte.{app}.workbench.scoped_count", _plain_count)
    monkeypatch.setattr("dte.registry.workbench.TODAY", timezone.localdate())
    monkeypatch.setattr("dte.training.workbench.NOW", timezone.now())
    assert {user.username: _counts(user) for user in users} == compiled
    assert sum(n or 0 for counts in compiled.values() for n in counts.values()) > 100  # the demo data is counted
    for user in users:  # the workbench's lean due dates are those of the deadline pages
        assert deadline_dates(user) == sorted(d.due_on for d in deadlines_for(user))
    assert any(deadline_dates(user) for user in users)
    for username in ("sx_province", "ty_officer", "sxu_staff"):  # the parts added up == the single OR of scoped()
        user = User.objects.get(username=username)
        assert _people_tile(user).count == scoped(user, Person.objects.all()).count() > 0


def test_the_page_counts_all_tiles_in_one_statement_with_the_same_figures(demo_world):
    for user in User.objects.filter(is_active=True).order_by("username"):
        one_by_one, together = tiles_for(user), tiles_for(user)
        count_together(together)
        assert [(t.title, t.count) for t in together] == [(t.title, t.count) for t in one_by_one], user.username


def test_counts_stay_live_and_per_scope():
    statements_clear()
    taiyuan, datong = officer("140100", Role.LOCAL_OFFICER), officer("140200", Role.LOCAL_OFFICER)
    PersonFactory.create_batch(3, division=division("140105"))
    PersonFactory(division=division("140202"))
    assert (_people_tile(taiyuan).count, _people_tile(datong).count) == (3, 1)
    PersonFactory(division=division("140105"))  # the compiled SQL is kept, not the figure
    assert (_people_tile(taiyuan).count, _people_tile(datong).count) == (4, 1)


def test_workbench_queries_are_bounded(demo_world):
    client = Client()
    client.force_login(User.objects.get(username="sx_province"))
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # session, user, organisation, notifications, the ~20 scope counts in one statement, the deadline and
    # 30-day-report lists (no query per row), the subsidy claims and title recognitions
    assert len(queries) <= 15, [q["sql"][:120] for q in queries]


def test_a_trainees_counts_are_not_kept_in_the_shared_statement_store():
    """A trainee's scope holds their own pk: their compiled counts would fill the store (and empty it for the
    officials) one trainee at a time, so they are compiled per page and not kept; the figures stay right."""
    from dte.registry.tests.factories import TrainingClassFactory
    from dte.reporting import compiled
    from dte.training.tests.factories import trainee

    statements_clear()
    officials = officer("140100", Role.LOCAL_OFFICER)
    tiles_for(officials)
    kept = len(compiled._statements)
    assert kept > 0
    training_class = TrainingClassFactory()
    for enrolment in [trainee(training_class) for _ in range(3)]:
        user = enrolment.person.user
        tiles = tiles_for(user)
        count_together(tiles)
        assert [t.count for t in tiles] == [t.count for t in tiles_for(user)]
    assert len(compiled._statements) == kept
