from datetime import date, timedelta

import pytest

from dte.audit.models import AuditEvent
from dte.registry.models import Announcement
from dte.registry.services import enrolment_create

from .factories import PersonFactory, TrainingClassFactory, listed_institution, officer, staff

pytestmark = pytest.mark.django_db

# Announcements are public only until the class opens.
OPENING = date.today() + timedelta(days=60)


def test_public_announcement_api_needs_no_login_and_publish_refuses_forbidden_claims(client):
    klass = TrainingClassFactory(title="公开班", start_date=OPENING)
    bad = Announcement.objects.create(training_class=klass, text="保证包就业，年薪二十万", venue="x")
    client.force_login(staff(klass.institution))
    response = client.post(f"/api/registry/announcements/{bad.pk}/publish")
    assert response.status_code == 422 and "包就业" in response.json()["message"] and "六(二)" in response.json()["message"]
    good = Announcement.objects.create(training_class=klass, text="公开招生", venue="x")
    assert client.post(f"/api/registry/announcements/{good.pk}/publish").status_code == 200
    client.logout()
    listed = client.get("/api/registry/public/announcements").json()
    assert [item["class_title"] for item in listed["items"]] == ["公开班"]
    assert client.get("/api/registry/people").status_code == 401


def test_record_page_masks_and_reveal_is_audited_for_entitled_roles(client):
    school = listed_institution()
    person = PersonFactory(registered_by=school)
    enrolment_create(TrainingClassFactory(institution=school), person)
    client.force_login(staff(school))
    page = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert person.masked_id_number in page and person.id_number not in page
    assert "Show full" in page or "显示完整" in page
    revealed = client.post(f"/registry/people/{person.pk}/", {"reveal": "id_number"}).content.decode()
    assert person.id_number in revealed
    assert AuditEvent.objects.filter(action="personal_data.reveal", object_id=str(person.pk)).exists()
    client.force_login(officer("140000", role="auditor"))
    page = client.get(f"/registry/people/{person.pk}/")
    assert page.status_code == 200
    assert person.id_number not in client.post(f"/registry/people/{person.pk}/", {"reveal": "id_number"}).content.decode()


def test_api_enrolment_returns_the_decision(client):
    klass = TrainingClassFactory(start_date=date(2024, 9, 2))
    person = PersonFactory(employment_status="employee", graduation_date=date(2023, 6, 30))
    client.force_login(staff(klass.institution))
    response = client.post(f"/api/registry/classes/{klass.pk}/enrolments", {"id_number": person.id_number},
                           content_type="application/json")
    assert response.status_code == 422 and "不符合" in response.json()["message"]
    ok = PersonFactory()
    body = client.post(f"/api/registry/classes/{klass.pk}/enrolments", {"id_number": ok.id_number},
                       content_type="application/json").json()
    assert body["eligible"] is True and body["eligibility"]["pack"] == "shanxi" and "*" in body["id_number"]
