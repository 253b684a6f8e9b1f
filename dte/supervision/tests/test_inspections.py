"""Inspections with findings and follow-ups, and sanctions that bite (广西 五(三), 天津 四(一))."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dte.audit.models import AuditEvent
from dte.catalogue.models import InstitutionListing, ListingAdjustment
from dte.catalogue.selectors import institution_bar_reason
from dte.supervision.models import Inspection, Sanction
from dte.supervision.services.errors import SupervisionError
from dte.supervision.services.inspections import (
    finding_record, follow_up_add, follow_up_done, inspection_open, inspection_set_status, sanction_impose,
)

from .factories import officer, world

pytestmark = pytest.mark.django_db


def test_an_inspection_runs_from_finding_to_follow_up_to_close():
    w = world()
    inspection = inspection_open(w["province"], institution=w["taiyuan"], kind="on_site", planned_on=date(2025, 4, 1),
                                 training_class=w["classes"][0])
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
    finding = finding_record(inspection, w["province"], severity="minor", text="签到表与视频人数不符", evidence=photo)
    assert finding.evidence_name == "现场.jpg" and finding.evidence.name
    action = follow_up_add(inspection, w["province"], action="补齐全程录像", due_on=date(2025, 4, 15))
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.FOLLOW_UP
    with pytest.raises(SupervisionError, match="1"):
        inspection_set_status(inspection, "closed", by=w["province"], conclusion="已整改")
    follow_up_done(action, w["province"], note="已上传录像")
    with pytest.raises(SupervisionError):
        inspection_set_status(inspection, "closed", by=w["province"], conclusion=" ")
    inspection_set_status(inspection, "closed", by=w["province"], conclusion="已整改完毕")
    inspection.refresh_from_db()
    assert inspection.status == "closed" and inspection.closed_on is not None
    with pytest.raises(SupervisionError):
        finding_record(inspection, w["province"], severity="note", text="closed now")
    actions = set(AuditEvent.objects.filter(action__startswith="supervision.").values_list("action", flat=True))
    assert {"supervision.inspection.open", "supervision.finding.record", "supervision.follow_up.add",
            "supervision.follow_up.done", "supervision.inspection.set_status"} <= actions


def test_the_class_must_belong_to_the_inspected_institution_and_outsiders_cannot_inspect():
    w = world()
    with pytest.raises(SupervisionError):
        inspection_open(w["province"], institution=w["taiyuan"], kind="documents", planned_on=date(2025, 4, 1),
                        training_class=w["classes"][1])
    with pytest.raises(SupervisionError):
        inspection_open(officer("120000"), institution=w["taiyuan"], kind="documents", planned_on=date(2025, 4, 1))


def test_a_sanction_suspends_the_listing_through_the_catalogue_and_bars_the_institution():
    w = world()
    inspection = inspection_open(w["province"], institution=w["taiyuan"], kind="on_site", planned_on=date(2025, 4, 1))
    finding = finding_record(inspection, w["province"], severity="major", text="不培训直接发证")
    assert institution_bar_reason(w["taiyuan"]) is None
    local = officer("140100", role="local_officer")
    with pytest.raises(SupervisionError):
        sanction_impose(finding, local, kind="suspended", reason="不培训直接发证", document="晋人社函〔2025〕1号",
                        effective_on=date(2025, 4, 2))
    sanction = sanction_impose(finding, w["province"], kind="suspended", reason="不培训直接发证",
                               document="晋人社函〔2025〕1号", effective_on=date(2025, 4, 2))
    listing = InstitutionListing.objects.get(organisation=w["taiyuan"])
    assert listing.status == "suspended" and sanction.listing == listing
    assert ListingAdjustment.objects.filter(listing=listing, to_status="suspended", document="晋人社函〔2025〕1号").exists()
    reason = institution_bar_reason(w["taiyuan"])
    assert reason and "晋人社函〔2025〕1号" in reason
    assert institution_bar_reason(w["taiyuan"], on=date(2025, 4, 1)) is None  # the day before it took effect
    assert institution_bar_reason(w["datong"]) is None
    sanction_impose(finding, w["province"], kind="removed", reason="拒不整改", document="晋人社函〔2025〕2号",
                    effective_on=date(2025, 5, 2))
    assert Sanction.objects.filter(institution=w["taiyuan"]).count() == 2
    with pytest.raises(SupervisionError):
        sanction_impose(finding, w["province"], kind="removed", reason="again", document="x", effective_on=date(2025, 6, 1))
    assert AuditEvent.objects.filter(action="supervision.sanction.impose").count() == 2
