"""Claims computed from facts, never typed: the province pack decides every line on the
training's dates, under a per-person lock, against every claim line in the province."""

from __future__ import annotations

import marshal
from datetime import date
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from dte.catalogue.selectors import institution_bar_reason
from dte.audit.services import audit_record
from dte.ops.sql import id_array, ids_in
from dte.catalogue.selectors import overrides_with_official_standards
from dte.policy.packs.common import yuan
from dte.policy.cases import CaseError, parse_case
from dte.policy.services import PolicyInputError, pack_for, pack_for_division, parameters_with
from dte.registry.models import Enrolment, TrainingClass

from .. import facts as facts_module
from ..models import ACTIVE_STATUSES, Claim, ClaimLine, InstitutionHold, PersonLock
from ..process import claim_deadline, pack_version

CLAIMABLE_CLASS_STATUSES = (TrainingClass.Status.COMPLETED, TrainingClass.Status.CLOSED)
ITEM_OF_KIND = {"class": "training_subsidy", "stage": "training_subsidy", "living_allowance": "living_allowance",
                "adjustment": "training_subsidy"}
HOLD_CITATION = "津人社办发〔2022〕94号 四(一)（已发放的由市人社局责令培训机构追回）"
STAGE_CITATION = "晋人社厅发〔2024〕27号 五(四)（项目制培训可分时段阶段性结算；最高每人不超过5000元）"


class ClaimRefused(Exception):
    def __init__(self, message: str, details: list[str] | None = None):
        self.message, self.details = message, details or []
        super().__init__(message + ("：" + "；".join(details) if details else ""))


def nothing_to_claim(named_reasons) -> ClaimRefused:
    """The refusal of a claim with no trainee to claim for, each trainee (name, line reasons) with
    why: the reasons that refuse or hold the line, or, where the pack only took the claimed item
    away (a 'reduce' reason, e.g. Tianjin's living allowance after its year), those."""
    details = []
    for name, reasons in islice(named_reasons, 20):
        why = [r["message"] for r in reasons if r["effect"] in ("refuse", "pending")]
        details.append(f"{name}：" + "；".join(why or [r["message"] for r in reasons if r["effect"] == "reduce"]))
    return ClaimRefused("没有可申领补贴的学员", details)


def lock_people(person_ids) -> None:
    """Take the per-person lock rows (created on first use), always in pk order."""
    ids = sorted(set(person_ids))
    if connection.vendor == "postgresql":  # the same INSERT bulk_create sends, without a model instance per person
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {PersonLock._meta.db_table} (person_id) SELECT unnest(%s::bigint[]) "
                           "ON CONFLICT DO NOTHING", [id_array(ids)])
    else:
        PersonLock.objects.bulk_create([PersonLock(person_id=i) for i in ids], ignore_conflicts=True)
    list(PersonLock.objects.select_for_update().filter(**ids_in("person_id", ids)).order_by("pk").values_list("pk", flat=True))


def _rules(province: str, on: date, cache: dict | None):
    """The pack, its parameters with the catalogue's entered standards, and the claim deadline for
    one province and date — built once per claim (not once per trainee)."""
    key = (province, on)
    if cache is not None and key in cache:
        return cache[key]
    pack = pack_for(province)
    found = (pack, parameters_with(pack, overrides_with_official_standards(province, on)), claim_deadline(province, on))
    if cache is not None:
        cache[key] = found
    return found


def _decision(pack, params, province: str, on: date, case: dict, cache: dict | None) -> dict:
    """The pack's decision on one case, as a dict. The rules are a pure function of the pack, its
    parameters, the date and the case, and the trainees of a class mostly share their facts, so
    with a cache (one claim, or one chunk of the set-based path) each distinct case is parsed and
    quoted once and its decision reused — the same reasons, parameters and trace as quoting it
    again (tests/test_claims_set_based.py). The key is the case's marshal bytes, which tell apart
    values that compare equal but differ in type (True and 1), so a hit is always the same case.
    The shared dict is read, never changed, by its users (evaluate copies the reasons list)."""
    if cache is None:
        return _quoted(pack, params, on, case)
    try:
        key = (province, on, marshal.dumps(case))
    except ValueError:  # not plain data: quote it afresh
        return _quoted(pack, params, on, case)
    decisions = cache.setdefault("decisions", {})
    data = decisions.get(key)
    if data is None:
        data = decisions[key] = _quoted(pack, params, on, case)
    return data


