"""Attendance sheet, completion, certificates (preview/issue/download/revoke), the 30-day report,
trainees' own pages and the public certificate verification."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.registry.models import Enrolment, TrainingClass

from . import rules
from .forms import AssessmentForm, CertificateSettingsForm, RevokeForm
from .models import CompletionAssessment, CompletionDecision, Session, TrainingCertificate
from .selectors import reports_pending, report_status, status_matrix
from .services import (
    IntegrityFailure, assessment_record, certificate_bytes, certificate_preview, certificate_revoke,
    certificates_issue, completion_decide, report_rows, report_submit, report_xlsx,
)
from .services.certificates import certificate_settings_save, settings_for
from .views import _run, class_for_write, is_staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _class(request, pk):
    return get_scoped_or_404(request.user, TrainingClass.objects.select_related("institution", "occupation"), pk=pk)


@login_required
def attendance_sheet(request, pk: int):
    tc = _class(request, pk)
    sessions, summaries = status_matrix(tc)
    visible = set(scoped(request.user, tc.enrolments.all()).values_list("pk", flat=True))
    rows = [(s, [s.statuses[x.pk] for x in sessions]) for s in summaries if s.enrolment.pk in visible]
    return render(request, "training/sheet.html", {"tc": tc, "sessions": sessions, "rows": rows})


@login_required
def completion(request, pk: int):
    tc = _class(request, pk)
    if request.method == "POST":
        tc = class_for_write(request.user, pk)
        if request.POST.get("action") == "assess":
            form = AssessmentForm(request.POST)
            if form.is_valid():
                e = get_scoped_or_404(request.user, tc.enrolments.all(), pk=form.cleaned_data["enrolment"])
                _run(request, assessment_record, _("Score recorded."), enrolment=e, score=form.cleaned_data["score"],
                     by=request.user)
        elif request.POST.get("action") == "decide":
            _run(request, completion_decide, _("Completion decided."), training_class=tc, by=request.user)
        return redirect("training:completion", pk=pk)
    _sessions, summaries = status_matrix(tc)
    visible = set(scoped(request.user, tc.enrolments.all()).values_list("pk", flat=True))
    assessments = {a.enrolment_id: a for a in CompletionAssessment.objects.filter(enrolment__training_class=tc)}
    decisions = {d.enrolment_id: d for d in CompletionDecision.objects.filter(enrolment__training_class=tc)}
    rows = [(s, assessments.get(s.enrolment.pk), decisions.get(s.enrolment.pk)) for s in summaries if s.enrolment.pk in visible]
    return render(request, "training/completion.html", {
        "tc": tc, "rows": rows, "staff": is_staff(request.user), "required": rules.required_hours(tc),
        "cap": rules.online_cap(tc), "video": rules.requires_full_video(tc)})


@login_required
def certificates(request, pk: int):
    tc = _class(request, pk)
    settings_form = CertificateSettingsForm(instance=settings_for(tc.institution)) if is_staff(request.user) else None
    if request.method == "POST":
        tc = class_for_write(request.user, pk)
        action = request.POST.get("action")
        if action == "settings":
            settings_form = CertificateSettingsForm(request.POST, instance=settings_for(tc.institution))
            if settings_form.is_valid():
                certificate_settings_save(tc.institution, by=request.user,
                                          **{name: settings_form.cleaned_data[name] for name in CertificateSettingsForm.Meta.fields})
                messages.success(request, _("Certificate settings saved."))
                return redirect("training:certificates", pk=pk)
        elif action == "issue":
            ids = [int(x) for x in request.POST.getlist("enrolment") if x.isdigit()]
            _run(request, certificates_issue, _("Certificates issued."), training_class=tc, by=request.user, enrolment_ids=ids or None)
            return redirect("training:certificates", pk=pk)
    issued = scoped(request.user, TrainingCertificate.objects.filter(enrolment__training_class=tc)).select_related("enrolment__person")
    return render(request, "training/certificates.html", {
        "tc": tc, "preview": certificate_preview(tc) if is_staff(request.user) else None, "issued": issued,
        "settings_form": settings_form, "staff": is_staff(request.user)})


@login_required
def certificate_pdf(request, pk: int):
    cert = get_scoped_or_404(request.user, TrainingCertificate.objects.all(), pk=pk)
    try:
        data = certificate_bytes(cert)
    except IntegrityFailure as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}.pdf"'
    response["X-Content-SHA256"] = cert.pdf_sha256
    return response


@login_required
def certificate_revoke_view(request, pk: int):
    cert = get_scoped_or_404(request.user, TrainingCertificate.objects.select_related("enrolment__training_class"), pk=pk)
    class_for_write(request.user, cert.enrolment.training_class_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _run(request, certificate_revoke, _("Certificate revoked."), cert=cert, by=request.user, reason=form.cleaned_data["reason"]):
            return redirect("training:certificates", pk=cert.enrolment.training_class_id)
    return render(request, "training/form.html", {"form": form, "title": f"撤销证书 {cert.number}"})


def verify(request, number: str):
    """The old public URL (printed in QR codes before the unified verification): a number alone answers
    nothing, so it leads to dte.credentials' search with the number filled in (the name is still asked)."""
    return redirect(f"{reverse('credentials:verify')}?{urlencode({'number': number})}")


@login_required
def report(request, pk: int):
    tc = _class(request, pk)
    if request.method == "POST":
        tc = class_for_write(request.user, pk)
        _run(request, report_submit, _("Report submitted."), training_class=tc, by=request.user)
        return redirect("training:report", pk=pk)
    return render(request, "training/report.html", {"tc": tc, "rows": report_rows(tc), "status": report_status(tc),
                                                    "history": tc.training_reports.all(), "staff": is_staff(request.user)})


@login_required
def report_download(request, pk: int):
    tc = _class(request, pk)
    response = HttpResponse(report_xlsx(tc), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="training-report-{tc.pk}.xlsx"'
    return response


@login_required
def reports(request):
    return render(request, "training/reports.html", {"items": reports_pending(request.user)})


@login_required
def my_sessions(request):
    enrolments = scoped(request.user, Enrolment.objects.filter(person__user=request.user)).select_related("training_class")
    sessions = (scoped(request.user, Session.objects.filter(training_class__enrolments__in=enrolments))
                .select_related("training_class", "venue").order_by("starts_at"))
    certs = scoped(request.user, TrainingCertificate.objects.filter(enrolment__in=enrolments))
    return render(request, "training/my.html", {"sessions": sessions, "certificates": certs, "now": timezone.now()})


@login_required
def checkin_page(request, pk: int):
    """Mobile check-in page: navigator.geolocation → the check-in API."""
    session = get_scoped_or_404(request.user, Session.objects.select_related("training_class", "venue"), pk=pk)
    return render(request, "training/checkin.html", {"session": session, "code": request.GET.get("code", "")})
