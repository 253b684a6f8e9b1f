"""What the province's policy pack says about delivering a class.

Thin adapter over dte.policy (pure packs): the online cap, required hours, the full-video
and location check-in requirements, forbidden certificate words and the training-report
deadline. Each answer carries the clause it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dte.policy.packs.base import PolicyPack
from dte.policy.services import pack_for_division

# Fallbacks used only while a pack does not (yet) carry the parameter itself. Each is a
# rule stated in the seed documents; the pack's own parameter wins when present.
FULL_VIDEO_FALLBACK = {"tianjin": "津人社办发〔2022〕94号 四(二)：线上线下培训均应全程录像，做到可追溯、可查询"}
LOCATION_CHECKIN_FALLBACK = {"tianjin": "津人社办发〔2022〕94号 四(三)：利用电子围栏、定位签到等信息化手段"}


@dataclass(frozen=True)
class Requirement:
    value: object
    citation: str = ""


def pack_for_class(training_class) -> PolicyPack:
    """The pack of the province the class is held in; the national baseline elsewhere."""
    return pack_for_division(training_class.division_id) or PolicyPack()


def _param(pack: PolicyPack, names: tuple[str, ...], on: date):
    """(value, citation) of the first of `names` the pack defines, or (None, '') when none."""
    defined = set(pack.parameters.names())
    for name in names:
        if name in defined:
            bound = pack.parameters.bind(on, None)
            return bound.get(name), bound.citation(name)
    return None, ""


def online_cap(training_class) -> Requirement:
    """Maximum online share in basis points (5000 = 50 %); value None where no cap is stated."""
    cap, citation = pack_for_class(training_class).online_cap(training_class.start_date)
    return Requirement(cap, citation)


def required_hours(training_class) -> Requirement:
    """Hours the class must provide: the catalogue's SubsidyStandard in force at the start
    date, else the pack's subsidy-standard table; value None when neither sets it."""
    from dte.catalogue.models import SubsidyStandard

    standard = (
        SubsidyStandard.objects.filter(
            province_id=str(training_class.division_id)[:2] + "0000",
            occupation_id=training_class.occupation_id, level=training_class.level,
            effective_from__lte=training_class.start_date, hours_required__isnull=False,
        ).order_by("-effective_from").first()
    )
    if standard is not None:
        return Requirement(standard.hours_required, standard.citation)
    hours, citation = pack_for_class(training_class).required_hours(
        training_class.occupation.code, training_class.level, training_class.start_date)
    return Requirement(hours, citation)


def requires_full_video(training_class) -> Requirement:
    pack = pack_for_class(training_class)
    method = getattr(pack, "requires_full_video", None)
    if callable(method):
        result = method(training_class.start_date)
        if isinstance(result, tuple):
            return Requirement(bool(result[0]), result[1] if result[0] else "")
        return Requirement(bool(result), "")
    value, citation = _param(pack, ("full_video_required", "requires_full_video", "full_video"), training_class.start_date)
    if value is not None:
        return Requirement(bool(value), citation if value else "")
    citation = FULL_VIDEO_FALLBACK.get(pack.code, "")
    return Requirement(bool(citation), citation)


def requires_location_checkin(training_class) -> Requirement:
    pack = pack_for_class(training_class)
    value, citation = _param(pack, ("location_checkin_required", "geofence_required"), training_class.start_date)
    if value is not None:
        return Requirement(bool(value), citation if value else "")
    citation = LOCATION_CHECKIN_FALLBACK.get(pack.code, "")
    return Requirement(bool(citation), citation)


def forbidden_words_in(training_class, text: str) -> list[tuple[str, str]]:
    return pack_for_class(training_class).find_forbidden_certificate_words(text, training_class.end_date)


def report_deadline(training_class):
    """(due date or None, citation). The pack's `training_report` deadline counted from the
    class's end date (培训结业后30日内); None where the pack sets no separate deadline."""
    from dte.workdays.services import add_period

    pack = pack_for_class(training_class)
    deadline = pack.deadlines(training_class.end_date).get("training_report")
    if deadline is None:
        _, citation = _param(pack, ("deadline_training_report",), training_class.end_date)
        return None, citation
    due = add_period(training_class.end_date, deadline.days, deadline.unit)
    return due.date, deadline.citation