def _quoted(pack, params, on: date, case: dict) -> dict:
    """The decision as a dict, with the parameter values its trace used (each with its citation),
    picked once per decision: the lines decided alike share the one list, and so one
    ClaimExplanation, recognised by identity (models.explanations_store)."""
    data = pack.quote(parse_case(case), on=on, params=params).to_dict()
    data["parameters"] = [t for t in data["trace"] if "parameter" in t]
    return data


def evaluate(case_facts, training_class, item: str, today: date, cache: dict | None = None) -> dict:
    """One line's decision: the pack on the training's start date, with the catalogue's entered
    standards; the claim deadline (if the pack sets one) checked against `today`."""
    k = training_class
    province = str(k.division_id)[:2] + "0000"
    on = k.start_date
    try:
        pack, params, deadline = _rules(province, on, cache)
        data = _decision(pack, params, province, on, case_facts.case, cache)
    except (PolicyInputError, CaseError) as error:
        return {"eligible": False, "amount": 0, "payee": "", "onward": "", "pack": "", "reasons": [
            {"code": "CASE_INVALID", "message": str(error), "citation": "", "effect": "refuse"}], "trace": [], "parameters": [],
            "pending": False, "citation": ""}
    reasons = list(data["reasons"])
    # the pack's deadline names the items it binds (Tianjin: 附件4 一(二)'s 30 days, the training-fee claim only)
    if deadline is not None and deadline.binds(item) and deadline.anchor == "assessment_end" and case_facts.exam_date is not None:
        due = deadline.due(case_facts.exam_date)
        if today > due:
            reasons.append({"code": "CLAIM_DEADLINE_PASSED", "effect": "refuse", "citation": deadline.citation,
                            "message": f"考核日期 {case_facts.exam_date.isoformat()}，应在 {due.isoformat()} 前提出补贴申请，已逾期。"})
    chosen = [i for i in data["items"] if i["kind"] == item]
    refused = any(r["effect"] == "refuse" for r in reasons)
    pending = any(r["effect"] == "pending" for r in reasons)
    eligible = bool(chosen) and not refused and not pending
    first = chosen[0] if chosen else {}
    return {"eligible": eligible, "pending": pending and not refused, "amount": first.get("amount_fen", 0) if eligible else 0,
            "payee": first.get("payee", ""), "onward": first.get("onward_payee", "") or "", "pack": data["province"],
            "reasons": reasons, "trace": data["trace"], "parameters": data["parameters"],
            "citation": first.get("citation", "")}  # the pack's clause for the item (conditions checked beside it cite it)


def line_values(claim: Claim, cf, result: dict, item: str, today: date) -> dict:
    """A line's stored values from its decision (all but claim, person, enrolment and the shared
    parameters and trace): the one place both paths build them (`_line`, and the set-based path's
    rows, services/claims_bulk.py)."""
    k = claim.training_class
    status = ClaimLine.Status.CLAIMED if result["eligible"] else (
        ClaimLine.Status.PENDING if result["pending"] else ClaimLine.Status.REFUSED)
    return dict(
        item=item, occupation_code=k.occupation.code, level=k.level, amount_fen=result["amount"], payee=result["payee"],
        onward_payee=result["onward"], status=status, pack=result["pack"],
        pack_version=pack_version(result["pack"]) if result["pack"] else "", reference_date=k.start_date,
        facts={**cf.case, "exam_date": cf.exam_date.isoformat() if cf.exam_date else None, "computed_on": today.isoformat()},
        reasons=result["reasons"],
    )


def _line(claim: Claim, cf, result: dict, item: str, today: date, **extra) -> ClaimLine:
    return ClaimLine(claim=claim, person=cf.enrolment.person, enrolment=cf.enrolment, **line_values(claim, cf, result, item, today),
                     parameters=result["parameters"], trace=result["trace"], **extra)


