"""UX regressions: the listing history shows translated labels, money is shown as ¥ with two decimals."""

from datetime import date

import pytest
from django.urls import reverse

from dte.catalogue.models import InstitutionListing, Level, SubsidyStandard
from dte.catalogue.selectors import occupation_find

from .factories import listing, load_reference, officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference():
    load_reference()


def test_listing_history_shows_status_labels_not_codes(client):
    item = listing("140000")
    client.force_login(officer("140000"))
    client.post(reverse("catalogue:listing_status", args=[item.pk]),
                {"new_status": "suspended", "reason": "检查不合格", "document": "晋人社函〔2024〕9号", "effective_on": "2024-07-01"})
    item.refresh_from_db()
    assert item.status == InstitutionListing.Status.SUSPENDED
    body = client.get(reverse("catalogue:listing_detail", args=[item.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已纳入 → 暂停" in body and "— → 已纳入" in body
    assert "listed → suspended" not in body and "<td>status:" not in body


def test_subsidy_amounts_are_shown_in_yuan_with_two_decimals(client):
    officer_user = officer("540000")
    SubsidyStandard.objects.create(province_id="540000", occupation=occupation_find("2-02-10-11"), level=Level.JUNIOR,
                                   effective_from=date(2026, 1, 1), hours_required=120, amount_fen=260050, citation="藏人社 1 号")
    client.force_login(officer_user)
    body = client.get(reverse("catalogue:standard_list") + "?province=540000").content.decode()
    assert "¥2600.50" in body
