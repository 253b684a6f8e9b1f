"""The whole path through the web UI and the API: plan → filed plan → published announcement →
self-registration + imported roster → class-opening application → review."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.registry.imports import HEADERS
from dte.registry.models import (
    Announcement, ClassApplication, Commitment, Enrolment, Person, RosterImport, TrainingClass, TrainingPlanFiling,
)
from dte.registry.services_plans import annual_plan_create

from dte.organisations.tests.factories import division

from .factories import (
    TrainingClassFactory, evaluation_institution, id_number, listed_institution, occupation, officer, plan_with_quota, staff,
)

pytestmark = pytest.mark.django_db


def test_plan_to_review_through_web_and_api(client, django_capture_on_commit_callbacks):
    today = date.today()
    division("140105")
    school = listed_institution("140100", name="山西大学")
    evaluator = evaluation_institution("140100")
    annual_plan_create(province_id="140000", year=today.year, title="年度计划", document="晋人社厅发〔2024〕27号 附件",
                       quotas=[(school, occupation(), 100)])
    quota = school.quotas.get()
    teacher, province = staff(school), officer("140000")

    client.force_login(teacher)  # 1. filing, by the web form
    response = client.post("/registry/filings/new/", {
        "occupation": occupation().pk, "level": "junior", "direction": "", "hours_online_theory": 20, "hours_online_practice": 8,
        "hours_offline_theory": 20, "hours_offline_practice": 32, "materials": "培训教程", "evaluation_institution": evaluator.pk,
        "exam_plan": "理论+实操", "teachers_text": "李明 教授 博士", "venues_text": "实训楼 301", "exam_dates_text": "2030-01-10",
    })
    filing = TrainingPlanFiling.objects.get()
    assert response.status_code == 302 and filing.teachers[0]["name"] == "李明"
    client.post(f"/registry/filings/{filing.pk}/", {"action": "submit"})
    client.force_login(province)
    api = client.post(f"/api/registry/filings/{filing.pk}/review", {"decision": "accept"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "accepted"

    client.force_login(teacher)  # 2. class and announcement; a forbidden claim is refused first
    client.post("/registry/classes/new/", {
        "title": "人工智能初级班", "occupation": occupation().pk, "level": "junior", "direction": "", "mode": "subsidised",
        "division": school.division_id, "start_date": today + timedelta(days=30), "end_date": today + timedelta(days=60),
        "capacity": 30, "quota": quota.pk,
    })
    klass = TrainingClass.objects.get()
    refused = client.post(f"/registry/classes/{klass.pk}/announcement/", {
        "text": "名师授课，包过！", "fee_fen": 0, "fee_standard": "免费", "venue": "实训楼", "online_share_bp": 40, "publish": "1"})
    assert "包过" in refused.content.decode() and "六(二)" in refused.content.decode()
    assert not Announcement.objects.exists()
    client.post(f"/registry/classes/{klass.pk}/announcement/", {
        "text": "面向应届毕业生招生", "fee_fen": 0, "fee_standard": "免费", "venue": "实训楼", "online_share_bp": 40, "publish": "1"})
    announcement = Announcement.objects.get()
    assert announcement.published

    client.logout()  # 3. a trainee registers on the public site, enrols and signs
    assert "人工智能初级班" in client.get("/registry/public/announcements/").content.decode()
    own_id = id_number("140105")
    response = client.post("/registry/public/register/", {
        "name": "陈同学", "id_number": own_id, "phone": "13935100009", "division": "140105",
        "employment_status": "graduate", "graduation_date": today.replace(month=1, day=1), "password": "Secret@2026"})
    assert response.status_code == 302
    person = Person.objects.get(name="陈同学")
    assert person.user.role == Role.TRAINEE and person.registered_by is None
    assert client.post("/login/", {"username": "13935100009", "password": "Secret@2026"}).status_code == 302
    page = client.get(f"/registry/public/announcements/{announcement.pk}/enrol/").content.decode()
    assert "告知承诺书" in page
    from dte.registry.services import commitment_text
    client.post(f"/registry/public/announcements/{announcement.pk}/enrol/",
                {"agree": "1", "text": commitment_text(person, klass)}, REMOTE_ADDR="198.51.100.7")
    enrolment = Enrolment.objects.get(person=person)
    assert enrolment.source == "self" and enrolment.eligible is True
    assert Commitment.objects.get(enrolment=enrolment).ip == "198.51.100.7"
    record = client.get(f"/registry/people/{person.pk}/").content.decode()
    assert person.masked_id_number in record and own_id not in record

    client.force_login(teacher)  # 4. an imported roster
    wb = Workbook()
    wb.active.append(HEADERS)
    wb.active.append(["王一", id_number("140105"), "13900000001", "140105", "毕业生", today.replace(month=1, day=1).isoformat()])
    wb.active.append(["王二", own_id, "13900000002", "140105", "毕业生", ""])  # already enrolled in this class
    buffer = io.BytesIO()
    wb.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/registry/imports/new/", {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue()),
                                               "training_class": klass.pk})
    roster = RosterImport.objects.get()
    assert (roster.rows_valid, roster.rows_error) == (1, 1)
    assert client.get(f"/registry/imports/{roster.pk}/result/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registry/imports/{roster.pk}/")
    assert klass.enrolments.count() == 2
    quota.refresh_from_db()
    assert quota.enrolled == 2

    client.post(f"/registry/classes/{klass.pk}/", {  # 5. class-opening application
        "action": "application", "schedule_summary": "周末集中", "teachers_text": "李明 教授", "exam_plan": "理论+实操",
        "submit": "1"})
    app = ClassApplication.objects.get()
    assert app.status == "submitted" and len(app.roster) == 2

    client.force_login(province)  # 6. review through the API
    assert client.get("/api/registry/applications").json()["count"] == 1
    response = client.post(f"/api/registry/applications/{app.pk}/review", {"decision": "approved"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    klass.refresh_from_db()
    assert klass.status == "approved"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"registry.filing.status", "registry.announcement.publish", "registry.commitment.sign",
            "registry.import.commit", "registry.class_application.status"} <= actions


def test_scoping_rosters_and_reviews(client):
    a, b = TrainingClassFactory(), TrainingClassFactory()
    from dte.registry.services import enrolment_create
    from .factories import PersonFactory
    mine, theirs = PersonFactory(), PersonFactory()
    enrolment_create(a, mine)
    enrolment_create(b, theirs)
    client.force_login(staff(a.institution))
    assert client.get(f"/registry/classes/{b.pk}/").status_code == 404
    assert client.get(f"/api/registry/classes/{b.pk}/roster").status_code == 404
    export = client.get("/registry/enrolments/?export=xlsx")
    from openpyxl import load_workbook
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == a.title
    api = client.get("/api/registry/people").json()
    # an institution sees the people enrolled in its own classes, never another's trainees
    assert api["count"] == 1 and api["items"][0]["id"] == mine.pk
    client.force_login(officer("120000"))
    assert client.get("/api/registry/applications").json()["count"] == 0
    assert client.get(f"/registry/classes/{a.pk}/").status_code == 404


def test_quota_change_through_the_web_is_audited(client):
    quota = plan_with_quota(listed_institution(), 100)
    client.force_login(officer("140000"))
    client.post(f"/registry/quotas/{quota.pk}/", {"places": 120, "reason": "年中追加", "document": ""})
    quota.refresh_from_db()
    assert quota.places == 120
    assert AuditEvent.objects.get(action="registry.quota.change").before["places"] == 100
    client.force_login(staff(quota.institution))
    assert client.post(f"/registry/quotas/{quota.pk}/", {"places": 1, "reason": "x"}).status_code == 403