def _refuse_if_held(institution) -> None:
    if barred := institution_bar_reason(institution, "training"):  # suspended or removed: no claims at all
        raise ClaimRefused(barred)
    hold = InstitutionHold.objects.filter(institution=institution, released_at__isnull=True).first()
    if hold is not None:
        raise ClaimRefused(f"本机构的补贴申领已暂停：{hold.reason}（{HOLD_CITATION}）")


def claim_create(*, training_class: TrainingClass, kind: str, by, stage_end: date | None = None,
                 today: date | None = None) -> Claim:
    """Compute and submit a claim. Refuses (ClaimRefused, in Chinese with the clause) when the
    class is not finished, the institution is held, or no trainee can be claimed for. A class claim
    takes the set-based path (services/claims_bulk.py) for its one class: the web UI, the API and a
    run over thousands of classes share one code path, refusals and messages included."""
    today = today or timezone.localdate()
    if kind == Claim.Kind.CLASS:  # one code path with the claims of many classes (same checks, messages, audit)
        from .claims_bulk import claims_create_for_classes

        result = claims_create_for_classes([training_class], by=by, today=today)
        if training_class.pk in result.refused:
            raise result.refused[training_class.pk]
        return result.claims[0]
    return claim_create_one(training_class=training_class, kind=kind, by=by, stage_end=stage_end, today=today)


