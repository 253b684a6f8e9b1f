"""UX regressions on the audit trail page: before/after shown as readable fields, not raw dicts."""

import pytest

from dte.audit.services import audit_record
from dte.organisations.roles import Role
from dte.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_audit_trail_shows_changes_as_fields_not_python_dicts(client):
    auditor = UserFactory(role=Role.AUDITOR)
    audit_record("tests.change", before={"status": "draft", "ok": False}, after={"status": "approved", "reasons": ["a", "b"]},
                 division_code=auditor.organisation.division_id, organisation_id=auditor.organisation_id)
    client.force_login(auditor)
    response = client.get("/audit/?action=tests.")
    body = response.content.decode()
    assert response.status_code == 200
    assert "{&#x27;status&#x27;" not in body and "{'status'" not in body
    # issue 13 item 12: field names and values in words, lists joined; no raw action code on screen
    assert "<dt>状态</dt><dd>草稿</dd>" in body and "<dd>approved</dd>" not in body and "<dd>a、b</dd>" in body
    assert ">tests.change<" not in body and "其他操作" in body
    assert 'class="table-scroll"' in body and "<title>" in body and 'href="/"' in body


def test_actions_objects_and_codes_read_as_words():
    from django.utils import translation

    from dte.audit.labels import action_label, data_rows, object_label

    with translation.override("zh-hans"):
        assert action_label("training.certificate.issue") == "签发培训合格证书"
        assert action_label("registry.import_commit") == "花名册导入：写入数据"  # also a job kind
        assert object_label("registry.Enrolment", 8) == "报名 #8"
        assert object_label("talent.TitleRecognition", 2) == "职称认定 #2"
        rows = dict(data_rows("registry.Enrolment", {"status": "enrolled", "reasons": ["MODE_NOT_SUBSIDISED"],
                                                     "starts_at": "2024-09-02T01:00:00+00:00"}))
        assert rows["原因"] == ["培训方式不享受补贴"] and rows["开始时间"] == "2024-09-02 09:00"
        assert "enrolled" not in str(rows)
