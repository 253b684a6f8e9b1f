"""Every app page lets the user back to the workbench and to the app's own main lists — only those the
user's role may open — and the layout lets wide tables scroll on phones."""

from pathlib import Path

import pytest
from django.conf import settings

from dte.organisations.roles import Role
from dte.organisations.tests.factories import OrganisationFactory, UserFactory, division
from dte.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _links(body: str) -> str:
    return body.split('class="topnav"', 1)[1].split("</nav>", 1)[0]


def test_app_pages_link_back_to_the_workbench_and_the_apps_lists(client):
    bureau = OrganisationFactory(kind=Organisation.Kind.BUREAU, division=division("140000"))
    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER, organisation=bureau))
    for url, expected in [("/registry/people/", "/registry/quotas/"), ("/registry/quotas/", "/registry/people/"),
                          ("/audit/", "/audit/"), ("/jobs/", "/jobs/"), ("/policy/calculator/", "/policy/calculator/"),
                          ("/training/", "/training/reports/"), ("/catalogue/listings/", "/catalogue/standards/")]:
        response = client.get(url)
        assert response.status_code == 200, url
        nav = _links(response.content.decode())
        assert 'href="/"' in nav, url
        assert f'href="{expected}"' in nav, url


def test_trainee_navigation_offers_only_trainee_pages(client):
    trainee = UserFactory(role=Role.TRAINEE)
    client.force_login(trainee)
    nav = _links(client.get("/training/my/").content.decode())
    assert 'href="/training/my/"' in nav and 'href="/"' in nav
    assert "/training/venues/" not in nav and "/training/reports/" not in nav
    public = _links(client.get("/registry/public/announcements/").content.decode())
    assert "/registry/people/" not in public and 'href="/registry/public/announcements/"' in public


def test_anonymous_public_page_has_no_workbench_link():
    from django.test import Client

    body = Client().get("/registry/public/announcements/").content.decode()
    assert 'href="/"' not in _links(body)


def test_tables_scroll_sideways_on_phones():
    css = (Path(settings.PROJECT_DIR) / "dte" / "web" / "static" / "web" / "site.css").read_text()
    phone = css.split("@media (max-width:600px)", 1)[1]
    assert "table" in phone and "overflow-x:auto" in phone
    assert ".topnav" in css and "flex-wrap:wrap" in css.split(".topnav", 1)[1].split("}", 1)[0]


def test_tile_counts_are_computed_only_when_shown():
    from dte.web.workbench import Tile

    calls = []
    tile = Tile("名单", "/registry/people/", description=lambda: "说明", count=lambda: calls.append(1) or 7)
    assert (tile.title, tile.url) == ("名单", "/registry/people/") and calls == []
    assert tile.count == 7 and tile.count == 7 and calls == [1]  # evaluated once, on demand
    assert tile.description == "说明"


@pytest.mark.django_db
def test_app_navigation_runs_no_counting_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory(role=Role.PROVINCE_OFFICER, organisation__division=division("140000")))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/registry/quotas/")
    assert response.status_code == 200
    people_counts = [q["sql"] for q in queries if "COUNT" in q["sql"].upper() and "registry_person" in q["sql"]]
    assert people_counts == []  # the nav shows the registry tiles' links, not their counts
