"""Issue 12 item 1: the validation's kept result — encrypted at rest, gone after the commit — and the
commit still consulting the registry (people registered meanwhile, a concurrent import), with the
previous path (no kept file: the source validated again) giving the same registry."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from dte.registry import imports
from dte.registry.imports import validation
from dte.registry.errors import RegistryError
from dte.registry.imports import kept_name, roster_commit
from dte.registry.models import Enrolment, Person, RosterImport

from .factories import PersonFactory, TrainingClassFactory, listed_institution, plan_with_quota, staff
from .test_import_security import good_rows, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(django_capture_on_commit_callbacks):
    quota = plan_with_quota(listed_institution(), places=20)
    klass = TrainingClassFactory(institution=quota.institution, quota=quota, capacity=20)
    rows = good_rows(4)
    roster, _ = upload(klass, xlsx_bytes(rows), "roster.xlsx", django_capture_on_commit_callbacks)
    assert roster.status == RosterImport.Status.VALIDATED and roster.rows_valid == 4, roster.message
    return klass, roster, rows


def state(klass):
    people = sorted((p.name, p.id_number, p.phone, p.birth_date, p.registered_by_id) for p in Person.objects.all())
    enrolments = sorted((e.person.id_number, e.status, e.eligible, str(e.eligibility))
                        for e in Enrolment.objects.filter(training_class=klass).select_related("person"))
    return people, enrolments


def test_kept_result_is_encrypted_at_rest_and_removed_after_the_commit(validated, django_capture_on_commit_callbacks):
    klass, roster, rows = validated
    name = kept_name(roster)
    with default_storage.raw_open(name) as raw:
        stored = raw.read()
    assert stored.startswith(b"DTEFILE1") and rows[0][1].encode() not in stored
    with django_capture_on_commit_callbacks(execute=True):
        roster_commit(roster, user=staff(klass.institution))
    assert not default_storage.exists(name)
    assert Person.objects.count() == 4 and Enrolment.objects.filter(training_class=klass).count() == 4


def test_a_result_kept_in_the_earlier_csv_format_is_not_read_and_is_removed(validated,
                                                                            django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from dte.registry.imports.kept import kept_names_before

    klass, roster, rows = validated
    default_storage.delete(kept_name(roster))
    legacy = kept_names_before(roster)[0]
    default_storage.save(legacy, ContentFile(b"R,2,not,read\r\n"))
    with django_capture_on_commit_callbacks(execute=True):
        roster_commit(roster, user=staff(klass.institution))  # the source validated again
    assert not default_storage.exists(legacy)
    assert Person.objects.count() == 4 and Enrolment.objects.filter(training_class=klass).count() == 4


def test_commit_links_a_person_registered_after_the_validation(validated):
    klass, roster, rows = validated
    meanwhile = PersonFactory(id_number=rows[1][1], registered_by=klass.institution)
    roster_commit(roster, user=staff(klass.institution))
    roster.refresh_from_db()
    assert (roster.people_created, roster.enrolments_created) == (3, 4)
    assert Enrolment.objects.get(training_class=klass, person=meanwhile).status == Enrolment.Status.ENROLLED


def test_a_concurrent_import_of_the_same_person_changes_nothing(validated, monkeypatch):
    """The registry said "new" but the row was taken before the write: the unique blind index refuses
    it (through COPY on PostgreSQL too) and the whole import is rolled back with a message."""
    klass, roster, rows = validated
    PersonFactory(id_number=rows[2][1])
    monkeypatch.setattr(validation, "_people_by_index", lambda indexes: Person.objects.none())
    with pytest.raises(RegistryError) as error:
        roster_commit(roster, user=staff(klass.institution))
    assert error.value.code == "CONCURRENT_IMPORT"
    assert Person.objects.count() == 1 and not Enrolment.objects.exists()


def test_without_a_kept_result_the_source_is_validated_again_with_the_same_outcome(django_capture_on_commit_callbacks):
    outcomes = []
    for keep in (True, False):
        quota = plan_with_quota(listed_institution(), places=20)
        klass = TrainingClassFactory(institution=quota.institution, quota=quota, capacity=20)
        rows = good_rows(3) + [["坏行", "123", "1", "140105", "毕业生", ""]]
        roster, _ = upload(klass, xlsx_bytes(rows), "roster.xlsx", django_capture_on_commit_callbacks)
        if not keep:
            default_storage.delete(kept_name(roster))
        roster_commit(roster, user=staff(klass.institution))
        roster.refresh_from_db()
        people, enrolments = state(klass)
        outcomes.append(((roster.people_created, roster.enrolments_created, roster.message), len(people),
                         [(status, eligible, eligibility) for _number, status, eligible, eligibility in enrolments]))
        Enrolment.objects.all().delete()
        Person.objects.all().delete()
    assert outcomes[0] == outcomes[1]
