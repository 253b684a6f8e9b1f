"""Issue 13 items 1 and 3: a person's graduation, school, employment and retirement are
separate facts; the registry passes them to the pack and a blank status never passes."""

from datetime import date

import pytest

from dte.registry import rules
from dte.registry.services import person_facts

from .factories import PersonFactory, TrainingClassFactory

pytestmark = pytest.mark.django_db


def test_employed_fresh_graduate_is_covered_in_shanxi():
    # 晋人社厅发〔2024〕27号 三 “应届毕业生” carries no “not employed” condition
    klass = TrainingClassFactory()  # Shanxi, starts 2024-09-02
    person = PersonFactory(employment_status="graduate", graduation_date=date(2024, 6, 30), employed=True)
    decision = rules.evaluate_person(person, klass)
    assert decision["eligible"] is True and decision["reasons"] == []
    earlier = PersonFactory(employment_status="graduate", graduation_date=date(2023, 6, 30), employed=True)
    refused = rules.evaluate_person(earlier, klass)
    assert refused["eligible"] is False and [r["code"] for r in refused["reasons"]] == ["NOT_TARGET_GROUP"]


def test_blank_status_is_not_eligible_at_enrolment():
    klass = TrainingClassFactory()
    person = PersonFactory(employment_status="", graduation_date=date(2023, 6, 30))
    decision = rules.evaluate_person(person, klass)
    assert decision["eligible"] is False
    assert [(r["code"], r["effect"]) for r in decision["reasons"]] == [("EMPLOYMENT_STATUS_MISSING", "pending")]


def test_case_carries_the_facts_and_no_default_status():
    klass = TrainingClassFactory()
    person = PersonFactory(employment_status="", retired=True, school_type="vocational", full_time=False, employed=None)
    case = rules.case_for(status=person.employment_status, graduation_date=None, birth_date=person.birth_date,
                          training_class=klass, facts=person.trainee_facts(), enrolment_date=date(2024, 8, 1))
    assert case["trainee"]["status"] is None
    assert {k: case["trainee"][k] for k in ("retired", "school_type", "full_time")} == \
        {"retired": True, "school_type": "vocational", "full_time": False}
    assert "employed" not in case["trainee"] and case["course"]["enrolment_date"] == "2024-08-01"


def test_person_facts_keeps_known_fields_only():
    assert person_facts({"employed": False, "retired": None, "school_type": "", "full_time": True, "other": 1}) == \
        {"employed": False, "full_time": True}
