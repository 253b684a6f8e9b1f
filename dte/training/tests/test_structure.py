"""Issue 13 items 15 and 16: training's admin only shows (changes go through the services and the audit
trail), certificate settings are saved by an audited service, and a session is named in Beijing time."""

from datetime import datetime, timezone as dt_timezone

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from dte.audit.models import AuditEvent
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory
from dte.training.models import (
    AttendanceFlag, CertificateSettings, CheckInAttempt, Session, TrainingCertificate, TrainingReport, Venue,
)
from dte.training.services.certificates import certificate_settings_save

from .factories import SessionFactory, institution, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Session, TrainingCertificate, AttendanceFlag, TrainingReport, Venue, CheckInAttempt])
def test_training_admin_is_read_only(model):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_certificate_settings_are_saved_by_the_service_and_audited():
    org = institution()
    cfg = certificate_settings_save(org, by=staff(org), title="数字技术培训合格证书", number_pattern="{year}{inst:04d}{seq:06d}")
    assert CertificateSettings.objects.get(pk=cfg.pk).title == "数字技术培训合格证书"
    event = AuditEvent.objects.get(action="training.certificate.settings")
    assert event.after["title"] == "数字技术培训合格证书"
    other = institution(name="另一机构")
    with pytest.raises(PermissionDenied):
        certificate_settings_save(org, by=staff(other), title="x")


def test_a_session_is_named_in_beijing_time():
    session = SessionFactory(starts_at=datetime(2026, 3, 2, 1, 0, tzinfo=dt_timezone.utc),
                             ends_at=datetime(2026, 3, 2, 4, 0, tzinfo=dt_timezone.utc))
    assert str(session).endswith("2026-03-02 09:00")
