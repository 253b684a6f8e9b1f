"""Review with segregation of duties, the budget, and publicity with objections.

Steps on a claim: bureau review (return with comments, or approve — publicity starts) →
finance authorisation (after publicity) → release for payment. No user may take two of these
steps on the same claim (four-eyes; 津人社办发〔2022〕94号 五(一) 严格资金发放程序, 附件4 一(三)、二(二)).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dte.audit.services import audit_record
from dte.organisations.roles import Role

from ..models import Budget, Claim, ClaimLine, Objection
from ..process import period
from . import ledger

REVIEW_ROLES = (Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER)
FINANCE_ROLES = (Role.FINANCE_OFFICER,)
COMMITTED = ("approved", "held", "authorised", "released", "in_batch", "paid", "failed")
REVIEW_CITATION = "津人社办发〔2022〕94号 附件4 一(三)（市人社局对补贴申请进行审核、汇总、公示，按程序拨付）"


class ReviewRefused(Exception):
    pass


def _require(user, roles, what: str) -> None:
    if not (user.is_platform_admin or user.role in roles):
        raise ReviewRefused(f"您的角色不能{what}。")


def _segregation(claim: Claim, user, step: str) -> None:
    taken = {"review": claim.reviewed_by_id, "authorise": claim.authorised_by_id, "release": claim.released_by_id}
    for other, user_id in taken.items():
        if other != step and user_id == user.pk:
            raise ReviewRefused("同一人员不得在同一申请上办理两个环节（审核、财务授权、拨付放行须由不同人员办理）。")


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("training_class").get(pk=claim.pk)


def budget_status(province_code: str, year: int) -> dict:
    """Budget, committed (approved and beyond, net of recoveries is not counted back) and remaining."""
    budget = Budget.objects.filter(province_id=province_code, year=year).first()
    committed = ClaimLine.objects.filter(claim__province_id=province_code, claim__budget_year=year,
                                         status__in=COMMITTED).aggregate(s=Sum("amount_fen"))["s"] or 0
    amount = budget.amount_fen if budget else None
    return {"budget_fen": amount, "committed_fen": committed, "remaining_fen": None if amount is None else amount - committed}


def claim_return(claim: Claim, *, by, comment: str) -> Claim:
    _require(by, REVIEW_ROLES, "审核补贴申请")
    if not comment.strip():
        raise ReviewRefused("退回须填写意见。")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != Claim.Status.SUBMITTED:
            raise ReviewRefused("只有待审核的申请可以退回。")
        _segregation(claim, by, "review")
        claim.status, claim.review_comment, claim.reviewed_by = Claim.Status.RETURNED, comment, by
        claim.save(update_fields=["status", "review_comment", "reviewed_by"])
        audit_record("subsidy.claim_returned", obj=claim, after={"comment": comment}, division_code=claim.province_id)
    return claim


def claim_resubmit(claim: Claim, *, by) -> Claim:
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != Claim.Status.RETURNED:
            raise ReviewRefused("只有被退回的申请可以重新提交。")
        claim.status, claim.reviewed_by = Claim.Status.SUBMITTED, None
        claim.save(update_fields=["status", "reviewed_by"])
        audit_record("subsidy.claim_resubmitted", obj=claim, division_code=claim.province_id)
    return claim


def claim_approve(claim: Claim, *, by, today: date | None = None) -> Claim:
    """Bureau approval: refused if it would exceed the year's budget; publicity starts."""
    _require(by, REVIEW_ROLES, "审核补贴申请")
    today = today or timezone.localdate()
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != Claim.Status.SUBMITTED:
            raise ReviewRefused("只有待审核的申请可以批准。")
        _segregation(claim, by, "review")
        budget = Budget.objects.select_for_update().filter(province_id=claim.province_id, year=claim.budget_year).first()
        if budget is None:
            raise ReviewRefused(f"{claim.budget_year} 年度补贴资金预算尚未录入，不能批准（津人社办发〔2022〕94号 五(一)）。")
        lines = claim.lines.filter(status=ClaimLine.Status.CLAIMED)
        total = lines.aggregate(s=Sum("amount_fen"))["s"] or 0
        status = budget_status(claim.province_id, claim.budget_year)
        if total > status["remaining_fen"]:
            raise ReviewRefused(f"本申请 ¥{total / 100:,.2f} 超过 {claim.budget_year} 年度预算余额 ¥{status['remaining_fen'] / 100:,.2f}，不能批准。")
        publicity = period(claim.province_id, "publicity_period", claim.training_class.start_date)
        lines.update(status=ClaimLine.Status.APPROVED)
        claim.status, claim.reviewed_by, claim.approved_at = Claim.Status.APPROVED, by, timezone.now()
        claim.publicity_until = publicity.end(today)
        claim.save(update_fields=["status", "reviewed_by", "approved_at", "publicity_until"])
        audit_record("subsidy.claim_approved", obj=claim, after={"total_fen": total, "publicity_until": claim.publicity_until.isoformat()},
                     division_code=claim.province_id)
    return claim


