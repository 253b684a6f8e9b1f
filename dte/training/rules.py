"""What the province's policy pack says about delivering a class.

Thin adapter over dte.policy (pure packs): the online cap, required hours, the full-video
and location check-in requirements, forbidden certificate words and the training-report
deadline. Each answer carries the clause it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dte.policy.packs.base import PolicyPack
from dte.policy.services import pack_for_division


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
    """Whether every session needs its full recording (Tianjin 四(二)); False where the pack is silent."""
    value, citation = _param(pack_for_class(training_class), ("full_video_required",), training_class.start_date)
    return Requirement(bool(value), citation if value else "")


def requires_location_checkin(training_class) -> Requirement:
    """Whether offline venues need a geofence for location check-in (Tianjin 四(三))."""
    value, citation = _param(pack_for_class(training_class), ("location_checkin_required",), training_class.start_date)
    return Requirement(bool(value), citation if value else "")


def training_certificate(training_class) -> Requirement:
    """Whether completing the hours and passing the 结业考核 earns the 培训合格证书, with the clause
    (e.g. 晋人社厅发〔2024〕27号 四(一)); the citation of the completion and assessment rules."""
    value, citation = _param(pack_for_class(training_class), ("training_certificate_required",), training_class.start_date)
    return Requirement(bool(value), citation)


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
