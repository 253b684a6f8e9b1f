"""The dashboard's compiled statements (kept per scope and year) and the page's kept figures (issue 12
item 4): the numbers stay those of a fresh query, a statement is only reused for the same access rules,
the number of queries does not grow with the rows, and the page says how old its figures are."""

from datetime import timedelta

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dte.organisations.roles import Role
from dte.organisations.scoping import scope_key, scoped
from dte.organisations.tests.factories import UserFactory, division
from dte.registry.models import ClassApplication, Enrolment, Person, PlanQuota, TrainingClass
from dte.registry.tests.factories import PersonFactory, TrainingClassFactory, listed_institution, officer
from dte.reporting import compiled
from dte.reporting.selectors import attendance_counts, dashboard, dashboard_cached
from dte.training.models import Attendance, CompletionDecision, Session, TrainingCertificate

from .world import build_world

pytestmark = pytest.mark.django_db
SCOPED_MODELS = (Person, Enrolment, TrainingClass, PlanQuota, ClassApplication, CompletionDecision, TrainingCertificate,
                 Session, Attendance)


@pytest.fixture
def world():
    return build_world()


def _sql(user, model):
    try:
        return scoped(user, model.objects.all()).query.sql_with_params()
    except EmptyResultSet:  # this user sees none of the model
        return "nothing"


def test_same_scope_key_same_sql_and_different_key_different_sql(world):
    taiyuan_again = officer("140100", Role.LOCAL_OFFICER)
    taiyuan_again.organisation = world.taiyuan_officer.organisation
    datong = officer("140200", Role.LOCAL_OFFICER)
    other_trainee = UserFactory(role=Role.TRAINEE, organisation=None)
    assert scope_key(taiyuan_again) == scope_key(world.taiyuan_officer)
    keys = {scope_key(u) for u in (world.taiyuan_officer, datong, world.shanxi_officer, world.trainee, other_trainee,
                                   world.staff)}
    assert len(keys) == 6
    for model in SCOPED_MODELS:
        assert _sql(taiyuan_again, model) == _sql(world.taiyuan_officer, model)
        assert _sql(datong, model) != _sql(world.taiyuan_officer, model)
        assert _sql(other_trainee, model) != _sql(world.trainee, model) or _sql(world.trainee, model) == "nothing"


def test_a_kept_statement_never_answers_for_another_scope(world):
    taiyuan = dashboard(world.taiyuan_officer)  # compiles and keeps Taiyuan's statements first
    datong = dashboard(officer("140200", Role.LOCAL_OFFICER))
    assert taiyuan.people_by_prefecture == [("太原市", 3), ("大同市", 1)]
    assert datong.people_by_prefecture == [("大同市", 2)]
    assert datong.classes_by_status == [(str(TrainingClass.Status.COMPLETED.label), 1)]
    assert (datong.completion["decided"], datong.certificates["valid"], datong.attendance["expected"]) == (0, 0, 0)


def test_today_and_now_are_passed_at_every_run_of_a_kept_statement(world):
    today = timezone.localdate()
    assert dashboard(world.taiyuan_officer, today=today).applications["overdue"] == 1
    kept = len(compiled._statements)
    # c1b's review was due 5 days ago: 10 days ago it was not yet overdue
    assert dashboard(world.taiyuan_officer, today=today - timedelta(days=10)).applications["overdue"] == 0
    # the two ended sessions ended 5 and 4 days ago: six days ago none had ended
    assert attendance_counts(world.taiyuan_officer, now=timezone.now() - timedelta(days=6))["expected"] == 0
    assert attendance_counts(world.taiyuan_officer, now=timezone.now())["expected"] == 6
    assert dashboard(world.taiyuan_officer, now=timezone.now() - timedelta(days=6)).attendance["attended"] == 0
    assert len(compiled._statements) == kept + 2  # attendance_counts' own two; dashboard() compiled nothing more


def test_dashboard_is_six_statements_however_many_rows(world):
    with CaptureQueriesContext(connection) as small:
        dashboard(world.shanxi_officer)
    institution = listed_institution("140200", name="大同第二职业学院")
    for _ in range(3):
        tc = TrainingClassFactory(institution=institution, status=TrainingClass.Status.IN_TRAINING)
        for person in PersonFactory.create_batch(4, division=division("140211")):
            Enrolment.objects.create(training_class=tc, person=person, status=Enrolment.Status.ENROLLED)
    with CaptureQueriesContext(connection) as large:
        d = dashboard(world.shanxi_officer)
    assert d.people_total == 17 and d.enrolments_total == 4 + 12
    assert len(small.captured_queries) == len(large.captured_queries) == 6


