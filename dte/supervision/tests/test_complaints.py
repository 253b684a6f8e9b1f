"""Complaints (投诉举报): public form with a tracking code, hotline entry, routing, time limit, replies."""

from datetime import date

import pytest

from dte.audit.models import AuditEvent
from dte.registry.tests.factories import officer
from dte.supervision.models import Complaint
from dte.supervision.services.complaints import (
    complaint_reply, complaint_set_status, complaint_submit, complaint_track, hotline_for,
)
from dte.supervision.services.errors import SupervisionError
from dte.workdays.services import calendar_seed_from_package

from .factories import world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    calendar_seed_from_package()


def test_public_complaint_is_routed_to_the_prefecture_bureau_with_a_working_day_limit():
    w = world()
    complaint = complaint_submit(category="no_training", summary="培训班从未上过实操课，却让我们签到。", channel="public",
                                 institution=w["taiyuan"], received_on=date(2025, 9, 26))
    assert complaint.anonymous and complaint.complainant_phone == ""
    assert complaint.division_id == "140105"
    assert complaint.bureau.division_id == "140100"  # the county has no bureau: the prefecture's handles it
    # 15 working days across National Day 2025 (Oct 1–8 off, Sep 28 and Oct 11 worked).
    assert complaint.due_on == date(2025, 10, 23)
    assert "15个工作日" in complaint.due_citation
    assert len(complaint.tracking_code) == 12 and complaint.tracking_code.startswith("TS")
    assert AuditEvent.objects.filter(action="supervision.complaint.submit", object_id=str(complaint.pk)).exists()


def test_tracking_code_finds_only_its_own_case():
    w = world()
    complaint = complaint_submit(category="fees", summary="收取了文件未允许的额外费用两千元。", channel="public",
                                 institution=w["datong"])
    assert complaint_track(complaint.tracking_code.lower()) == complaint
    assert complaint_track(complaint.tracking_code[:-1] + ("A" if complaint.tracking_code[-1] != "A" else "B")) is None
    assert complaint_track("") is None and complaint_track(str(complaint.pk)) is None


def test_a_named_complainant_keeps_the_phone_encrypted():
    w = world()
    complaint = complaint_submit(category="advertising", summary="广告称“包过”“保证就业”。", channel="public",
                                 institution=w["taiyuan"], name="王某", phone="13912345678")
    assert not complaint.anonymous
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_phone FROM supervision_complaint WHERE id = %s", [complaint.pk])
        assert "13912345678" not in cursor.fetchone()[0]


def test_short_or_uncategorised_complaints_are_refused_clearly():
    w = world()
    with pytest.raises(SupervisionError, match="10"):
        complaint_submit(category="fees", summary="太短", channel="public", institution=w["taiyuan"])
    with pytest.raises(SupervisionError):
        complaint_submit(category="nonsense", summary="这是一个足够长的投诉内容描述。", channel="public", institution=w["taiyuan"])
    assert Complaint.objects.count() == 0


def test_hotline_entries_need_bureau_staff_and_replies_need_the_responsible_bureau():
    w = world()
    with pytest.raises(SupervisionError):
        complaint_submit(category="fees", summary="电话反映：收费不透明，无发票。", channel="hotline", institution=w["taiyuan"])
    complaint = complaint_submit(category="fees", summary="电话反映：收费不透明，无发票。", channel="hotline",
                                 institution=w["taiyuan"], entered_by=w["province"])
    assert complaint.entered_by == w["province"]
    tianjin = officer("120000")
    with pytest.raises(SupervisionError):
        complaint_reply(complaint, "已受理", by=tianjin)
    complaint_reply(complaint, "已受理，正在核查。", by=w["province"])
    complaint.refresh_from_db()
    assert complaint.status == "replied" and complaint.replied_on is not None
    complaint_set_status(complaint, "closed", by=w["province"])
    with pytest.raises(SupervisionError):
        complaint_set_status(complaint, "in_progress", by=w["province"])


def test_the_hotline_shown_comes_from_the_pack_with_its_source():
    number, citation = hotline_for("120101")
    assert number == "12333"
    assert "12333" in citation


def test_public_pages_need_no_login_and_show_status(client):
    w = world()
    response = client.get("/supervision/public/complaint/")
    assert response.status_code == 200 and "12333" in response.content.decode()
    response = client.post("/supervision/public/complaint/", {
        "institution": w["taiyuan"].pk, "category": "attendance", "summary": "有人代签到，老师知情不管。"})
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.tracking_code in response.content.decode()
    page = client.get(f"/supervision/public/track/?code={complaint.tracking_code}").content.decode()
    assert complaint.get_status_display() in page and "代签到" not in page  # status only, not the text
    unknown = client.get("/supervision/public/track/?code=TSXXXXXXXXXX")
    assert unknown.status_code == 200 and complaint.tracking_code not in unknown.content.decode()
