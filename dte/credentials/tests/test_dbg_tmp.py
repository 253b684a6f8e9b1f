import pytest
from dte.credentials.models import VerificationLog
from dte.credentials.tests.factories import issue_one
pytestmark = pytest.mark.django_db
def test_dbg(client, settings, caplog):
    settings.DTE_VERIFY_RATE = "1/60"
    cert = issue_one()
    client.get(f"/api/credentials/verify/token/{cert.token}")
    r = client.post("/api/credentials/verify/number", {"number": cert.number, "name": "x"}, content_type="application/json")
    print(r.status_code, r.content, list(VerificationLog.objects.values()), caplog.text)
    assert 0
