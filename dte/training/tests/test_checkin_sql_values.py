"""The check-in statement's parameters: values sent unchanged only where Django's field would not change them,
and a field left out of the row takes its default as the model would."""

import pytest
from datetime import datetime, timezone
from django.db import connection
from dte.training.models import Attendance, CheckInAttempt
from dte.training.services import checkin_sql

@pytest.mark.parametrize("model,row,exclude", [
    (Attendance, dict(session_id=3, enrolment_id=4, status="present", checked_in_at=datetime(2026, 1, 1, tzinfo=timezone.utc), lat=39,
                      lon=116.5, accuracy_m=None, device_id="d", ip="10.0.0.1"), ()),
    (CheckInAttempt, dict(session_id=3, enrolment_id=None, user_id=7, at=datetime(2026, 1, 1, tzinfo=timezone.utc), lat=39.1, lon=116,
                          ip="::ffff:10.0.0.1", code=""), ("accepted", "reason")),
])
def test_parameters_are_what_the_fields_would_send(model, row, exclude):
    obj = model(**row)
    expected = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in checkin_sql._columns(model, exclude)]
    found = checkin_sql._values(model, row, exclude, connection)
    assert list(found) == [f.attname for f in checkin_sql._columns(model, exclude)]
    found = list(found.values())
    assert found == expected
    assert [type(v) for v in found] == [type(v) for v in expected]  # an int latitude still becomes a float


def test_the_fields_the_two_rows_share_carry_one_value():
    """record_accepted sends a field both rows have once: the attendance and the attempt must prepare it alike."""
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    position = dict(session_id=3, enrolment_id=4, lat=39.1, lon=116.5, accuracy_m=15.0, distance_m=2.5, device_id="d", ip="10.0.0.1")
    record = checkin_sql._values(Attendance, {**position, "status": "present", "source": "api", "checked_in_at": at}, (), connection)
    attempt = checkin_sql._values(CheckInAttempt, {**position, "user_id": 7, "at": at, "code": ""}, ("accepted", "reason"), connection)
    shared = set(record) & set(attempt)
    assert shared == set(position)
    assert all(record[name] == attempt[name] and type(record[name]) is type(attempt[name]) for name in shared)
