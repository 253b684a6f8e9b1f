"""Class claims for many classes at once — the set-based path (issue 10, 100,000 trainees); also
the path of a single class claim (claim_create, the web UI's and the API's).

The rules are those of `claim_create_one` (dte.subsidy.services.claims), decided by the same code
(`decide`, `evaluate`, `line_values`, `dte.subsidy.facts.build_cases`); what changes is how the facts
are read and the lines written: per chunk of classes, one query per family of facts for all
trainees (enrolments, sessions, attended days and hours summed in the database, completion,
employment, exams, certificates, the province's claim-line history), the per-person locks taken
once for the chunk in pk order, the pack once per distinct case, and the claims and lines
inserted in bulk (COPY from plain rows on PostgreSQL). Chunks bound memory; each chunk is one transaction.

Within a chunk the classes are decided in the given order and each class's new lines join the
history the later classes see, exactly as if `claim_create_one` had been called class after class
(津人社办发〔2022〕94号 附件3 二 and the other packs' per-person limits count every claim line
in the province, including those still in review). tests/test_claims_set_based.py compares the
two paths line by line: amounts, statuses, reasons, citations, parameters and traces.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db import models
from django.db.models import Count, JSONField
from django.utils import timezone

from dte.audit.services import audit_record_many
from dte.catalogue.models import InstitutionListing
from dte.catalogue.selectors import institution_bar_reason
from dte.ops.memory import collector_paused
from dte.policy.services import pack_for_division
from dte.registry.models import Enrolment, TrainingClass

from .. import facts as facts_module
from ..models import ACTIVE_STATUSES, Claim, ClaimLine, InstitutionHold, explanations_store
from .claims import (CLAIMABLE_CLASS_STATUSES, HOLD_CITATION, ITEM_OF_KIND, ClaimRefused, decide, line_values, lock_people,
                     nothing_to_claim)

DEFAULT_CHUNK_TRAINEES = 5000
INSERT_BATCH = 2000


@dataclass
class BulkClaimResult:
    claims: list[Claim] = field(default_factory=list)
    refused: dict[int, ClaimRefused] = field(default_factory=dict)  # training class id → refusal
    lines: int = 0


def _chunks(classes: list, sizes: dict[int, int], limit: int):
    chunk, count = [], 0
    for k in classes:
        if chunk and count + sizes.get(k.pk, 0) > limit:
            yield chunk
            chunk, count = [], 0
        chunk.append(k)
        count += sizes.get(k.pk, 0)
    if chunk:
        yield chunk


def _class_refusals(classes: list) -> dict[int, ClaimRefused]:
    """`claim_create_one`'s refusals before any trainee is looked at, for all classes in two queries."""
    institution_ids = {k.institution_id for k in classes}
    barred = set(InstitutionListing.objects.filter(organisation_id__in=institution_ids, kind="training", status__in=(
        InstitutionListing.Status.SUSPENDED, InstitutionListing.Status.REMOVED)).values_list("organisation_id", flat=True))
    holds: dict[int, InstitutionHold] = {}
    for hold in InstitutionHold.objects.filter(institution_id__in=institution_ids, released_at__isnull=True).order_by("pk"):
        holds.setdefault(hold.institution_id, hold)
    refused: dict[int, ClaimRefused] = {}
    for k in classes:
        if pack_for_division(k.division_id) is None:
            refused[k.pk] = ClaimRefused("该班级所在省份没有政策包，无法计算补贴。")
        elif k.institution_id in barred and (reason := institution_bar_reason(k.institution, "training")):
            refused[k.pk] = ClaimRefused(reason)
        elif k.institution_id in holds:
            refused[k.pk] = ClaimRefused(f"本机构的补贴申领已暂停：{holds[k.institution_id].reason}（{HOLD_CITATION}）")
        elif k.status not in CLAIMABLE_CLASS_STATUSES:
            refused[k.pk] = ClaimRefused("班级尚未结业，结业后方可申领补贴。")
    return refused


class LineRow:
    """One claim line's column values by attname (person_id, enrolment_id, …) and, until
    `explanations_store` gives it its explanation, its parameters and trace — what the set-based
    path writes, without a model instance per line (issue 10)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)


class _Person:
    """The person's fields a case and a refusal read (no encrypted columns to decrypt)."""

    __slots__ = ("pk", "name", "employment_status", "birth_date", "graduation_date")

    def __init__(self, pk, name, employment_status, birth_date, graduation_date):
        self.pk, self.name, self.employment_status = pk, name, employment_status
        self.birth_date, self.graduation_date = birth_date, graduation_date


