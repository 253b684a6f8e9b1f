"""Level exams, web: the evaluation institution's workbench page, declarations (with the signed
commitment), exam standards and the province's review of 30-day training reports. Thin: writes go
through services, reads through scoped querysets and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dte.audit.middleware import client_ip
from dte.catalogue.models import Level, Occupation
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.training.models import TrainingCertificate, TrainingReport

from .errors import AssessmentError
from .forms import ReasonForm, StandardForm
from .models import Candidate, CertificateReport, Declaration, ExamSession, ExamStandard
from .selectors import (
    classes_naming, deadlines_for, declarations_for, evaluators_for, filings_naming, holders_who_may_declare,
    open_declaration_by_certificate,
)
from .services import (
    commitment_text, conditions_for, declaration_create, declaration_void, declaration_withdraw, exam_standard_save,
    training_report_review,
)


def run(request, fn, success: str, **kwargs):
    """Call a service; show its refusal as a message instead of an error page."""
    try:
        result = fn(**kwargs)
    except AssessmentError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result


def is_evaluator(user) -> bool:
    return user.is_platform_admin or user.role == Role.EVALUATION_STAFF


@login_required
def home(request):
    user = request.user
    org_id = user.organisation_id
    context = {"deadlines": deadlines_for(user), "evaluator": is_evaluator(user) and org_id}
    if user.role == Role.EVALUATION_STAFF and org_id:
        holders = list(holders_who_may_declare(org_id)[:200])
        open_ = open_declaration_by_certificate(holders)
        context.update(classes=classes_naming(org_id)[:100], filings=filings_naming(org_id)[:100],
                       holders=[(c, open_.get(c.pk)) for c in holders],
                       centres=user.organisation.exam_centres.filter(is_active=True))
    context.update(sessions=scoped(user, ExamSession.objects.select_related("occupation", "centre"))[:20],
                   reports=scoped(user, CertificateReport.objects.select_related("session__occupation"))[:20])
    return render(request, "assessment/home.html", context)


@login_required
def declarations(request):
    items = declarations_for(request.user)
    status = request.GET.get("status")
    if status in Declaration.Status.values:
        items = items.filter(status=status)
    certificates = scoped(request.user, TrainingCertificate.objects.filter(status=TrainingCertificate.Status.VALID)
                          .select_related("enrolment__person", "enrolment__training_class__occupation"))
    if request.user.role not in (Role.TRAINEE, Role.TRAINING_STAFF):
        certificates = certificates.none()
    open_ = open_declaration_by_certificate(certificates)
    return render(request, "assessment/declarations.html", {
        "items": items[:300], "certificates": [c for c in certificates[:200] if c.pk not in open_],
        "statuses": Declaration.Status.choices, "status": status})


@login_required
def declare(request, certificate_pk: int):
    """Step 1: choose a listed evaluation institution; step 2: read the conditions and the
    commitment, sign (exact text, SHA-256, time and IP are kept)."""
    certificate = get_scoped_or_404(request.user, TrainingCertificate.objects.select_related(
        "enrolment__person", "enrolment__training_class__occupation", "enrolment__training_class__institution"), pk=certificate_pk)
    klass = certificate.enrolment.training_class
    evaluators = evaluators_for(klass.occupation, klass.level, klass.division_id[:2] + "0000")
    chosen = next((o for o in evaluators if str(o.pk) == (request.POST.get("institution") or request.GET.get("institution"))), None)
    conditions = conditions_for(klass.occupation, klass.level)
    text = commitment_text(certificate, chosen, conditions) if chosen else ""
    if request.method == "POST" and chosen is not None:
        declaration = run(request, declaration_create, _("Declared."), certificate=certificate, institution=chosen,
                          text=request.POST.get("text", ""), by=request.user, ip=client_ip(request) or "")
        if declaration is not None:
            return redirect("assessment:declaration", pk=declaration.pk)
    return render(request, "assessment/declare.html", {"certificate": certificate, "klass": klass, "evaluators": evaluators,
                                                       "chosen": chosen, "conditions": conditions, "text": text})


@login_required
def declaration(request, pk: int):
    d = get_scoped_or_404(request.user, Declaration.objects.select_related(
        "person", "occupation", "evaluation_institution", "training_certificate", "declared_by"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = get_scoped_or_404(request.user, Declaration.objects.all(), write=True, pk=pk)
        fn = declaration_void if request.POST.get("action") == "void" else declaration_withdraw
        run(request, fn, _("Done."), declaration=d, by=request.user, reason=form.cleaned_data["reason"])
        return redirect("assessment:declaration", pk=pk)
    candidate = Candidate.objects.filter(declaration=d).first()
    return render(request, "assessment/declaration.html", {
        "d": d, "candidate": candidate, "form": form,
        "may_void": request.user.is_platform_admin or request.user.role in (Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.EVALUATION_STAFF),
        "may_withdraw": d.status in (Declaration.Status.DECLARED, Declaration.Status.ADMITTED)
                        and request.user.role in (Role.TRAINEE, Role.TRAINING_STAFF)})


@login_required
def standards(request):
    rows = {(s.occupation_id, s.level): s for s in ExamStandard.objects.select_related("entered_by")}
    occupations = Occupation.objects.filter(is_active=True).order_by("code")
    table = [(o, level, rows.get((o.pk, level))) for o in occupations for level, _ in Level.choices]
    may_edit = request.user.is_platform_admin or request.user.role == Role.PROVINCE_OFFICER
    return render(request, "assessment/standards.html", {"table": table, "may_edit": may_edit})


@login_required
def standard_edit(request, occupation_pk: int, level: str):
    if not (request.user.is_platform_admin or request.user.role == Role.PROVINCE_OFFICER):
        raise PermissionDenied(_("Only province officers set exam standards."))
    occupation = get_object_or_404(Occupation, pk=occupation_pk)
    if level not in Level.values:
        raise PermissionDenied(_("Unknown level."))
    current = ExamStandard.objects.filter(occupation=occupation, level=level).first()
    initial = {"conditions": current.conditions, "theory_pass_mark": current.theory_pass_mark,
               "practical_pass_mark": current.practical_pass_mark, "citation": current.citation} if current else None
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run(request, exam_standard_save, _("Saved."), occupation=occupation, level=level, by=request.user,
               **form.cleaned_data):
            return redirect("assessment:standards")
    return render(request, "assessment/form.html", {"form": form, "title": f"{occupation.name} · {Level(level).label}"})


@login_required
def training_reports(request):
    """Submitted 30-day training reports, with the province's confirmation or return."""
    rows = (scoped(request.user, TrainingReport.objects.select_related("training_class__institution", "submitted_by"))
            .order_by("-submitted_at")[:300])
    reviews = {r.report_id: r for r in _reviews(rows)}
    return render(request, "assessment/training_reports.html", {
        "rows": [(r, reviews.get(r.pk)) for r in rows],
        "may_decide": request.user.is_platform_admin or request.user.role == Role.PROVINCE_OFFICER})


def _reviews(rows):
    from .models import TrainingReportReview

    return TrainingReportReview.objects.filter(report__in=[r.pk for r in rows]).select_related("decided_by")


@login_required
def training_report_decide(request, pk: int):
    report = get_scoped_or_404(request.user, TrainingReport.objects.select_related("training_class"), pk=pk)
    if request.method == "POST":
        run(request, training_report_review, _("Done."), report=report, decision=request.POST.get("decision", ""),
            by=request.user, comment=request.POST.get("comment", ""))
    return redirect("assessment:training_reports")


def evaluation_institution(user) -> Organisation:
    if not (user.role == Role.EVALUATION_STAFF and user.organisation_id):
        raise PermissionDenied(_("Only an evaluation institution's staff may do this."))
    return user.organisation