def claim_authorise(claim: Claim, *, by, today: date | None = None) -> Claim:
    """Finance authorisation of the approved lines once publicity has ended (held lines wait);
    posts Dr expense / Cr payable per line."""
    _require(by, FINANCE_ROLES, "办理财务授权")
    today = today or timezone.localdate()
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status not in (Claim.Status.APPROVED, Claim.Status.AUTHORISED, Claim.Status.RELEASED):
            raise ReviewRefused("只有已审核通过的申请可以授权。")
        if claim.publicity_until and today <= claim.publicity_until:
            raise ReviewRefused(f"公示期至 {claim.publicity_until.isoformat()}，公示期满后方可授权。")
        _segregation(claim, by, "authorise")
        lines = list(claim.lines.select_for_update().filter(status=ClaimLine.Status.APPROVED).order_by("pk"))
        if not lines:
            raise ReviewRefused("没有待授权的补贴明细。")
        for line in lines:
            ledger.post("authorise", f"authorise:{line.pk}", line=line, amount_fen=line.amount_fen, debit="expense",
                        credit="payable", memo=f"授权 {claim.pk}/{line.pk}", by=by)
        ClaimLine.objects.filter(pk__in=[x.pk for x in lines]).update(status=ClaimLine.Status.AUTHORISED)
        if claim.authorised_by_id is None:
            claim.authorised_by = by
        claim.status = Claim.Status.AUTHORISED if claim.status == Claim.Status.APPROVED else claim.status
        claim.save(update_fields=["status", "authorised_by"])
        audit_record("subsidy.claim_authorised", obj=claim, after={"lines": len(lines)}, division_code=claim.province_id)
    return claim


def claim_release(claim: Claim, *, by) -> Claim:
    _require(by, FINANCE_ROLES, "放行拨付")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status not in (Claim.Status.AUTHORISED, Claim.Status.RELEASED):
            raise ReviewRefused("只有已授权的申请可以放行拨付。")
        _segregation(claim, by, "release")
        if claim.authorised_by_id == by.pk:
            raise ReviewRefused("同一人员不得在同一申请上办理两个环节（审核、财务授权、拨付放行须由不同人员办理）。")
        count = claim.lines.filter(status=ClaimLine.Status.AUTHORISED).update(status=ClaimLine.Status.RELEASED)
        if not count:
            raise ReviewRefused("没有待放行的补贴明细。")
        if claim.released_by_id is None:
            claim.released_by = by
        claim.status = Claim.Status.RELEASED
        claim.save(update_fields=["status", "released_by"])
        audit_record("subsidy.claim_released", obj=claim, after={"lines": count}, division_code=claim.province_id)
    return claim


# --- publicity ------------------------------------------------------------------------------


def objection_open(line_id: int, *, text: str, contact: str = "", today: date | None = None) -> Objection:
    """A public objection during publicity: holds only that person's line."""
    today = today or timezone.localdate()
    if not text.strip():
        raise ReviewRefused("请填写异议内容。")
    with transaction.atomic():
        line = ClaimLine.objects.select_for_update().select_related("claim").get(pk=line_id)
        claim = line.claim
        if claim.publicity_until is None or today > claim.publicity_until or line.status not in (
                ClaimLine.Status.APPROVED, ClaimLine.Status.HELD):
            raise ReviewRefused("该名单不在公示期内，不能提出异议。")
        objection = Objection.objects.create(line=line, text=text.strip()[:2000], contact=contact[:64],
                                             previous_line_status=ClaimLine.Status.APPROVED)
        line.status = ClaimLine.Status.HELD
        line.save(update_fields=["status"])
        audit_record("subsidy.objection_opened", obj=objection, division_code=claim.province_id)
    return objection


def objection_resolve(objection: Objection, *, by, upheld: bool, resolution: str) -> Objection:
    _require(by, REVIEW_ROLES, "处理公示异议")
    with transaction.atomic():
        objection = Objection.objects.select_for_update().select_related("line__claim").get(pk=objection.pk)
        if objection.status != Objection.Status.OPEN:
            raise ReviewRefused("该异议已处理。")
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        objection.resolution, objection.resolved_by = resolution, by
        objection.save(update_fields=["status", "resolution", "resolved_by"])
        line = objection.line
        still_open = line.objections.filter(status=Objection.Status.OPEN).exists()
        if upheld:
            line.status = ClaimLine.Status.REJECTED
        elif not still_open:
            line.status = objection.previous_line_status
        line.save(update_fields=["status"])
        audit_record("subsidy.objection_resolved", obj=objection, after={"upheld": upheld, "line_status": line.status},
                     division_code=line.claim.province_id)
    return objection


def budget_set(province_code: str | None, year: int, amount_fen: int, *, by, basis: str = "") -> Budget:
    """Enter or change a province's budget for a year; it may not fall below what is committed."""
    _require(by, REVIEW_ROLES + FINANCE_ROLES, "录入预算")
    if not province_code or not (2000 <= year <= 2100) or amount_fen < 0:
        raise ReviewRefused("请填写正确的年度和金额。")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(province_id=province_code, year=year).first()
        committed = budget_status(province_code, year)["committed_fen"]
        if amount_fen < committed:
            raise ReviewRefused(f"预算不能低于已批准的 ¥{committed / 100:,.2f}。")
        before = {"amount_fen": budget.amount_fen} if budget else None
        budget = budget or Budget(province_id=province_code, year=year)
        budget.amount_fen, budget.basis = amount_fen, basis[:200]
        budget.save()
        audit_record("subsidy.budget_set", obj=budget, before=before, after={"amount_fen": amount_fen, "basis": basis},
                     division_code=province_code)
    return budget