class _Enrolment:
    """The enrolment's fields `facts.build_cases` reads, read as plain rows (one model instance
    per trainee, and one per person, cost more than deciding the trainee's case)."""

    __slots__ = ("pk", "training_class_id", "training_class", "person_id", "person", "enrolled_at")

    def __init__(self, pk, training_class, person, enrolled_at):
        self.pk, self.training_class_id, self.training_class = pk, training_class.pk, training_class
        self.person_id, self.person, self.enrolled_at = person.pk, person, enrolled_at


def _enrolments(classes: dict) -> list[_Enrolment]:
    rows = (Enrolment.objects.filter(training_class__in=list(classes), status=Enrolment.Status.COMPLETED).order_by("pk")
            .values_list("pk", "training_class_id", "enrolled_at", "person_id", "person__name", "person__employment_status",
                         "person__birth_date", "person__graduation_date"))
    return [_Enrolment(pk, classes[class_id], _Person(*person), enrolled_at)
            for pk, class_id, enrolled_at, *person in rows.iterator(chunk_size=5000)]


def lines_insert(lines: list) -> None:
    """Insert claim lines (ClaimLine instances or LineRow) without reading their ids back. On
    PostgreSQL through COPY (the lines' facts and reasons are JSON, and an INSERT with tens of
    thousands of bound parameters costs more than computing them; parameters and trace are shared,
    ClaimExplanation); elsewhere bulk_create. The JSON fields are serialised here; the other fields
    are plain values psycopg adapts itself (checked below, so a new field of another type cannot
    slip through unconverted)."""
    if connection.vendor != "postgresql":
        ClaimLine.objects.bulk_create([_instance(line) for line in lines], batch_size=INSERT_BATCH)
        return
    explanations_store(lines)  # parameters and trace: once per distinct decision (ClaimExplanation)
    fields = [f for f in ClaimLine._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(ClaimLine._meta.db_table)
    now = timezone.now()
    plain = (models.CharField, models.IntegerField, models.DateField, models.ForeignKey, models.DateTimeField)
    for f in fields:  # the fast conversions below are only right for these field types
        assert isinstance(f, (JSONField, *plain)), f
    # one encoder per JSON field, as json.dumps(value, cls=encoder, ensure_ascii=False) would build per call
    getters = [(f.attname, (f.encoder or json.JSONEncoder)(ensure_ascii=False).encode if isinstance(f, JSONField) else None)
               for f in fields]
    for line in lines:  # auto_now_add, as bulk_create would
        if line.__dict__.get("created_at") is None:
            line.__dict__["created_at"] = now
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for line in lines:
                row = line.__dict__
                copy.write_row([row[name] if encode is None else encode(row[name]) for name, encode in getters])


def _instance(line) -> ClaimLine:
    if isinstance(line, ClaimLine):
        return line
    values = dict(line.__dict__)
    parameters, trace = values.pop("_explanation")
    return ClaimLine(**values, parameters=parameters, trace=trace)


def claims_create_for_classes(classes, *, by, today: date | None = None,
                              chunk_trainees: int = DEFAULT_CHUNK_TRAINEES) -> BulkClaimResult:
    """Compute and submit the class claim (kind 'class') of every given class, set-based.
    A class that `claim_create_one` would refuse is refused here with the same message, and the
    others go on; the result names both."""
    today = today or timezone.localdate()
    classes = list({k.pk: k for k in classes}.values())
    sizes = dict(Enrolment.objects.filter(training_class__in=classes, status=Enrolment.Status.COMPLETED).order_by()
                 .values_list("training_class_id").annotate(n=Count("pk"))
                 .values_list("training_class_id", "n"))
    result = BulkClaimResult()
    cache: dict = {}  # the packs' parameters and deadlines per (province, date), for the whole run
    with collector_paused():
        for chunk in _chunks(classes, sizes, chunk_trainees):
            _chunk_create(chunk, by=by, today=today, result=result, cache=cache)
            cache.pop("decisions", None)  # the decisions of distinct cases: per chunk, to bound memory
    return result


def _chunk_create(classes: list, *, by, today: date, result: BulkClaimResult, cache: dict) -> None:
    kind, item = Claim.Kind.CLASS, ITEM_OF_KIND[Claim.Kind.CLASS]
    with transaction.atomic():
        refused = _class_refusals(classes)
        open_classes = [k for k in classes if k.pk not in refused]
        # Each class once (with its occupation and institution), not once per trainee; the enrolments
        # and persons as plain rows, without the persons' encrypted columns (not needed for a case).
        loaded = {k.pk: k for k in TrainingClass.objects.filter(pk__in=[k.pk for k in open_classes])
                  .select_related("occupation", "institution")}
        enrolments = _enrolments(loaded)
        by_class: dict[int, list] = defaultdict(list)
        for e in enrolments:
            by_class[e.training_class_id].append(e)
        existing = set(Claim.objects.filter(training_class__in=open_classes, kind=Claim.Kind.CLASS, stage=0)
                       .exclude(status=Claim.Status.REJECTED).values_list("training_class_id", flat=True))
        for k in open_classes:
            if not by_class.get(k.pk):
                refused[k.pk] = ClaimRefused("该班级没有可申领补贴的学员（须已结业）。")
            elif k.pk in existing:
                refused[k.pk] = ClaimRefused("该班级已提交过同类申请（订单式培训一单一结算），请勿重复申领。")
        lock_people(e.person_id for e in enrolments)
        province_of = {k.pk: str(k.division_id)[:2] + "0000" for k in open_classes}
        history = facts_module.history_by_province([e.person_id for e in enrolments], set(province_of.values()))
        cases = facts_module.build_cases(enrolments, history={}, set_based=True)
        cases_of: dict[int, list] = defaultdict(list)
        for cf in cases:
            cases_of[cf.enrolment.training_class_id].append(cf)
        del cases, enrolments, by_class
        claims, all_lines = [], []
        for k in open_classes:
            if k.pk in refused:
                continue
            province, k = province_of[k.pk], loaded[k.pk]
            claim = Claim(kind=kind, training_class=k, institution=k.institution, province_id=province, stage=0,
                          stage_end=None, budget_year=today.year, submitted_by=by)
            lines, names = [], []
            for cf in cases_of.pop(k.pk):
                e = cf.enrolment
                cf.case["history"] = list(history.get((e.person_id, province), ()))
                decision = decide(claim, cf, item, kind, today, cache)  # lines decided alike share its parameters and trace
                lines.append(LineRow({"claim_id": None, "person_id": e.person_id, "enrolment_id": e.pk,
                                      **line_values(claim, cf, decision, item, today), "explanation_id": None, "adjusts_id": None,
                                      "created_at": None, "_explanation": (decision["parameters"], decision["trace"])}))
                names.append(e.person.name)
            if not any(line.status == ClaimLine.Status.CLAIMED for line in lines):
                refused[k.pk] = nothing_to_claim((name, line.reasons) for name, line in zip(names, lines))
                continue
            for line in lines:  # the later classes of the chunk see these lines, as claim_create_one would
                if line.status in ACTIVE_STATUSES:
                    history[(line.person_id, province)].append({
                        "date": line.reference_date.isoformat(), "kind": line.item, "occupation_code": line.occupation_code,
                        "level": line.level, "amount_fen": line.amount_fen})
            claims.append((claim, lines))
        Claim.objects.bulk_create([claim for claim, _ in claims], batch_size=INSERT_BATCH)
        for claim, lines in claims:
            for line in lines:
                line.claim_id = claim.pk
            all_lines.extend(lines)
        lines_insert(all_lines)
        # One audit event per claim, as claim_create_one writes it, appended to the chain in one statement
        # (the chain head locked once per chunk, not once per claim).
        audit_record_many("subsidy.claim_submitted", [
            {"obj": claim, "after": {"kind": kind, "lines": len(lines), "total_fen": sum(
                line.amount_fen for line in lines if line.status == ClaimLine.Status.CLAIMED)},
             "division_code": str(claim.training_class.division_id), "organisation_id": claim.training_class.institution_id}
            for claim, lines in claims])
        result.claims.extend(claim for claim, _ in claims)
        result.refused.update(refused)
        result.lines += len(all_lines)
