"""Talent pool API (read-only, scoped): search the pool; one person's file summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dte.organisations.scoping import get_scoped_or_404
from dte.registry.models import Person
from dte.web.pagination import BoundedPageNumberPagination

from .selectors import PoolFilters, person_file, pool
from .views import READERS

router = Router(tags=["talent"])


class CertificateOut(Schema):
    number: str
    occupation: str
    level: str
    issued_on: date
    status: str


class PoolPersonOut(Schema):
    id: int
    name: str
    id_masked: str = Field(alias="masked_id_number")
    division: str = Field(alias="division.name")
    certificates: list[CertificateOut]
    titles: list[str]

    @staticmethod
    def resolve_certificates(p):
        return [{"number": c.number, "occupation": c.occupation.code, "level": c.level, "issued_on": c.issued_on,
                 "status": c.status} for c in p.level_certificates.all()]

    @staticmethod
    def resolve_titles(p):
        return [r.title for r in p.title_recognitions.all() if r.status == "recognised"]


class RecognitionOut(Schema):
    certificate: str
    title: str
    status: str
    citation: str


class HoursOut(Schema):
    year: int
    hours: Decimal


class EntryOut(Schema):
    kind: str
    title: str
    result: str
    awarded_on: date
    status: str


class FileOut(Schema):
    id: int
    name: str
    id_masked: str
    pool_name: str
    pool_member: bool
    pool_citation: str
    continuing_education: list[HoursOut]
    titles: list[RecognitionOut]
    entries: list[EntryOut]


@router.get("/people", response=list[PoolPersonOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def people(request, occupation: str = "", level: str = "", prefecture: str = "", year: int | None = None):
    if not (request.user.is_platform_admin or request.user.role in READERS):
        raise PermissionDenied("The talent pool is for officials.")
    if year is not None and not 1900 <= year <= 2100:
        raise HttpError(422, "year out of range")
    filters = PoolFilters(occupation=occupation[:16], level=level[:12], prefecture=prefecture[:6], year=year)
    return pool(request.user, filters)


@router.get("/people/{pk}", response=FileOut)
def person(request, pk: int):
    p = get_scoped_or_404(request.user, Person.objects.all(), pk=pk)
    f = person_file(p)
    return {"id": p.pk, "name": p.name, "id_masked": p.masked_id_number, "pool_name": f.pool_name, "pool_member": f.pool_member,
            "pool_citation": f.pool_citation,
            "continuing_education": [{"year": y, "hours": h} for y, h in f.ce_totals],
            "titles": [{"certificate": r.certificate.number, "title": r.title, "status": r.status, "citation": r.citation}
                       for r in f.recognitions],
            "entries": [{"kind": e.kind, "title": e.title, "result": e.result, "awarded_on": e.awarded_on, "status": e.status}
                        for e in f.entries]}
