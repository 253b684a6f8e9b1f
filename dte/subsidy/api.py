"""Subsidy API (issue 10): claims (list, detail, submit), review decisions, the public publicity
list, payment batches (status, create, submit, bank result) and ledger balances — all scoped to
the caller's jurisdiction or organisation, with the platform's error shape {code, message, field,
errors} and Idempotency-Key on every write (dte/api.py). The rules stay in the services: a step
refused there (segregation of duties, budget, publicity, a bad bank file …) is a 422 whose message
is the service's, in Chinese with its clause. Paying twice is impossible on three levels: the same
Idempotency-Key replays the first answer; a batch already submitted stays as it is
(payments.batch_submit); the same bank result file applies once (payments.result_import)."""


from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.privacy.idnumber import mask_id_number
from dte.registry.models import TrainingClass
from dte.web.pagination import BoundedPageNumberPagination

from . import selectors
from .models import Claim, LedgerEntry, PaymentBatch
from .services import payments, review
from .services.claims import ClaimRefused, claim_create

router = Router(tags=["subsidy"])
ClaimStatus = Literal[tuple(Claim.Status.values)]
OFFICIAL_ROLES = review.REVIEW_ROLES + review.FINANCE_ROLES + (Role.AUDITOR,)


def _refused(error: Exception):
    """A service's refusal as the platform's 422 (its message, with the clause it cites)."""
    message = getattr(error, "message", None) or str(error)
    details = getattr(error, "details", None) or []
    report = getattr(error, "report", None) or []
    if details:
        message += "：" + "；".join(details)
    if report:  # the bank file's per-row report, in the platform's errors list
        raise _RowsRefused(message, [{"field": f"file:row {r.get('row')}", "message": r.get("error", "")} for r in report])
    raise HttpError(422, message)


class _RowsRefused(HttpError):
    def __init__(self, message: str, rows: list[dict]):
        super().__init__(422, message)
        self.errors = rows


class ClaimOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    class_id: int
    class_title: str
    institution_id: int
    institution: str
    province: str
    budget_year: int
    stage: int
    lines: int
    amount_fen: int
    publicity_until: date | None
    review_comment: str


class LineOut(Schema):
    id: int
    name: str
    id_number: str  # masked
    item: str
    amount_fen: int
    payee: str
    onward_payee: str
    status: str
    status_label: str
    pack: str
    pack_version: str
    reference_date: date
    reasons: list[dict]
    parameters: list[dict]


class ClaimDetailOut(ClaimOut):
    budget: dict
    items: list[LineOut]


class ClaimIn(Schema):
    kind: Literal["class", "stage", "living_allowance"] = "class"
    stage_end: date | None = None


class DecisionIn(Schema):
    decision: Literal["approve", "return", "resubmit", "authorise", "release"]
    comment: str = Field("", max_length=2000)


class PublicityOut(Schema):
    line_id: int
    name: str
    id_number: str
    institution: str
    occupation: str
    level: str
    amount_fen: int
    publicity_until: date
    held: bool


class BatchOut(Schema):
    id: int
    reference: str
    province: str
    status: str
    status_label: str
    control_count: int
    control_total_fen: int
    follow_up_of: int | None
    totals: dict


class BatchIn(Schema):
    follow_up_of: int | None = None


class ResultOut(Schema):
    batch: BatchOut
    already_applied: bool
    paid: int
    failed: int


class BalanceOut(Schema):
    accounts: dict[str, int]
    budget: dict | None = None


def _claim_out(claim: Claim, lines: int | None = None, amount: int | None = None) -> dict:
    if lines is None or amount is None:
        active = claim.lines.filter(status__in=review.COMMITTED + ("claimed",))
        lines, amount = active.count(), active.aggregate(s=Sum("amount_fen"))["s"] or 0
    return dict(id=claim.pk, kind=claim.kind, status=claim.status, status_label=str(claim.get_status_display()),
                class_id=claim.training_class_id, class_title=claim.training_class.title, institution_id=claim.institution_id,
                institution=claim.institution.name, province=claim.province_id, budget_year=claim.budget_year, stage=claim.stage,
                lines=lines, amount_fen=amount or 0, publicity_until=claim.publicity_until, review_comment=claim.review_comment)


