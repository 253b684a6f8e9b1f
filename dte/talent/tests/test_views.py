import io
from datetime import date

import pytest
from openpyxl import load_workbook

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.talent.models import TalentEntry
from dte.talent.services import certificate_benefits_record, continuing_education_record_for_training
from dte.talent.views import PAGE_SIZE

from .factories import BIG_DATA_CODE, LevelCertificateFactory, completed_enrolment, occupation, official, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def shanxi_pool():
    people = []
    for i, county in enumerate(["140105", "140106", "140202"]):
        who = person(county, name=f"山西人才{i}")
        cert = LevelCertificateFactory(person=who, level="junior" if i else "intermediate",
                                       occupation=occupation(BIG_DATA_CODE) if i == 2 else occupation(),
                                       issued_on=date(2024 + (i == 1), 7, 1))
        certificate_benefits_record(cert)
        people.append(who)
    return people


def test_pool_search_filters_and_scope(client, shanxi_pool):
    client.force_login(official("140000"))
    page = client.get("/talent/").content.decode()
    assert all(p.name in page for p in shanxi_pool) and "助理工程师" in page
    assert shanxi_pool[0].id_number not in page  # masked
    assert "山西人才2" not in client.get("/talent/?occupation=2-02-10-09").content.decode()
    only = client.get("/talent/?level=intermediate").content.decode()
    assert "山西人才0" in only and "山西人才1" not in only
    taiyuan = client.get("/talent/?prefecture=140100").content.decode()
    assert "山西人才0" in taiyuan and "山西人才1" in taiyuan and "山西人才2" not in taiyuan
    by_place = client.get("/talent/?prefecture=140200").content.decode()
    assert "山西人才2" in by_place and "山西人才0" not in by_place
    by_year = client.get("/talent/?year=2025").content.decode()
    assert "山西人才1" in by_year and "山西人才0" not in by_year
    # an officer of another province sees nobody, neither in the list, the file, nor the export
    client.force_login(official("450000"))
    assert "山西人才" not in client.get("/talent/").content.decode()
    assert client.get(f"/talent/person/{shanxi_pool[0].pk}/").status_code == 404
    rows = list(load_workbook(io.BytesIO(client.get("/talent/export.xlsx").content)).active.iter_rows(min_row=5, values_only=True))
    assert rows == []


def test_prefecture_officer_sees_only_their_prefecture(client, shanxi_pool):
    client.force_login(official("140200", role=Role.LOCAL_OFFICER))
    page = client.get("/talent/").content.decode()
    assert "山西人才2" in page and "山西人才0" not in page


def test_pool_is_paginated(client):
    for _ in range(PAGE_SIZE + 3):
        LevelCertificateFactory(person=person("530102"))
    client.force_login(official("530000"))
    first = client.get("/talent/")
    assert len(first.context["rows"]) == PAGE_SIZE and first.context["page"].paginator.count == PAGE_SIZE + 3
    assert len(client.get("/talent/?page=2").context["rows"]) == 3


