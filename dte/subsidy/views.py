"""Thin web views of the money path: the finance officer's day, claims and their review, batches,
recoveries, the public publicity list with its objection form. Every list exports to Excel."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.policy.packs.common import money
from dte.privacy.idnumber import mask_id_number
from dte.privacy.spreadsheet import safe_row
from dte.registry.models import TrainingClass

from . import selectors
from .models import Budget, Claim, ClaimLine, PaymentBatch, Recovery
from .services import payments, review
from .services.claims import ClaimRefused, claim_create
from .services.recovery import recovery_open, recovery_repaid

REFUSALS = (ClaimRefused, review.ReviewRefused, payments.PaymentRefused)


def yuan(fen) -> str:
    return money(fen or 0)


def xlsx_response(filename: str, header: list[str], rows) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _province(user) -> str | None:
    org = getattr(user, "organisation", None)
    return str(org.division_id)[:2] + "0000" if org is not None and org.division_id else None


@login_required
def home(request):
    user, today = request.user, timezone.localdate()
    province = _province(user)
    budgets = scoped(user, Budget.objects.all()).order_by("-year")[:5]
    context = {
        "to_review": selectors.claims_for(user, Claim.Status.SUBMITTED)[:50],
        "to_authorise": selectors.claims_for(user, Claim.Status.APPROVED)[:50],
        "to_release": selectors.claims_for(user, Claim.Status.AUTHORISED)[:50],
        "budgets": [(b, review.budget_status(b.province_id, b.year)) for b in budgets],
        "batches": selectors.batches_for(user)[:20],
        "recoveries": selectors.recoveries_for(user, Recovery.Status.OPEN)[:20],
        "onward": selectors.onward_overdue(today, scoped(user, ClaimLine.objects.filter(status="paid", onward_payee="person"))),
        "province": province, "today": today,
    }
    return render(request, "subsidy/home.html", context)


@login_required
def claims(request):
    rows = selectors.claims_for(request.user, request.GET.get("status") or None)
    if request.GET.get("format") == "xlsx":
        return xlsx_response("claims", [_("Claim"), _("Kind"), _("Class"), _("Institution"), _("Status"), _("Lines"), _("Amount (yuan)")],
                             ([c.pk, c.get_kind_display(), c.training_class.title, c.institution.name, c.get_status_display(),
                               c.line_count, (c.amount_fen or 0) / 100] for c in rows))
    return render(request, "subsidy/claims.html", {"claims": rows[:500], "statuses": Claim.Status.choices,
                                                   "status": request.GET.get("status", "")})


@login_required
def claim_new(request, class_id: int):
    k = get_scoped_or_404(request.user, TrainingClass.objects.all(), write=True, pk=class_id)
    if request.method == "POST":
        try:
            claim = claim_create(training_class=k, kind=request.POST.get("kind", "class"), by=request.user,
                                 stage_end=_date(request.POST.get("stage_end")))
        except ClaimRefused as refused:
            return render(request, "subsidy/claim_new.html", {"tc": k, "error": refused.message, "details": refused.details,
                                                              "kinds": Claim.Kind.choices[:3]}, status=422)
        messages.success(request, _("Claim submitted."))
        return redirect("subsidy:claim", claim.pk)
    return render(request, "subsidy/claim_new.html", {"tc": k, "kinds": Claim.Kind.choices[:3]})


def _date(text):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@login_required
def claim_detail(request, pk: int):
    claim = get_scoped_or_404(request.user, Claim.objects.select_related("training_class__occupation", "institution"), pk=pk)
    lines = claim.lines.select_related("person", "explanation").order_by("pk")
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"claim-{claim.pk}", [_("Line"), _("Name"), _("ID number"), _("Item"), _("Amount (yuan)"), _("Payee"),
                                                   _("Status"), _("Reasons"), _("Pack version")],
                             ([x.pk, x.person.name, mask_id_number(x.person.id_number), x.item, x.amount_fen / 100, x.payee,
                               x.get_status_display(), "；".join(f"{r['message']}（{r['citation']}）" for r in x.reasons),
                               x.pack_version] for x in lines))
    return render(request, "subsidy/claim.html", {
        "claim": claim, "lines": lines, "budget": review.budget_status(claim.province_id, claim.budget_year),
        "total": yuan(sum(x.amount_fen for x in lines if x.status not in ("refused", "pending", "rejected", "superseded")))})


@login_required
@require_POST
def claim_action(request, pk: int, action: str):
    claim = get_scoped_or_404(request.user, Claim.objects.all(), write=True, pk=pk)
    steps = {
        "approve": lambda: review.claim_approve(claim, by=request.user),
        "return": lambda: review.claim_return(claim, by=request.user, comment=request.POST.get("comment", "")),
        "resubmit": lambda: review.claim_resubmit(claim, by=request.user),
        "authorise": lambda: review.claim_authorise(claim, by=request.user),
        "release": lambda: review.claim_release(claim, by=request.user),
    }
    if action not in steps:
        raise PermissionDenied
    try:
        steps[action]()
        messages.success(request, _("Done."))
    except REFUSALS as refused:
        messages.error(request, str(refused))
    return redirect("subsidy:claim", claim.pk)


@login_required
def batches(request):
    rows = selectors.batches_for(request.user)
    if request.method == "POST":
        province = _province(request.user)
        follow = request.POST.get("follow_up_of")
        try:
            batch = payments.batch_create(province_code=province, by=request.user, follow_up_of=get_scoped_or_404(
                request.user, PaymentBatch.objects.all(), pk=follow) if follow else None)
        except payments.PaymentRefused as refused:
            messages.error(request, refused.message)
            return redirect("subsidy:batches")
        return redirect("subsidy:batch", batch.pk)
    if request.GET.get("format") == "xlsx":
        return xlsx_response("batches", [_("Batch"), _("Status"), _("Count"), _("Control total (yuan)"), _("Follow-up of")],
                             ([b.reference, b.get_status_display(), b.control_count, b.control_total_fen / 100,
                               b.follow_up_of.reference if b.follow_up_of else ""] for b in rows))
    return render(request, "subsidy/batches.html", {"batches": rows[:200]})


@login_required
def batch_detail(request, pk: int):
    batch = get_scoped_or_404(request.user, PaymentBatch.objects.all(), pk=pk)
    fmt = request.GET.get("format")
    if fmt in ("csv", "bank-xlsx"):
        body = payments.payment_csv(batch) if fmt == "csv" else payments.payment_xlsx(batch)
        kind = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(body, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{"csv" if fmt == "csv" else "xlsx"}"'
        return response
    report = None
    if request.method == "POST":
        batch = get_scoped_or_404(request.user, PaymentBatch.objects.all(), write=True, pk=pk)
        try:
            if "submit" in request.POST:
                payments.batch_submit(batch, by=request.user)
            elif request.FILES.get("result"):
                upload = request.FILES["result"]
                outcome = payments.result_import(batch, upload.read(), filename=upload.name, by=request.user)
                messages.success(request, _("Result already imported.") if outcome.already_applied else
                                 _("Result imported: %(paid)s paid, %(failed)s failed.") % {"paid": outcome.paid, "failed": outcome.failed})
            else:
                return redirect("subsidy:batch", batch.pk)
        except payments.PaymentRefused as refused:
            messages.error(request, refused.message)
            report = refused.report
        else:
            return redirect("subsidy:batch", batch.pk)
    items = batch.items.select_related("line__person", "line__claim").order_by("pk")
    if fmt == "xlsx":
        return xlsx_response(f"{batch.reference}-items", [_("Item"), _("Payee"), _("Amount (yuan)"), _("Status"), _("Bank reference"), _("Message")],
                             ([f"PI{i.pk}", i.payee_name, i.amount_fen / 100, i.get_status_display(), i.bank_reference, i.message]
                              for i in items))
    return render(request, "subsidy/batch.html", {"batch": batch, "items": items, "totals": payments.batch_totals(batch),
                                                  "report": report, "control_total": yuan(batch.control_total_fen)})


@login_required
def recoveries(request):
    rows = selectors.recoveries_for(request.user, request.GET.get("status") or None)
    if request.GET.get("format") == "xlsx":
        return xlsx_response("recoveries", [_("Recovery"), _("Institution"), _("Name"), _("Amount (yuan)"), _("Reason"), _("Clause"), _("Status")],
                             ([r.pk, r.line.claim.institution.name, r.line.person.name, r.amount_fen / 100, r.reason, r.citation,
                               r.get_status_display()] for r in rows))
    return render(request, "subsidy/recoveries.html", {"recoveries": rows[:500]})


@login_required
@require_POST
def recovery_action(request, pk: int):
    try:
        if "line" in request.POST:
            line = get_scoped_or_404(request.user, ClaimLine.objects.all(), write=True, pk=request.POST["line"])
            recovery_open(line, by=request.user, reason=request.POST.get("reason", ""), hold=bool(request.POST.get("hold")))
        else:
            recovery_repaid(get_scoped_or_404(request.user, Recovery.objects.all(), write=True, pk=pk), by=request.user)
        messages.success(request, _("Done."))
    except REFUSALS as refused:
        messages.error(request, str(refused))
    return redirect("subsidy:recoveries")


def publicity(request):
    """Public (no login): the approved lists in publicity, names and ID numbers masked."""
    lines = selectors.publicity_lines()
    rows = [{"pk": x.pk, "name": x.person.name[:1] + "*" * max(len(x.person.name) - 1, 1),
             "id": mask_id_number(x.person.id_number), "institution": x.claim.institution.name,
             "occupation": x.claim.training_class.occupation.name, "level": x.claim.training_class.get_level_display(),
             "amount": yuan(x.amount_fen), "until": x.claim.publicity_until, "held": x.status == "held"} for x in lines[:2000]]
    return render(request, "subsidy/publicity.html", {"rows": rows})


def objection(request, line_id: int):
    line = selectors.publicity_lines().filter(pk=line_id).first()
    if request.method == "POST":
        try:
            review.objection_open(line_id, text=request.POST.get("text", ""), contact=request.POST.get("contact", ""))
        except (review.ReviewRefused, ClaimLine.DoesNotExist) as refused:
            return render(request, "subsidy/objection.html", {"line": line, "error": str(refused)}, status=422)
        return render(request, "subsidy/objection.html", {"line": line, "done": True})
    return render(request, "subsidy/objection.html", {"line": line})


@login_required
@require_POST
def objection_resolve(request, pk: int):
    from .models import Objection

    item = get_scoped_or_404(request.user, Objection.objects.all(), write=True, pk=pk)
    try:
        review.objection_resolve(item, by=request.user, upheld=request.POST.get("upheld") == "1",
                                 resolution=request.POST.get("resolution", ""))
        messages.success(request, _("Done."))
    except review.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect("subsidy:claim", item.line.claim_id)


@login_required
def budgets(request):
    if request.method == "POST":
        try:
            review.budget_set(_province(request.user), int(request.POST.get("year", 0)), int(round(float(request.POST.get("amount_yuan", 0)) * 100)),
                              by=request.user, basis=request.POST.get("basis", ""))
            messages.success(request, _("Done."))
        except (ValueError, review.ReviewRefused) as refused:
            messages.error(request, str(refused))
        return redirect("subsidy:budgets")
    rows = [(b, review.budget_status(b.province_id, b.year)) for b in scoped(request.user, Budget.objects.all()).order_by("-year")]
    if request.GET.get("format") == "xlsx":
        return xlsx_response("budgets", [_("Province"), _("Year"), _("Budget (yuan)"), _("Committed (yuan)"), _("Remaining (yuan)")],
                             ([b.province_id, b.year, b.amount_fen / 100, s["committed_fen"] / 100, s["remaining_fen"] / 100] for b, s in rows))
    return render(request, "subsidy/budgets.html", {"rows": rows})


@login_required
@require_POST
def onward_record(request, line_id: int):
    """Yunnan 四(四)3: the institution records its onward payment to the trainee, with evidence."""
    line = get_scoped_or_404(request.user, ClaimLine.objects.select_related("claim"), write=True, pk=line_id)
    try:
        payments.onward_record(line, by=request.user, paid_on=_date(request.POST.get("paid_on")) or timezone.localdate(),
                               evidence=request.FILES.get("evidence"))
        messages.success(request, _("Done."))
    except payments.PaymentRefused as refused:
        messages.error(request, refused.message)
    return redirect("subsidy:claim", line.claim_id)


@login_required
def my_subsidies(request):
    """A trainee's own subsidy lines; onward payments are confirmed here."""
    from .models import OnwardPayment

    if request.method == "POST":
        onward = get_scoped_or_404(request.user, OnwardPayment.objects.select_related("line__person", "line__claim"),
                                   pk=request.POST.get("onward"))
        try:
            payments.onward_confirm(onward, by=request.user)
            messages.success(request, _("Receipt confirmed."))
        except payments.PaymentRefused as refused:
            messages.error(request, refused.message)
        return redirect("subsidy:mine")
    lines = scoped(request.user, ClaimLine.objects.filter(status__in=("approved", "authorised", "released", "in_batch", "paid")))
    return render(request, "subsidy/mine.html", {"lines": lines.select_related("claim__institution", "claim__training_class").order_by("-pk")})
