"""Pure checks: geofence (radius and polygon, accuracy), time window, rotating QR code."""

from datetime import datetime, timedelta, timezone as dt_timezone
from types import SimpleNamespace

from dte.training.checks import (
    distance_to_polygon_m, geofence_check, haversine_m, point_in_polygon, qr_check, qr_code, qr_step, time_window_check,
)

LAT, LON = 39.0842, 117.2009
METRE_LAT = 1 / 111_195  # degrees of latitude per metre


def venue(**kw):
    base = dict(lat=LAT, lon=LON, radius_m=100, polygon=[], max_accuracy_m=100)
    return SimpleNamespace(**(base | kw))


def north(metres):
    return LAT + metres * METRE_LAT


def test_haversine_known_distance():
    assert abs(haversine_m(LAT, LON, north(1000), LON) - 1000) < 1


def test_inside_radius_accepted():
    verdict = geofence_check(venue(), north(60), LON, 20)
    assert verdict.ok and 55 < verdict.distance_m < 65


def test_outside_radius_refused():
    verdict = geofence_check(venue(), north(200), LON, 20)
    assert not verdict.ok and "范围" in verdict.reason


def test_accuracy_circle_touching_fence_accepted_but_entirely_outside_refused():
    # 150 m away, radius 100: accepted with accuracy 60 (150-60=90 ≤ 100), refused with 40 (110 > 100)
    assert geofence_check(venue(), north(150), LON, 60).ok
    assert not geofence_check(venue(), north(150), LON, 40).ok


def test_coarse_accuracy_refused_even_at_centre():
    verdict = geofence_check(venue(), LAT, LON, 150)
    assert not verdict.ok and "精度" in verdict.reason
    assert geofence_check(venue(max_accuracy_m=200), LAT, LON, 150).ok


def test_missing_position_or_accuracy_refused():
    assert not geofence_check(venue(), None, None, 10).ok
    assert not geofence_check(venue(), LAT, LON, None).ok
    assert not geofence_check(venue(), LAT, LON, 0).ok


def test_venue_without_fence_refuses():
    assert not geofence_check(venue(radius_m=None), LAT, LON, 10).ok


SQUARE = [[LAT, LON], [LAT, LON + 0.002], [LAT + 0.002, LON + 0.002], [LAT + 0.002, LON]]


def test_point_in_polygon():
    assert point_in_polygon(LAT + 0.001, LON + 0.001, SQUARE)
    assert not point_in_polygon(LAT + 0.003, LON + 0.001, SQUARE)
    assert distance_to_polygon_m(LAT + 0.001, LON + 0.001, SQUARE) == 0


def test_polygon_fence_uses_accuracy_to_edge():
    v = venue(radius_m=None, polygon=SQUARE)
    assert geofence_check(v, LAT + 0.001, LON + 0.001, 10).ok
    outside = LAT + 0.002 + 50 * METRE_LAT  # 50 m north of the north edge
    assert not geofence_check(v, outside, LON + 0.001, 30).ok
    assert geofence_check(v, outside, LON + 0.001, 60).ok


START = datetime(2026, 3, 2, 1, 0, tzinfo=dt_timezone.utc)


def session(**kw):
    base = dict(starts_at=START, ends_at=START + timedelta(hours=3), early_open_minutes=15, late_after_minutes=10)
    return SimpleNamespace(**(base | kw))


def test_time_window_early_open_and_statuses():
    s = session()
    assert not time_window_check(s, START - timedelta(minutes=16)).ok
    assert time_window_check(s, START - timedelta(minutes=15)).status == "present"
    assert time_window_check(s, START + timedelta(minutes=10)).status == "present"
    assert time_window_check(s, START + timedelta(minutes=11)).status == "late"


def test_time_window_after_end_refused():
    s = session()
    assert time_window_check(s, s.ends_at).ok
    verdict = time_window_check(s, s.ends_at + timedelta(seconds=1))
    assert not verdict.ok and "结束" in verdict.reason


def test_time_window_is_configurable():
    s = session(early_open_minutes=30, late_after_minutes=0)
    assert time_window_check(s, START - timedelta(minutes=25)).ok
    assert time_window_check(s, START + timedelta(minutes=1)).status == "late"


SECRET = "0f" * 20


def test_qr_current_and_previous_step_accepted():
    now = START + timedelta(seconds=45)
    step = qr_step(now)
    assert qr_check(SECRET, qr_code(SECRET, step), now).ok
    assert qr_check(SECRET, qr_code(SECRET, step - 1), now).ok


def test_qr_older_step_and_wrong_code_refused():
    now = START + timedelta(seconds=45)
    step = qr_step(now)
    assert not qr_check(SECRET, qr_code(SECRET, step - 2), now).ok
    assert not qr_check(SECRET, qr_code(SECRET, step + 1), now).ok
    wrong = str((int(qr_code(SECRET, step)) + 1) % 10 ** 6).zfill(6)
    assert not qr_check(SECRET, wrong, now).ok
    assert not qr_check(SECRET, "", now).ok
    assert not qr_check("other" * 8, qr_code(SECRET, step), now).ok


def test_qr_code_changes_every_step():
    codes = {qr_code(SECRET, s) for s in range(100, 110)}
    assert len(codes) >= 9 and all(len(c) == 6 and c.isdigit() for c in codes)
