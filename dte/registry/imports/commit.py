"""Committing a validated roster: the rows valid now (the kept result re-checked against the registry, a
chunk at a time), written in batches inside one transaction — all or nothing — with COPY on PostgreSQL
(bulk_create elsewhere); capacity and quota checked per batch."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from dte.audit.services import audit_record
from dte.ops.memory import collector_paused
from dte.privacy.crypto import blind_index_many

from .. import bulk_write, rules
from ..errors import RegistryError
from ..models import Enrolment, Person, RosterImport, TrainingClass
from ..services import ACTIVE_ENROLMENT, institution_reaches_ids, quota_take
from .kept import kept_name, kept_names_before, kept_rows
from .lifecycle import not_committable, open_source, require_institution_staff
from .reading import RowResult, read_rows
from .validation import checked_rows, parsed_rows

BATCH = 5000  # rows written per COPY / bulk_create (and quota/capacity check)
PERSON_COLUMNS = ["name", "id_number", "id_index", "phone", "phone_index", "birth_date", "gender", "division_id",
                  "employment_status", "graduation_date", "registered_by_id"]
ENROLMENT_COLUMNS = ["training_class_id", "person_id", "source", "status", "eligible", "eligibility"]


@collector_paused()
def roster_commit(roster: RosterImport, *, user=None, today: date | None = None, progress=None) -> RosterImport:
    """Import the rows that are valid now (re-checked), in batches, inside one transaction:
    a failure anywhere (quota, capacity, database) leaves the registry as it was.

    Idempotent per import: the roster row is locked for the whole transaction, so a second commit of the
    same import waits, then finds it imported and is refused with a message (issue 8 finding 8)."""
    require_institution_staff(user, roster.institution)
    if roster.status not in (RosterImport.Status.VALIDATED, RosterImport.Status.IMPORTING):
        raise not_committable(roster.status)
    klass, institution = roster.training_class, roster.institution
    counts = {"people": 0, "enrolments": 0}
    storage, kept = roster.source.storage, kept_name(roster)
    eligibility = rules.RosterEligibility(klass) if klass is not None else None
    if storage.exists(kept):  # the validation's result: only the registry is consulted again
        handle, total = storage.open(kept, "rb"), roster.rows_total
        results = kept_rows(handle, eligibility)
    else:  # validated before results were kept (or kept in an earlier format): validate the source again
        handle, results = open_source(roster), None
    try:
        if results is None:
            total, source_rows = read_rows(handle, roster.source_name)
            results = parsed_rows(source_rows, today or date.today())
        with transaction.atomic():
            current = RosterImport.objects.select_for_update().get(pk=roster.pk)
            if current.status not in (RosterImport.Status.VALIDATED, RosterImport.Status.IMPORTING):
                raise not_committable(current.status)
            locked = TrainingClass.objects.select_for_update().get(pk=klass.pk) if klass is not None else None
            batch: list = []
            with bulk_write.foreign_keys_checked_per_statement(Person, Enrolment):
                for r in checked_rows(results, training_class=klass, progress=progress, total=total,
                                      message="导入中", eligibility=eligibility):
                    if r.ok:
                        batch.append(r)
                    if len(batch) >= BATCH:
                        _import_batch(batch, institution, locked, counts)
                        batch = []
                if batch:
                    _import_batch(batch, institution, locked, counts)
            audit_record("registry.import.commit", obj=roster, division_code=institution.division_id,
                         organisation_id=institution.pk,
                         after={"file": roster.source_name, "people_created": counts["people"],
                                "enrolments_created": counts["enrolments"], "class": klass.pk if klass else None})
            roster.people_created, roster.enrolments_created = counts["people"], counts["enrolments"]
            roster.status = RosterImport.Status.IMPORTED
            roster.message = f"新增 {counts['people']} 人，入班 {counts['enrolments']} 人"
            roster.save()
            transaction.on_commit(lambda: [storage.delete(name) for name in [kept, *kept_names_before(roster)]
                                           if storage.exists(name)])
    except IntegrityError:
        # another import registered one of these people at the same moment: nothing was changed
        raise RegistryError("另一份名单同时登记了其中的人员，本次导入未做任何更改；请重新上传校验后再导入。",
                            code="CONCURRENT_IMPORT") from None
    finally:
        handle.close()
    return roster


def _import_batch(batch: list[RowResult], institution, klass: TrainingClass | None, counts: dict) -> None:
    """Write one batch: the new people (ID number and phone encrypted, blind indexes), then, for a class,
    its capacity and quota checked and the enrolments; COPY on PostgreSQL, bulk_create elsewhere."""
    new = [r for r in batch if r.existing_id is None]
    people = [r.data for r in new]
    person_ids = bulk_write.rows_insert(Person, PERSON_COLUMNS, [(
        d["name"], d["id_number"], d["id_index"], d["phone"], phone_index, d["birth_date"],
        d["gender"], d["division"], d["status"], d["graduation_date"], institution.pk,
    ) for d, phone_index in zip(people, blind_index_many([d["phone"] for d in people], "phone"))], want_ids=True)
    counts["people"] += len(new)
    if klass is None:
        return
    new_ids = {r.data["id_index"]: pk for r, pk in zip(new, person_ids)}
    if counts.get("active") is None:
        # counted once: the class row is locked for the whole import, and every other enrolment in a class
        # locks it too (services.enrolment_create), so the count only grows by the batches written here
        counts["active"] = Enrolment.objects.filter(training_class=klass, status__in=ACTIVE_ENROLMENT).count()
    active = counts["active"]
    if active + len(batch) > klass.capacity:
        raise RegistryError(f"班级容量 {klass.capacity} 人，已有 {active} 人，不能再导入 {len(batch)} 人。", code="CLASS_FULL")
    existing = [r.existing_id for r in batch if r.existing_id is not None]
    reached = institution_reaches_ids(existing, institution.pk) if existing else set()
    pending = {pk for pk in existing if pk not in reached}  # finding 2: waits for the person's confirmation
    if klass.quota_id and len(batch) > len(pending):
        quota_take(klass.quota_id, len(batch) - len(pending))
    empty: dict = {}
    bulk_write.rows_insert(Enrolment, ENROLMENT_COLUMNS, [(
        klass.pk, r.existing_id or new_ids[r.data["id_index"]], Enrolment.Source.IMPORT,
        Enrolment.Status.APPLIED if r.existing_id in pending else Enrolment.Status.ENROLLED,
        None if r.existing_id in pending else (r.decision["eligible"] if r.decision else None),
        empty if r.existing_id in pending else (r.decision or empty),
    ) for r in batch])
    counts["enrolments"] += len(batch)
    counts["active"] += len(batch)  # every enrolment written here is applied or enrolled: active
