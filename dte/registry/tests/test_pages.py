"""UX regressions on registry pages: money as ¥ with two decimals, titles and navigation back to the workbench."""

import re
from datetime import date, timedelta

import pytest

from dte.registry.models import Announcement
from dte.registry.services_plans import announcement_publish

from .factories import PersonFactory, TrainingClassFactory, officer
from .test_filing_announcement import ON

pytestmark = pytest.mark.django_db

# Announcements are public only until the class opens.
OPENING = date.today() + timedelta(days=60)


def test_public_announcement_fee_is_shown_in_yuan_with_two_decimals(client):
    klass = TrainingClassFactory(title="人工智能初级二期", start_date=OPENING)
    announcement = Announcement.objects.create(training_class=klass, text="公开招生", venue="山西大学", fee_fen=123450)
    announcement_publish(announcement, on=ON)
    body = client.get("/registry/public/announcements/").content.decode()
    assert "¥1234.50" in body and "1234.5 元" not in body
    staff_page = client.get(f"/registry/classes/{klass.pk}/")
    assert staff_page.status_code in (302, 403, 404)  # the class page is not public


def test_person_page_has_a_title_navigation_and_masked_numbers(client):
    person = PersonFactory()
    user = officer(person.division_id[:2] + "0000")
    client.force_login(user)
    response = client.get(f"/registry/people/{person.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(rf"<title>{re.escape(person.name)} · ", body)
    assert 'href="/"' in body and 'href="/registry/people/"' in body  # workbench and the registry's main lists
    assert person.id_number not in body and person.id_number[-4:] in body
    assert person.phone not in body