def _batch_out(batch: PaymentBatch) -> dict:
    return dict(id=batch.pk, reference=batch.reference, province=batch.province_id, status=batch.status,
                status_label=str(batch.get_status_display()), control_count=batch.control_count,
                control_total_fen=batch.control_total_fen, follow_up_of=batch.follow_up_of_id, totals=payments.batch_totals(batch))


def _official(user) -> str:
    """The caller's province, for officials (bureau, finance, auditor) only."""
    if not (user.is_platform_admin or user.role in OFFICIAL_ROLES) or user.organisation is None:
        raise PermissionDenied(_("Only human-resources officials, finance officers and auditors may view this"))
    return str(user.organisation.division_id)[:2] + "0000"


@router.get("/claims", response=list[ClaimOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def api_claims(request, status: ClaimStatus | None = None):
    """Claims within the caller's scope (an institution sees its own; a bureau its jurisdiction)."""
    rows = selectors.claims_for(request.user, status).order_by("-pk")
    return [_claim_out(c, c.line_count, c.amount_fen) for c in rows]


@router.get("/claims/{claim_id}", response=ClaimDetailOut)
def api_claim(request, claim_id: int):
    claim = get_scoped_or_404(request.user, Claim.objects.select_related("training_class", "institution"), pk=claim_id)
    lines = claim.lines.select_related("person", "explanation").order_by("pk")
    items = [LineOut(id=x.pk, name=x.person.name, id_number=mask_id_number(x.person.id_number), item=x.item, amount_fen=x.amount_fen,
                     payee=x.payee, onward_payee=x.onward_payee, status=x.status, status_label=str(x.get_status_display()),
                     pack=x.pack, pack_version=x.pack_version, reference_date=x.reference_date, reasons=x.reasons,
                     parameters=x.parameters) for x in lines]
    return {**_claim_out(claim), "budget": review.budget_status(claim.province_id, claim.budget_year), "items": items}


@router.post("/classes/{class_id}/claims", response={201: ClaimOut})
def api_claim_submit(request, class_id: int, payload: ClaimIn):
    """The training institution submits a claim computed from the facts (never typed)."""
    if not (request.user.is_platform_admin or request.user.role == Role.TRAINING_STAFF):
        raise PermissionDenied(_("Only the training institution's staff may claim"))
    k = get_scoped_or_404(request.user, TrainingClass.objects.select_related("institution"), write=True, pk=class_id)
    try:
        claim = claim_create(training_class=k, kind=payload.kind, by=request.user, stage_end=payload.stage_end)
    except ClaimRefused as error:
        _refused(error)
    return Status(201, _claim_out(claim))


@router.post("/claims/{claim_id}/decisions", response=ClaimOut)
def api_claim_decision(request, claim_id: int, payload: DecisionIn):
    """Review (approve / return with comments), resubmission, finance authorisation, release for
    payment. The service refuses a second step by the same person and an approval over budget."""
    claim = get_scoped_or_404(request.user, Claim.objects.select_related("training_class", "institution"), write=True, pk=claim_id)
    user = request.user
    if payload.decision == "resubmit" and not (user.is_platform_admin or user.organisation_id == claim.institution_id):
        raise PermissionDenied(_("Only the claiming institution may resubmit"))
    steps = {
        "approve": lambda: review.claim_approve(claim, by=user),
        "return": lambda: review.claim_return(claim, by=user, comment=payload.comment),
        "resubmit": lambda: review.claim_resubmit(claim, by=user),
        "authorise": lambda: review.claim_authorise(claim, by=user),
        "release": lambda: review.claim_release(claim, by=user),
    }
    try:
        claim = steps[payload.decision]()
    except review.ReviewRefused as error:
        _refused(error)
    claim = Claim.objects.select_related("training_class", "institution").get(pk=claim.pk)
    return _claim_out(claim)


@router.get("/publicity", response=list[PublicityOut], auth=None)
@paginate(BoundedPageNumberPagination, page_size=100)
def api_publicity(request):
    """Public: the approved lists during publicity, names and ID numbers masked (津人社办发〔2022〕94号
    附件4 一(三)、二(二)). Objections go through the public form at /subsidy/publicity/."""
    return [PublicityOut(line_id=x.pk, name=x.person.name[:1] + "*" * max(len(x.person.name) - 1, 1),
                         id_number=mask_id_number(x.person.id_number), institution=x.claim.institution.name,
                         occupation=x.claim.training_class.occupation.name, level=str(x.claim.training_class.get_level_display()),
                         amount_fen=x.amount_fen, publicity_until=x.claim.publicity_until, held=x.status == "held")
            for x in selectors.publicity_lines()]


@router.get("/batches", response=list[BatchOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def api_batches(request):
    return [_batch_out(b) for b in selectors.batches_for(request.user)]


@router.get("/batches/{batch_id}", response=BatchOut)
def api_batch(request, batch_id: int):
    return _batch_out(get_scoped_or_404(request.user, PaymentBatch.objects.all(), pk=batch_id))


def _finance(user) -> str:
    if not (user.is_platform_admin or user.role in review.FINANCE_ROLES) or user.organisation is None:
        raise PermissionDenied(_("Only finance officers may make payments"))
    return str(user.organisation.division_id)[:2] + "0000"


@router.post("/batches", response={201: BatchOut})
def api_batch_create(request, payload: BatchIn):
    """A batch of the released lines of the caller's province, or a follow-up of an earlier
    batch's failed lines; the control totals are fixed now."""
    province = _finance(request.user)
    earlier = get_scoped_or_404(request.user, PaymentBatch.objects.all(), write=True, pk=payload.follow_up_of) \
        if payload.follow_up_of else None
    try:
        batch = payments.batch_create(province_code=province, by=request.user, follow_up_of=earlier)
    except payments.PaymentRefused as error:
        _refused(error)
    return Status(201, _batch_out(batch))


@router.post("/batches/{batch_id}/submit", response=BatchOut)
def api_batch_submit(request, batch_id: int):
    """Send the batch to the bank. Pressing twice (or two officials at once) submits once."""
    _finance(request.user)
    batch = get_scoped_or_404(request.user, PaymentBatch.objects.all(), write=True, pk=batch_id)
    return _batch_out(payments.batch_submit(batch, by=request.user))


@router.post("/batches/{batch_id}/result", response=ResultOut)
def api_batch_result(request, batch_id: int, file: File[UploadedFile]):
    """The bank's result file (layout: dte/subsidy/services/payments.py). A bad file is refused
    whole with its per-row report; the same file twice applies once (already_applied: true)."""
    _finance(request.user)
    batch = get_scoped_or_404(request.user, PaymentBatch.objects.all(), write=True, pk=batch_id)
    try:
        outcome = payments.result_import(batch, file.read(), filename=file.name or "result.csv", by=request.user)
    except payments.PaymentRefused as error:
        _refused(error)
    batch.refresh_from_db()
    return ResultOut(batch=_batch_out(batch), already_applied=outcome.already_applied, paid=outcome.paid, failed=outcome.failed)


@router.get("/ledger/balance", response=BalanceOut)
def api_ledger_balance(request, claim_id: int | None = None, institution_id: int | None = None, budget_year: int | None = None):
    """Ledger balances (fen per account; expense + payable + bank = 0) of one claim, of one
    institution, or of the caller's province for a budget year (with the budget and what remains)."""
    entries = LedgerEntry.objects.all()
    budget = None
    if claim_id is not None:
        claim = get_scoped_or_404(request.user, Claim.objects.all(), pk=claim_id)
        entries = entries.filter(transaction__line__claim=claim)
    elif institution_id is not None:
        if not scoped(request.user, Claim.objects.filter(institution_id=institution_id)).exists():
            raise HttpError(404, _("Not found within your scope"))
        entries = entries.filter(transaction__institution_id=institution_id)
        if budget_year is not None:
            entries = entries.filter(transaction__budget_year=budget_year)
    elif budget_year is not None:
        province = _official(request.user)
        entries = entries.filter(transaction__province_id=province, transaction__budget_year=budget_year)
        budget = review.budget_status(province, budget_year)
    else:
        raise HttpError(422, _("Give claim_id, institution_id or budget_year"))
    accounts = {r["account"]: r["total"] for r in entries.values("account").annotate(total=Sum("amount_fen")).order_by("account")}
    return BalanceOut(accounts=accounts, budget=budget)
