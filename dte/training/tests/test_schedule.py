"""Schedule checked against the pack: online cap (津人社办发〔2022〕94号 三(四)), required hours
(附件3 / catalogue SubsidyStandard), geofence where location check-in is required (四(三))."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from dte.catalogue.models import SubsidyStandard
from dte.organisations.tests.factories import division
from dte.training.models import Session
from dte.training.services import TrainingError, schedule_check, schedule_confirm, session_delete, session_save, venue_save

from .factories import TrainingClassFactory, VenueFactory, at, institution, staff

pytestmark = pytest.mark.django_db


def add(tc, by, hours, delivery="offline", venue=None, day=0, **kw):
    start = at(tc.start_date + timedelta(days=day), 9)
    fields = dict(title=f"课{day}", starts_at=start, ends_at=start + timedelta(hours=8), hours=Decimal(hours), delivery=delivery,
                  kind="theory", venue=venue if delivery == "offline" else None, platform="平台" if delivery == "online" else "")
    return session_save(tc, by=by, **(fields | kw))


@pytest.fixture
def tianjin():
    tc = TrainingClassFactory()  # Tianjin, AI junior: 64 hours required (附件3)
    return tc, staff(tc.institution), VenueFactory(institution=tc.institution)


def test_online_over_half_of_required_hours_refused_with_citation(tianjin):
    tc, by, venue = tianjin
    add(tc, by, 32, "online", day=0)  # 32/64 = 50 % is allowed
    with pytest.raises(TrainingError) as error:
        add(tc, by, 8, "online", day=1)
    assert "超过50%" in str(error.value) and "津人社办发〔2022〕94号 三(四)" in str(error.value)
    assert Session.objects.filter(training_class=tc).count() == 1


def test_online_cap_measured_against_total_once_total_exceeds_required(tianjin):
    tc, by, venue = tianjin
    add(tc, by, 40, venue=venue, day=0)
    add(tc, by, 40, venue=venue, day=1)
    add(tc, by, 40, "online", day=2)  # 40 / 120 ≤ 50 %
    with pytest.raises(TrainingError):
        add(tc, by, 48, "online", day=3)  # 88 / 168 > 50 %


def test_shortfall_reported_then_refused_at_confirmation(tianjin):
    tc, by, venue = tianjin
    add(tc, by, 40, venue=venue)
    problems = schedule_check(tc)
    assert [p.code for p in problems] == ["hours_short"] and not problems[0].blocking
    assert "64" in problems[0].message and "附件3" in problems[0].citation
    with pytest.raises(TrainingError):
        schedule_confirm(tc, by=by)
    add(tc, by, 24, venue=venue, day=1)
    assert schedule_confirm(tc, by=by).total_hours == 64


def test_confirmed_schedule_cannot_drop_below_required(tianjin):
    tc, by, venue = tianjin
    first = add(tc, by, 40, venue=venue)
    add(tc, by, 24, venue=venue, day=1)
    schedule_confirm(tc, by=by)
    with pytest.raises(TrainingError):
        session_save(tc, by=by, session=first, hours=Decimal(30))
    with pytest.raises(TrainingError):
        session_delete(first, by=by)


def test_catalogue_standard_overrides_pack_hours(tianjin):
    tc, by, venue = tianjin
    SubsidyStandard.objects.create(province=division("120000"), occupation=tc.occupation, level=tc.level, hours_required=100,
                                   effective_from=date(2020, 1, 1), citation="测试目录")
    add(tc, by, 64, venue=venue)
    problem = schedule_check(tc)[0]
    assert problem.code == "hours_short" and "100" in problem.message


def test_geofence_required_in_tianjin_not_elsewhere():
    tc = TrainingClassFactory()
    by = staff(tc.institution)
    bare = VenueFactory(institution=tc.institution, radius_m=None)
    with pytest.raises(TrainingError) as error:
        add(tc, by, 8, venue=bare)
    assert "电子围栏" in str(error.value)
    shanxi = TrainingClassFactory(institution=institution("140105"))
    add(shanxi, staff(shanxi.institution), 8, venue=VenueFactory(institution=shanxi.institution, radius_m=None))


def test_no_cap_where_pack_states_none():
    tc = TrainingClassFactory(institution=institution("530102"))  # Yunnan: no online share stated
    by = staff(tc.institution)
    add(tc, by, 40, "online")
    assert not [p for p in schedule_check(tc) if p.code == "online_cap"]


def test_session_validation():
    tc = TrainingClassFactory()
    by = staff(tc.institution)
    foreign = VenueFactory()
    with pytest.raises(TrainingError):
        add(tc, by, 8, venue=foreign)
    with pytest.raises(TrainingError):
        add(tc, by, 8, venue=None)
    start = at(tc.start_date, 9)
    with pytest.raises(TrainingError):
        add(tc, by, 8, venue=VenueFactory(institution=tc.institution), starts_at=start, ends_at=start - timedelta(hours=1))


def test_venue_polygon_validated():
    org = institution()
    by = staff(org)
    with pytest.raises(TrainingError):
        venue_save(institution=org, by=by, name="x", division=org.division, lat=39.0, lon=117.0, polygon=[[39, 117], [39.1, 117]])
    v = venue_save(institution=org, by=by, name="y", division=org.division, lat=39.0, lon=117.0,
                   polygon=[[39, 117], [39.001, 117], [39.001, 117.001]])
    assert v.has_geofence and v.polygon[1] == [39.001, 117.0]