def test_official_without_organisation_sees_zeros(client):
    lost = UserFactory(role=Role.PROVINCE_OFFICER, organisation=None)
    PersonFactory(division=division("140105"))
    d = dashboard(lost)
    assert (d.people_total, d.enrolments_total, d.classes_by_status, d.quotas_by_institution) == (0, 0, [], [])
    assert d.applications == {"pending": 0, "approved": 0, "returned": 0, "rejected": 0, "overdue": 0}
    assert (d.completion["decided"], d.certificates["valid"], d.attendance["rate"]) == (0, 0, None)
    client.force_login(lost)
    assert client.get(reverse("reporting:index")).status_code == 200


@pytest.mark.parametrize("who", ["taiyuan_officer", "shanxi_officer", "admin"])
def test_page_queries_do_not_grow_with_rows_and_the_kept_page_reads_no_figures(client, world, who):
    user = UserFactory(role=Role.SYSADMIN, is_superuser=True) if who == "admin" else getattr(world, who)
    client.force_login(user)
    url = reverse("reporting:index")
    with CaptureQueriesContext(connection) as computed:
        assert client.get(url + "?refresh=1").status_code == 200
    for _ in range(5):
        PersonFactory(division=division("140105"))
    TrainingClassFactory(institution=listed_institution("140100", name="太原第二学院"))
    with CaptureQueriesContext(connection) as computed_again:
        client.get(url + "?refresh=1")
    with CaptureQueriesContext(connection) as served:
        client.get(url)
    assert len(computed.captured_queries) == len(computed_again.captured_queries)
    figures = [q["sql"] for q in served.captured_queries if "registry_" in q["sql"] or "training_" in q["sql"]]
    assert figures == [] and len(served.captured_queries) <= len(computed.captured_queries) - 7


def test_page_says_how_old_its_figures_are_and_refresh_recomputes(client, world):
    client.force_login(world.taiyuan_officer)
    url = reverse("reporting:index")
    first = client.get(url)
    assert first.context["data"].people_total == 4
    assert 'href="?refresh=1"' in first.content.decode()
    assert timezone.localtime(first.context["as_of"]).strftime("%H:%M") in first.content.decode()
    PersonFactory(division=division("140105"))
    kept = client.get(url)
    assert kept.context["data"].people_total == 4 and kept.context["as_of"] == first.context["as_of"]
    html = kept.content.decode()  # the kept charts and tables
    assert html.count("<summary>") == 8 and html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    fresh = client.get(url + "?refresh=1")
    assert fresh.context["data"].people_total == 5 and fresh.context["as_of"] > first.context["as_of"]
    assert '<span class="count">5</span>' in fresh.content.decode()  # the kept charts and tables were not reused
    assert client.get(url + "?year=2024").context["data"].year == 2024  # another year: its own figures


def test_refresh_with_the_same_figures_reuses_their_drawing_and_other_figures_are_drawn_anew(client, world, monkeypatch):
    """The charts and tables are cached under a digest of the figures they draw and the language
    (selectors.fragment_key; issue 12 item 4): "Refresh now" queries every figure again, but draws them only
    when they changed."""
    from dte.web import charts

    drawn = []
    real = charts.bar_chart
    monkeypatch.setattr(charts, "bar_chart", lambda *a, **k: drawn.append(1) or real(*a, **k))
    client.force_login(world.taiyuan_officer)
    url = reverse("reporting:index")
    first = client.get(url + "?refresh=1")
    assert len(drawn) == 3
    again = client.get(url + "?refresh=1")
    assert len(drawn) == 3 and again.context["as_of"] > first.context["as_of"]  # computed now, drawn before
    assert again.content.decode().split('as-of"')[1].split("</p>", 1)[1] == \
        first.content.decode().split('as-of"')[1].split("</p>", 1)[1]
    PersonFactory(division=division("140105"))
    changed = client.get(url + "?refresh=1")
    assert len(drawn) == 6 and '<span class="count">5</span>' in changed.content.decode()
    client.cookies["django_language"] = "en" if changed.context["LANGUAGE_CODE"] != "en" else "zh-hans"
    other_language = client.get(url + "?refresh=1")  # the same figures, other labels: drawn anew
    assert len(drawn) == 9 and other_language.context["LANGUAGE_CODE"] != changed.context["LANGUAGE_CODE"]


def test_export_is_always_computed_now(client, world):
    client.force_login(world.shanxi_officer)
    client.get(reverse("reporting:index"))  # figures kept
    PersonFactory(division=division("140105"))
    assert dashboard_cached(world.shanxi_officer).data.people_total == 5  # kept
    from io import BytesIO

    from openpyxl import load_workbook
    wb = load_workbook(BytesIO(client.get(reverse("reporting:index") + "?export=xlsx").content))
    assert sum(row[1] for row in wb["1"].iter_rows(min_row=3, values_only=True)) == 6