def claim_create_one(*, training_class: TrainingClass, kind: str, by, stage_end: date | None = None, today: date) -> Claim:
    """A claim computed for one class on its own: project stages and living allowances, and for
    class claims the reference the set-based path is proved equal to (tests/test_claims_set_based.py)."""
    k = training_class
    pack = pack_for_division(k.division_id)
    if pack is None:
        raise ClaimRefused("该班级所在省份没有政策包，无法计算补贴。")
    _refuse_if_held(k.institution)
    stage = 0
    if kind == Claim.Kind.STAGE:
        if k.mode != TrainingClass.Mode.PROJECT or "project" not in (pack.parameters.bind(k.start_date).get("settlement") or {}):
            raise ClaimRefused(f"只有项目制培训可分阶段结算（{STAGE_CITATION}）。")
        if stage_end is None or not (k.start_date <= stage_end <= k.end_date) or stage_end > today:
            raise ClaimRefused("阶段结算须给出培训期内、今天之前的阶段截止日期。")
        stage = Claim.objects.filter(training_class=k, kind=kind).exclude(status=Claim.Status.REJECTED).count() + 1
    elif k.status not in CLAIMABLE_CLASS_STATUSES:
        raise ClaimRefused("班级尚未结业，结业后方可申领补贴。")
    if kind == Claim.Kind.LIVING_ALLOWANCE:
        if "living_allowance_fen" not in pack.parameters or not pack.parameters.bind(k.start_date).get("living_allowance_fen"):
            raise ClaimRefused(f"{pack.name}政策未设生活费补贴。")
    item = ITEM_OF_KIND[kind]
    statuses = (Enrolment.Status.COMPLETED,) if kind != Claim.Kind.STAGE else (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
    enrolments = list(k.enrolments.filter(status__in=statuses).select_related("person", "training_class__occupation",
                                                                              "training_class__institution").order_by("pk"))
    if not enrolments:
        raise ClaimRefused("该班级没有可申领补贴的学员（须已结业）。")
    with transaction.atomic():
        if Claim.objects.filter(training_class=k, kind=kind, stage=stage).exclude(status=Claim.Status.REJECTED).exists():
            raise ClaimRefused("该班级已提交过同类申请（订单式培训一单一结算），请勿重复申领。")
        lock_people(e.person_id for e in enrolments)
        province = str(k.division_id)[:2] + "0000"
        # A living allowance accompanies the class's own training subsidy, and a project stage continues
        # the class's earlier stages: neither is "earlier history" of the person.
        same_training = kind in (Claim.Kind.LIVING_ALLOWANCE, Claim.Kind.STAGE)
        history = facts_module.history_for_people([e.person_id for e in enrolments], province,
                                                  exclude_class_id=k.pk if same_training else None)
        # The living allowance's application date goes into the case: the pack's own rule judges its
        # window (Tianjin 三(四) “可以在一年内申请”, rules.living_allowance_refused). The training-fee
        # claims are decided on the training's dates and the pack's claim deadline (evaluate).
        cases = facts_module.build_cases(enrolments, stage_end=stage_end if kind == Claim.Kind.STAGE else None, history=history,
                                         claim_date=today if kind == Claim.Kind.LIVING_ALLOWANCE else None)
        claim = Claim(kind=kind, training_class=k, institution=k.institution, province_id=province, stage=stage,
                      stage_end=stage_end, budget_year=today.year, submitted_by=by)
        cache: dict = {}
        lines = [_decide(claim, cf, item, kind, today, cache) for cf in cases]
        if not any(line.status == ClaimLine.Status.CLAIMED for line in lines):
            raise nothing_to_claim((line.person.name, line.reasons) for line in lines)
        claim.save()
        for line in lines:
            line.claim = claim
        ClaimLine.objects.bulk_create(lines)
        total = sum(line.amount_fen for line in lines if line.status == ClaimLine.Status.CLAIMED)
        audit_record("subsidy.claim_submitted", obj=claim, after={"kind": kind, "lines": len(lines), "total_fen": total},
                     division_code=str(k.division_id), organisation_id=k.institution_id)
    return claim


def _decide(claim: Claim, cf, item: str, kind: str, today: date, cache: dict | None = None) -> ClaimLine:
    return _line(claim, cf, decide(claim, cf, item, kind, today, cache), item, today)


def decide(claim: Claim, cf, item: str, kind: str, today: date, cache: dict | None = None) -> dict:
    """One line's decision (evaluate's result) with the conditions of its kind of claim."""
    result = evaluate(cf, claim.training_class, item, today, cache)
    if kind == Claim.Kind.LIVING_ALLOWANCE and result["eligible"]:
        result = _living_allowance_conditions(cf, claim.training_class, result)
    if kind == Claim.Kind.STAGE and result["eligible"]:
        earlier = sum(ClaimLine.objects.filter(claim__training_class=claim.training_class, claim__kind=Claim.Kind.STAGE,
                                               person=cf.enrolment.person, status__in=ACTIVE_STATUSES)
                      .values_list("amount_fen", flat=True))
        result["amount"] = max(result["amount"] - earlier, 0)
        result["reasons"].append({"code": "STAGE_SETTLEMENT", "effect": "info", "citation": STAGE_CITATION,
                                  "message": f"截至 {claim.stage_end.isoformat()} 累计应补 {yuan(result['amount'] + earlier)} 元，"
                                             f"此前阶段已申领 {yuan(earlier)} 元，本阶段 {yuan(result['amount'])} 元。"})
        if result["amount"] == 0:
            result["eligible"] = False
    return result


def _living_allowance_conditions(cf, k, result: dict) -> dict:
    """在享受培训费补贴同时 — the person must have an active training-subsidy line for this class —
    and one living allowance per subsidised training (the pack's reading of 一次性). A refusal cites the
    clause the province's pack gives the allowance (Tianjin: 津人社办发〔2022〕94号 三(四), parameter
    living_allowance_fen); lines stored earlier keep the citation they were decided with."""
    person = cf.enrolment.person
    base = ClaimLine.objects.filter(person=person, claim__training_class=k, item="training_subsidy", status__in=ACTIVE_STATUSES)
    again = ClaimLine.objects.filter(person=person, claim__training_class=k, item="living_allowance", status__in=ACTIVE_STATUSES)
    problem = None
    if not base.exists():
        problem = ("LIVING_ALLOWANCE_WITHOUT_TRAINING_SUBSIDY", "该学员本次培训未申领培训费补贴，生活费补贴须在享受培训费补贴的同时申请。")
    elif again.exists():
        problem = ("LIVING_ALLOWANCE_ALREADY_CLAIMED", "该学员本次培训已申领一次性生活费补贴。")
    if problem:
        result = {**result, "eligible": False, "amount": 0,
                  "reasons": [*result["reasons"], {"code": problem[0], "message": problem[1], "citation": result["citation"],
                                                   "effect": "refuse"}]}
    return result


def active_lines_of_person(person, province_code: str):
    return ClaimLine.objects.filter(person=person, claim__province_id=province_code, status__in=ACTIVE_STATUSES)
