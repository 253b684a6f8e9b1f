"""Writing to the registry: validated, encrypted, de-duplicated by blind index."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from dte.audit.services import audit_record
from dte.privacy.crypto import blind_index
from dte.privacy.idnumber import InvalidIdNumber, normalise_id_number, validate_id_number, validate_phone

from .models import Person


class DuplicatePerson(ValueError):
    def __init__(self, existing: Person):
        super().__init__("此身份证号码已登记 / this ID number is already registered")
        self.existing = existing


def id_index_of(id_number: str) -> str:
    return blind_index(normalise_id_number(id_number), "id_number")


def person_find_by_id_number(id_number: str) -> Person | None:
    return Person.objects.filter(id_index=id_index_of(id_number)).first()


def person_register(
    *, name: str, id_number: str, division_id: str, phone: str = "", registered_by=None, user=None,
    today: date | None = None,
) -> Person:
    """Register one person; raises InvalidIdNumber for bad input, DuplicatePerson if already there."""
    name = (name or "").strip()
    if not name:
        raise InvalidIdNumber("姓名不能为空 / name is required", field_name="name")
    parsed = validate_id_number(id_number, today=today)
    phone = validate_phone(phone) if phone else ""
    existing = person_find_by_id_number(parsed.number)
    if existing:
        raise DuplicatePerson(existing)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                name=name,
                id_number=parsed.number,
                id_index=id_index_of(parsed.number),
                phone=phone,
                phone_index=blind_index(phone, "phone") if phone else "",
                birth_date=parsed.birth_date,
                gender=parsed.gender,
                division_id=division_id,
                registered_by=registered_by,
                user=user,
            )
            audit_record(
                "registry.person.register", obj=person, division_code=division_id,
                organisation_id=registered_by.pk if registered_by else None,
                after={"name": name, "id_number": person.masked_id_number, "warnings": list(parsed.warnings)},
            )
    except IntegrityError:  # a concurrent registration of the same number won the race
        raise DuplicatePerson(person_find_by_id_number(parsed.number)) from None
    return person
