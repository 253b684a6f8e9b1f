"""Reads: the talent pool (search), one person's file, continuing-education totals per year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from dte.credentials.models import LevelCertificate
from dte.organisations.scoping import scoped
from dte.policy.services import pack_for_division
from dte.registry.models import Enrolment, Person
from dte.training.models import TrainingCertificate

from . import rules
from .models import ContinuingEducationRecord, TalentEntry, TalentProfile, TitleRecognition, TitleSeries

LIVE = ~Q(status=LevelCertificate.Status.REVOKED)


@dataclass
class PoolFilters:
    occupation: str = ""  # occupation code
    level: str = ""
    prefecture: str = ""  # a prefecture's 6-digit code (its first 4 digits match)
    year: int | None = None  # year of issue of the level certificate

    def certificate_q(self) -> Q:
        q = Q(status=LevelCertificate.Status.VALID)
        if self.occupation:
            q &= Q(occupation__code=self.occupation)
        if self.level:
            q &= Q(level=self.level)
        if self.year:
            q &= Q(issued_on__year=self.year)
        return q


def pool(user, filters: PoolFilters | None = None) -> QuerySet:
    """People in scope who hold a valid level certificate matching the filters (the pool of
    藏人社发〔2025〕13号 五(八)；广西 四(六)；云人社通〔2023〕39号 三(五))."""
    filters = filters or PoolFilters()
    holders = LevelCertificate.objects.filter(filters.certificate_q()).values("person_id")
    qs = Person.objects.filter(pk__in=holders)
    if filters.prefecture:
        qs = qs.filter(division__code__startswith=filters.prefecture[:4])
    return (scoped(user, qs).select_related("division")
            .prefetch_related(Prefetch("level_certificates", LevelCertificate.objects.filter(LIVE).select_related("occupation")
                                       .order_by("-issued_on", "pk")),
                              Prefetch("title_recognitions", TitleRecognition.objects.exclude(status=TitleRecognition.Status.WITHDRAWN)))
            .order_by("name", "pk"))


def ce_totals(person: Person) -> list[tuple[int, Decimal]]:
    """Continuing-education hours per year, most recent first (withdrawn records excluded)."""
    rows = (ContinuingEducationRecord.objects.filter(person=person, status=ContinuingEducationRecord.Status.RECORDED)
            .values("year").annotate(total=Sum("hours")).order_by("-year"))
    return [(r["year"], r["total"]) for r in rows]


def ce_totals_for(people: list[Person]) -> dict[int, dict[int, Decimal]]:
    out: dict[int, dict[int, Decimal]] = {}
    rows = (ContinuingEducationRecord.objects.filter(person__in=people, status=ContinuingEducationRecord.Status.RECORDED)
            .values("person_id", "year").annotate(total=Sum("hours")))
    for r in rows:
        out.setdefault(r["person_id"], {})[r["year"]] = r["total"]
    return out


def entry_counts_for(people: list[Person]) -> dict[int, int]:
    rows = (TalentEntry.objects.filter(person__in=people, status=TalentEntry.Status.ACTIVE).values("person_id")
            .annotate(n=Count("pk")))
    return {r["person_id"]: r["n"] for r in rows}


@dataclass
class PersonFile:
    person: Person
    series: str
    level_certificates: list = field(default_factory=list)
    training_certificates: list = field(default_factory=list)
    enrolments: list = field(default_factory=list)
    ce_records: list = field(default_factory=list)
    ce_totals: list = field(default_factory=list)
    recognitions: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    pool_member: bool = False
    pool_name: str = ""
    pool_citation: str = ""

    @property
    def series_label(self) -> str:
        return TitleSeries(self.series).label


def person_file(person: Person, *, on: date | None = None) -> PersonFile:
    """One person one file (云人社通〔2023〕39号 三(五)). The caller has checked access to the person;
    the file then shows everything recorded about them."""
    profile = TalentProfile.objects.filter(person=person).first()
    f = PersonFile(person, profile.title_series if profile else TitleSeries.ENGINEERING)
    f.level_certificates = list(LevelCertificate.objects.filter(person=person).select_related("occupation").order_by("-issued_on", "pk"))
    f.training_certificates = list(TrainingCertificate.objects.filter(enrolment__person=person)
                                   .select_related("enrolment__training_class__occupation").order_by("-issued_on", "pk"))
    f.enrolments = list(Enrolment.objects.filter(person=person).select_related("training_class__occupation", "training_class__institution")
                        .order_by("-training_class__start_date", "pk"))
    f.ce_records = list(ContinuingEducationRecord.objects.filter(person=person).select_related("enrolment__training_class"))
    f.ce_totals = ce_totals(person)
    f.recognitions = list(TitleRecognition.objects.filter(person=person).select_related("certificate__occupation"))
    f.entries = list(TalentEntry.objects.filter(person=person).select_related("entered_by"))
    pack = pack_for_division(person.division_id)
    if pack is not None:
        valid = any(c.status == LevelCertificate.Status.VALID for c in f.level_certificates)
        excellent = any(r.kind == TitleRecognition.Kind.AFTER_REVIEW and r.status == TitleRecognition.Status.RECOGNISED
                        for r in f.recognitions)
        f.pool_member, f.pool_name, f.pool_citation = rules.talent_pool(pack, on=on or timezone.localdate(),
                                                                          has_level_certificate=valid, excellent_engineer=excellent)
    return f


def my_recognitions(user) -> QuerySet:
    return scoped(user, TitleRecognition.objects.select_related("certificate__occupation", "person")).order_by("-recognised_on", "pk")