def test_export_neutralises_formulas_and_is_audited(client):
    who = person("120101", name="=HYPERLINK(\"http://x\")")
    LevelCertificateFactory(person=who)
    continuing_education_record_for_training(completed_enrolment(who, hours="64", end=date.today().replace(month=1, day=2)))
    client.force_login(official("120000"))
    response = client.get("/talent/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    row = [c.value for c in ws[5]]
    assert row[0] == "'=HYPERLINK(\"http://x\")" and ws.cell(5, 1).data_type == "s"
    assert row[1] != who.id_number and "*" in row[1]
    assert row[5] == 64 and row[6] == 64
    assert AuditEvent.objects.filter(action="talent.pool.export").count() == 1


def test_trainee_downloads_own_letter_and_nobody_else_can(client):
    who = person("120101", name="张卓越")
    cert = LevelCertificateFactory(person=who, level="intermediate")
    certificate_benefits_record(cert)
    client.force_login(who.user)
    response = client.get(f"/talent/letter/{cert.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert b"STSong-Light" in response.content
    my = client.get("/talent/my/").content.decode()
    assert "工程师" in my and f"/talent/letter/{cert.pk}.pdf" in my
    stranger = person("120101")
    client.force_login(stranger.user)
    assert client.get(f"/talent/letter/{cert.pk}.pdf").status_code == 404
    client.force_login(official("120000"))  # officials print it
    assert client.get(f"/talent/letter/{cert.pk}.pdf").status_code == 200
    client.force_login(official("140000"))
    assert client.get(f"/talent/letter/{cert.pk}.pdf").status_code == 404


def test_letter_text_names_title_and_clause():
    from dte.talent.pdf import letter_facts, letter_pdf

    cert = LevelCertificateFactory(person=person("120101"), level="junior")
    recognitions = certificate_benefits_record(cert)
    facts = letter_facts(cert, recognitions, "天津市")
    assert facts["rows"][0][0] == "助理工程师" and facts["rows"][0][3] == "津人社办发〔2022〕94号 三(二)"
    assert cert.number in facts["intro"] and "初级" in facts["intro"]
    data = letter_pdf(facts)
    assert data == letter_pdf(facts)  # deterministic bytes
    assert data.startswith(b"%PDF") and len(data) > 1000


def test_officials_enter_awards_auditors_may_not(client):
    who = person("140105")
    LevelCertificateFactory(person=who)
    officer = official("140000")
    client.force_login(officer)
    response = client.post(f"/talent/person/{who.pk}/entries/", {"kind": "competition", "title": "山西省数字技术技能大赛",
                                                                 "result": "一等奖", "awarded_by": "山西省人社厅", "awarded_on": "2025-10-01"})
    assert response.status_code == 302
    entry = TalentEntry.objects.get(person=who)
    assert entry.entered_by == officer and "山西省数字技术技能大赛" in client.get(f"/talent/person/{who.pk}/").content.decode()
    client.force_login(official("140000", role=Role.AUDITOR))
    assert client.get(f"/talent/person/{who.pk}/").status_code == 200
    assert client.post(f"/talent/person/{who.pk}/entries/", {"kind": "award", "title": "x", "awarded_on": "2025-01-01"}).status_code == 403
    client.force_login(who.user)
    assert client.get("/talent/").status_code == 403
    assert client.post(f"/talent/entry/{entry.pk}/withdraw/", {"reason": "x"}).status_code == 403


def test_workbench_tiles(client, shanxi_pool):
    client.force_login(official("140000"))
    assert "/talent/" in client.get("/").content.decode()
    client.force_login(shanxi_pool[0].user)
    assert "/talent/my/" in client.get("/").content.decode()


def test_api_pool_and_file_are_scoped(client, shanxi_pool):
    client.force_login(official("140000"))
    body = client.get("/api/talent/people?level=junior").json()
    assert body["count"] == 2 and {i["name"] for i in body["items"]} == {"山西人才1", "山西人才2"}
    assert body["items"][0]["titles"] == ["助理工程师"] and "*" in body["items"][0]["id_masked"]
    assert client.get("/api/talent/people?year=99999").status_code == 422
    file = client.get(f"/api/talent/people/{shanxi_pool[0].pk}").json()
    assert file["titles"][0]["citation"] == "晋人社厅发〔2024〕27号 五(二)" and file["pool_member"] is True
    client.force_login(official("530000"))
    assert client.get("/api/talent/people").json()["count"] == 0
    assert client.get(f"/api/talent/people/{shanxi_pool[0].pk}").status_code == 404
    client.force_login(shanxi_pool[0].user)
    assert client.get("/api/talent/people").status_code == 403
    assert client.get(f"/api/talent/people/{shanxi_pool[0].pk}").json()["name"] == "山西人才0"
