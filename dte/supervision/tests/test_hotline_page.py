import pytest
from dte.registry.tests.factories import officer
pytestmark = pytest.mark.django_db
def test_hotline_entry_page_opens_for_bureau_staff(client):
    for role in ("province_officer", "local_officer"):
        u = officer("140100" if role == "local_officer" else "140000", role=role)
        client.force_login(u)
        r = client.get("/supervision/complaints/hotline/")
        assert r.status_code == 200, r.content[:2000]
