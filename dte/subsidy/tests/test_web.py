"""The money path in the web UI: claim, review, authorise, release, batch, bank file, result;
the public publicity list with masked names and the objection form; Excel exports; the calculator."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from dte.organisations.tests.factories import division
from dte.registry.tests.factories import staff
from dte.subsidy.models import Claim, ClaimLine, PaymentBatch

from .factories import BudgetFactory, completed_class, officials, passed_exams
from .test_money_path import result_file

pytestmark = pytest.mark.django_db


def test_guangxi_class_from_completed_to_paid_in_the_browser_forms(client, monkeypatch):
    k = completed_class("guangxi", status="employee", trainees=2)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    year = timezone.localdate().year
    client.force_login(people.finance)
    assert client.post("/subsidy/budgets/", {"year": year, "amount_yuan": "10000.00", "basis": "年度预算"}).status_code == 302
    client.force_login(staff(k.institution))
    response = client.post(f"/subsidy/classes/{k.pk}/claim/", {"kind": "class"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.lines.filter(status="claimed").count() == 2
    client.force_login(people.reviewer)
    page = client.get(f"/subsidy/claims/{claim.pk}/").content.decode()
    assert "¥10,000.00" in page and "¥1,600.00" in page and ("培训补贴" in page or "Training subsidy" in page)
    client.post(f"/subsidy/claims/{claim.pk}/approve/")
    claim.refresh_from_db()
    assert claim.status == "approved"
    public = client.get("/subsidy/publicity/").content.decode()
    person = k.enrolments.first().person
    assert person.name not in public and person.name[:1] + "*" in public and person.id_number not in public
    Claim.objects.filter(pk=claim.pk).update(publicity_until=timezone.localdate().replace(year=year - 1))
    client.force_login(people.finance)
    client.post(f"/subsidy/claims/{claim.pk}/authorise/")
    client.post(f"/subsidy/claims/{claim.pk}/release/")  # same official: refused
    assert Claim.objects.get(pk=claim.pk).status == "authorised"
    client.force_login(people.releaser)
    client.post(f"/subsidy/claims/{claim.pk}/release/")
    assert Claim.objects.get(pk=claim.pk).status == "released"
    client.post("/subsidy/batches/")
    batch = PaymentBatch.objects.get()
    client.post(f"/subsidy/batches/{batch.pk}/", {"submit": "1"})
    csv_file = client.get(f"/subsidy/batches/{batch.pk}/?format=csv")
    assert csv_file.content.decode("utf-8-sig").startswith(f"CONTROL,{batch.reference},2,160000")
    bad = client.post(f"/subsidy/batches/{batch.pk}/", {"result": SimpleUploadedFile("r.csv", result_file(batch, total=5))})
    assert "控制合计不符" in bad.content.decode()
    client.post(f"/subsidy/batches/{batch.pk}/", {"result": SimpleUploadedFile("r.csv", result_file(batch))})
    assert set(ClaimLine.objects.values_list("status", flat=True)) == {"paid"}
    sheet = load_workbook(io.BytesIO(client.get("/subsidy/claims/?format=xlsx").content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 7).value == 1600
    home = client.get("/subsidy/").content.decode()
    assert batch.reference in home


def test_public_objection_form_holds_the_line(client, monkeypatch):
    k = completed_class("guangxi", status="employee", trainees=2)
    passed_exams(monkeypatch, k)
    people = officials("450100")
    BudgetFactory(province=division("450000"), year=timezone.localdate().year)
    from dte.subsidy.services import review
    from dte.subsidy.services.claims import claim_create

    claim = claim_create(training_class=k, kind="class", by=people.reviewer)
    review.claim_approve(claim, by=people.reviewer)
    line = claim.lines.order_by("pk").first()
    response = client.post(f"/subsidy/publicity/{line.pk}/objection/", {"text": "此人未参加培训", "contact": ""})
    assert response.status_code == 200
    assert dict(claim.lines.values_list("pk", "status"))[line.pk] == "held"
    assert set(claim.lines.exclude(pk=line.pk).values_list("status", flat=True)) == {"approved"}


def test_calculator_form_with_typed_facts_and_with_a_registered_trainee(client, monkeypatch):
    k = completed_class("tianjin", status="employee", trainees=1)
    passed_exams(monkeypatch, k)
    client.force_login(officials("120101").reviewer)
    typed = client.post("/subsidy/calculator/", {"training_class": k.pk, "status": "employee", "hours_total": 64, "hours_online": 0,
                                                 "training_certificate": "on", "level_certificate_on": "2025-05-01"}).content.decode()
    assert "¥2,720.00" in typed and "津人社办发〔2022〕94号" in typed
    person = k.enrolments.get().person
    from_registry = client.post("/subsidy/calculator/", {"training_class": k.pk, "id_number": person.id_number,
                                                         "claim_on": "2025-04-20"}).content.decode()
    assert "¥2,720.00" in from_registry and "¥1,000.00" in from_registry
    short = client.post("/subsidy/calculator/", {"training_class": k.pk, "status": "employee", "hours_total": 10,
                                                 "training_certificate": "on", "level_certificate_on": "2025-05-01"}).content.decode()
    assert "少于补贴标准目录要求的 64 学时" in short


def test_yunnan_onward_payment_in_the_web_ui(client, monkeypatch):
    from .test_payments import released_batch

    batch, people, claim = released_batch(monkeypatch, "yunnan", trainees=1)
    from dte.subsidy.services import payments

    payments.result_import(batch, result_file(batch), filename="r.csv", by=people.releaser)
    line = claim.lines.get()
    client.force_login(staff(claim.institution))
    client.post(f"/subsidy/lines/{line.pk}/onward/", {"paid_on": "2025-06-01", "evidence": SimpleUploadedFile("回单.pdf", b"%PDF")})
    line.refresh_from_db()
    assert line.onward.paid_on.isoformat() == "2025-06-01" and line.onward.confirmed_at is None
    client.force_login(line.person.user)
    assert "¥3,000.00" in client.get("/subsidy/mine/").content.decode()
    client.post("/subsidy/mine/", {"onward": line.onward.pk})
    line.onward.refresh_from_db()
    assert line.onward.confirmed_at is not None
