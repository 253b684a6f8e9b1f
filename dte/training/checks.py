"""Pure check-in checks: geofence, time window and the rotating QR code. No database.

Geofence rule (电子围栏、定位签到, 津人社办发〔2022〕94号 四(三)) — a reported position is a
circle (lat, lon, accuracy radius). A check-in is accepted when
  1. an accuracy is reported, it is > 0 and ≤ the venue's worst acceptable accuracy
     (max_accuracy_m, default 100 m) — a vaguer fix proves nothing; and
  2. the accuracy circle reaches the fence: for a radius fence,
     distance(position, centre) − accuracy ≤ radius (haversine distance); for a polygon fence,
     the point lies inside the polygon or within `accuracy` metres of its boundary.
So a fix whose whole accuracy circle lies outside the fence is refused.

Time window: opens `early_open_minutes` before the start (default 15); on time until
`late_after_minutes` past the start (default 10); 'late' from then until the end; refused
before opening and after the end.

Rotating QR: TOTP-like. code(step) = HMAC-SHA256(session secret, step as 8-byte big-endian),
dynamically truncated (RFC 4226) to 6 digits; step = floor(unix time / 30). The current and
the previous step are accepted (a code shown just before the turn still works).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
QR_STEP_SECONDS = 30
QR_DIGITS = 6


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    distance_m: float | None = None
    status: str = ""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _to_xy(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]:
    """Local equirectangular projection in metres around (lat0, lon0) — exact enough for a site."""
    x = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    y = math.radians(lat - lat0) * EARTH_RADIUS_M
    return x, y


def point_in_polygon(lat: float, lon: float, polygon: list) -> bool:
    """Ray casting over [[lat, lon], …] (closed implicitly)."""
    inside = False
    n = len(polygon)
    for i in range(n):
        (ay, ax), (by, bx) = polygon[i], polygon[(i + 1) % n]
        if (ay > lat) != (by > lat):
            cross = ax + (lat - ay) * (bx - ax) / (by - ay)
            if lon < cross:
                inside = not inside
    return inside


def distance_to_polygon_m(lat: float, lon: float, polygon: list) -> float:
    """0 inside; otherwise the distance in metres to the nearest edge."""
    if point_in_polygon(lat, lon, polygon):
        return 0.0
    best = math.inf
    points = [_to_xy(a, b, lat, lon) for a, b in polygon]
    for i in range(len(points)):
        (ax, ay), (bx, by) = points[i], points[(i + 1) % len(points)]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def geofence_check(venue, lat, lon, accuracy) -> Verdict:
    if lat is None or lon is None:
        return Verdict(False, _("No position reported."))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Verdict(False, _("Invalid coordinates."))
    if accuracy is None or accuracy <= 0:
        return Verdict(False, _("No accuracy reported."))
    if accuracy > venue.max_accuracy_m:
        return Verdict(False, _("Location accuracy %(accuracy)s m, coarser than the allowed %(allowed)s m") % {"accuracy": f"{accuracy:.0f}", "allowed": venue.max_accuracy_m})
    if len(venue.polygon or []) >= 3:
        distance = distance_to_polygon_m(lat, lon, venue.polygon)
        ok = distance <= accuracy
    elif venue.radius_m:
        distance = haversine_m(lat, lon, venue.lat, venue.lon)
        ok = distance - accuracy <= venue.radius_m
    else:
        return Verdict(False, _("The venue has no geofence."))
    if not ok:
        return Verdict(False, _("Outside the check-in area (%(distance)s m away).") % {"distance": f"{distance:.0f}"}, distance)
    return Verdict(True, "", distance)


def time_window_check(session, at: datetime) -> Verdict:
    opens = session.starts_at - timedelta(minutes=session.early_open_minutes)
    late_from = session.starts_at + timedelta(minutes=session.late_after_minutes)
    if at < opens:
        return Verdict(False, _("Check-in is not open yet (it opens %(minutes)s minutes before the start).")
                       % {"minutes": session.early_open_minutes})
    if at > session.ends_at:
        return Verdict(False, _("The session has ended: check-in is closed."))
    return Verdict(True, status="late" if at > late_from else "present")


def checkout_window_check(session, at: datetime) -> Verdict:
    if at < session.starts_at:
        return Verdict(False, _("The session has not started: check-out is not open."))
    if at > session.ends_at + timedelta(minutes=session.early_open_minutes):
        return Verdict(False, _("Check-out closed."))
    return Verdict(True)


def qr_step(at: datetime) -> int:
    return int(at.timestamp()) // QR_STEP_SECONDS


def qr_seconds_left(at: datetime) -> int:
    """Seconds until the code shown at `at` turns."""
    return QR_STEP_SECONDS - int(at.timestamp()) % QR_STEP_SECONDS


def qr_code(secret: str, step: int) -> str:
    digest = hmac.new(secret.encode(), step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10 ** QR_DIGITS).zfill(QR_DIGITS)


def qr_check(secret: str, code: str, at: datetime) -> Verdict:
    code = (code or "").strip()
    if not code:
        return Verdict(False, _("Scan the QR code shown in the room."))
    step = qr_step(at)
    for candidate in (step, step - 1):
        if hmac.compare_digest(qr_code(secret, candidate), code):
            return Verdict(True)
    return Verdict(False, _("QR code wrong or expired."))
