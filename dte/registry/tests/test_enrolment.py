from datetime import date
import hashlib

import pytest

from dte.privacy.idnumber import InvalidIdNumber
from dte.registry.errors import NotEligible
from dte.registry.models import Commitment, Person, TrainingClass
from dte.registry.services import (
    DuplicatePerson, commitment_sign, commitment_text, enrolment_create, person_register, trainee_enrol_and_sign,
)

from .factories import PersonFactory, TrainingClassFactory, id_number

pytestmark = pytest.mark.django_db


def test_duplicate_registration_is_found_by_blind_index():
    number = id_number()
    first = person_register(name="张三", id_number=number, division_id=PersonFactory().division_id, today=date(2024, 9, 1))
    with pytest.raises(DuplicatePerson) as dup:
        person_register(name="张三丰", id_number=number.lower(), division_id=first.division_id)
    assert dup.value.existing == first
    assert "id_number" not in str(Person.objects.filter(pk=first.pk).values("id_number")[0]["id_number"])[:3]


def test_bad_checksum_is_refused():
    number = id_number()
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(InvalidIdNumber):
        person_register(name="李四", id_number=bad, division_id=PersonFactory().division_id)


def test_eligibility_decision_is_stored_with_reasons_and_clauses():
    klass = TrainingClassFactory()
    ok = enrolment_create(klass, PersonFactory(employment_status="graduate", graduation_date=date(2024, 6, 30)))
    assert ok.eligible is True and ok.eligibility["pack"] == "shanxi"
    assert {r["code"] for r in ok.eligibility["later"]} >= {"TRAINING_CERTIFICATE_MISSING"}
    # left school in 2023 and employed: neither 应届 nor 两年内离校未就业 (晋人社厅发〔2024〕27号 三)
    employee = PersonFactory(employment_status="employee", graduation_date=date(2023, 6, 30))
    with pytest.raises(NotEligible) as refused:
        enrolment_create(klass, employee)
    assert refused.value.decision["reasons"][0]["code"] == "NOT_TARGET_GROUP"
    assert "晋人社厅发〔2024〕27号" in refused.value.message


def test_market_class_takes_an_ineligible_person_and_keeps_the_reasons():
    klass = TrainingClassFactory(mode=TrainingClass.Mode.MARKET)
    e = enrolment_create(klass, PersonFactory(employment_status="employee", graduation_date=date(2023, 6, 30)))
    assert e.eligible is False and any(r["code"] == "NOT_TARGET_GROUP" for r in e.eligibility["reasons"])


def test_commitment_keeps_exact_text_hash_time_and_ip():
    klass = TrainingClassFactory()
    person = PersonFactory()
    text = commitment_text(person, klass)
    enrolment = trainee_enrol_and_sign(klass, person, text=text, ip="203.0.113.9")
    c = Commitment.objects.get(enrolment=enrolment)
    assert c.text == text and c.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert c.ip == "203.0.113.9" and c.signed_at is not None
    for clause in ("已知悉", "符合", "真实", "核查"):
        assert clause in c.text


def test_altered_commitment_text_is_refused_and_enrolment_rolled_back():
    klass, person = TrainingClassFactory(), PersonFactory()
    with pytest.raises(Exception):
        trainee_enrol_and_sign(klass, person, text=commitment_text(person, klass) + "（补充：不过退费）")
    assert not klass.enrolments.exists()
    with pytest.raises(Exception):
        commitment_sign(enrolment_create(klass, person), text="我承诺")
