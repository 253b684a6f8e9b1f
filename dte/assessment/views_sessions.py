"""Level exams, web: sessions at exam centres, admission, tickets, the day's checks, scores
(screen, Excel import as a background job), confirmation and later changes with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dte.catalogue.models import Occupation
from dte.jobs.services import job_start
from dte.organisations.scoping import get_scoped_or_404, scoped

from .forms import CheckInForm, ImportForm, ScoreForm, SessionForm
from .imports import score_template
from .models import Candidate, Declaration, ExamSession, ScoreImport
from .pdf import ticket_pdf
from .selectors import pass_rates, report_due
from .services import (
    candidate_check_in, candidates_admit, declarations_admissible, report_create, result_change, result_record,
    session_create, session_results_confirm, session_set_status,
)
from .views import evaluation_institution, is_evaluator, run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _session(request, pk, write=False):
    return get_scoped_or_404(request.user, ExamSession.objects.select_related(
        "occupation", "centre", "evaluation_institution"), write=write, pk=pk)


@login_required
def sessions(request):
    items = scoped(request.user, ExamSession.objects.select_related("occupation", "centre")).order_by("-date", "-pk")[:300]
    form = None
    if is_evaluator(request.user) and request.user.organisation_id:
        org = evaluation_institution(request.user)
        form = SessionForm(request.POST or None, centres=org.exam_centres.filter(is_active=True),
                           occupations=Occupation.objects.filter(is_active=True))
        if request.method == "POST" and form.is_valid():
            session = run(request, session_create, _("Session planned."), institution=org, by=request.user,
                          **form.cleaned_data)
            if session:
                return redirect("assessment:session", pk=session.pk)
    return render(request, "assessment/sessions.html", {"items": items, "form": form})


@login_required
def session_detail(request, pk: int):
    session = _session(request, pk)
    candidates = scoped(request.user, session.candidates.select_related("declaration__person")).order_by("ticket_number")
    staff = is_evaluator(request.user) and (request.user.is_platform_admin or request.user.organisation_id == session.evaluation_institution_id)
    return render(request, "assessment/session.html", {
        "s": session, "candidates": candidates, "staff": staff,
        "admissible": declarations_admissible(session) if staff and session.status == ExamSession.Status.PLANNED else [],
        "rates": pass_rates(session.candidates.all(), "session"), "imports": session.imports.all()[:5],
        "report": session.reports.first(), "due": report_due(session), "import_form": ImportForm()})


@login_required
def session_action(request, pk: int):
    session = _session(request, pk, write=True)
    action, by = request.POST.get("action"), request.user
    if request.method == "POST":
        if action == "admit":
            picked = list(Declaration.objects.filter(pk__in=request.POST.getlist("declaration")))
            run(request, candidates_admit, _("Admitted."), session=session, declarations=picked, by=by)
        elif action == "held":
            run(request, session_set_status, _("Held."), session=session, new=ExamSession.Status.HELD, by=by)
        elif action == "cancel":
            run(request, session_set_status, _("Cancelled."), session=session, new=ExamSession.Status.CANCELLED, by=by)
        elif action == "confirm":
            run(request, session_results_confirm, _("Results confirmed."), session=session, by=by)
        elif action == "report":
            report = run(request, report_create, _("Certificate data reported."), session=session, by=by)
            if report:
                return redirect("assessment:report", pk=report.pk)
        elif action == "import":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid() and is_evaluator(by):
                upload = form.cleaned_data["file"]
                with transaction.atomic():
                    imp = ScoreImport(session=session, source_name=upload.name[:255], created_by=by)
                    imp.source.save(upload.name, ContentFile(upload.read()), save=False)
                    imp.save()
                    job = job_start("assessment.import_scores", params={"import_id": imp.pk}, user=by)
                    ScoreImport.objects.filter(pk=imp.pk).update(job_id=job.pk)
                return redirect(f"/jobs/{job.pk}/")
            messages.error(request, _("Choose a file."))
    return redirect("assessment:session", pk=pk)


@login_required
def score_sheet(request, pk: int):
    session = _session(request, pk)
    response = HttpResponse(score_template(session), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="scores-{session.pk}.xlsx"'
    return response


def _candidate(request, pk, write=False):
    return get_scoped_or_404(request.user, Candidate.objects.select_related(
        "session__occupation", "session__centre", "session__evaluation_institution", "declaration__person"), write=write, pk=pk)


@login_required
def candidate_detail(request, pk: int):
    c = _candidate(request, pk)
    staff = is_evaluator(request.user) and (request.user.is_platform_admin or request.user.organisation_id == c.session.evaluation_institution_id)
    score_form = ScoreForm(initial={"theory": c.theory_score, "practical": c.practical_score})
    check_form = CheckInForm(initial={"identity_checked": c.identity_checked, "incident": c.incident,
                                      "absent": c.status == Candidate.Status.ABSENT})
    if request.method == "POST" and staff:
        c = _candidate(request, pk, write=True)
        if request.POST.get("action") == "check":
            check_form = CheckInForm(request.POST)
            if check_form.is_valid():
                run(request, candidate_check_in, _("Recorded."), candidate=c, by=request.user, **check_form.cleaned_data)
                return redirect("assessment:candidate", pk=pk)
        else:
            score_form = ScoreForm(request.POST)
            if score_form.is_valid():
                data = score_form.cleaned_data
                if c.locked:
                    run(request, result_change, _("Result changed."), candidate=c, theory=data["theory"],
                        practical=data["practical"], reason=data["reason"], by=request.user)
                else:
                    run(request, result_record, _("Recorded."), candidate=c, theory=data["theory"],
                        practical=data["practical"], by=request.user)
                return redirect("assessment:candidate", pk=pk)
    return render(request, "assessment/candidate.html", {"c": c, "staff": staff, "score_form": score_form,
                                                         "check_form": check_form, "changes": c.changes.select_related("by")})


@login_required
def ticket(request, pk: int):
    c = _candidate(request, pk)
    response = HttpResponse(ticket_pdf(c), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ticket-{c.ticket_number}.pdf"'
    return response


@login_required
def ticket_scan(request, token: str):
    """The QR on the admission ticket: the exam centre's staff land on the candidate's check-in page."""
    c = get_scoped_or_404(request.user, Candidate.objects.all(), ticket_token=token)
    return redirect("assessment:candidate", pk=c.pk)


@login_required
def rates(request):
    candidates = scoped(request.user, Candidate.objects.all())
    return render(request, "assessment/rates.html", {"groups": [(label, pass_rates(candidates, key)) for key, label in (
        ("session", "Per session"), ("institution", "Per evaluation institution"), ("occupation", "Per occupation and level"))]})
