"""Level exams, web: certificate data reports (上报 → 省级确认/退回 → 国家审核 → 颁发), with due dates."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped

from .forms import NationalForm, ProvinceDecisionForm
from .models import CertificateReport
from .selectors import Due
from .services import report_issue, report_national_record, report_province_decide, report_resubmit
from .views import is_evaluator, run


def _due(date, citation, provisional=False):
    return Due("", date, citation, "", provisional) if date else None


@login_required
def reports(request):
    items = scoped(request.user, CertificateReport.objects.select_related("session__occupation", "evaluation_institution"))
    status = request.GET.get("status")
    if status in CertificateReport.Status.values:
        items = items.filter(status=status)
    rows = []
    for r in items[:300]:
        due = (_due(r.confirm_due_on, r.confirm_citation, r.confirm_due_provisional) if r.status == "reported"
               else _due(r.issue_due_on, r.issue_citation) if r.status == "approved" else None)
        rows.append((r, due))
    return render(request, "assessment/reports.html", {"rows": rows, "statuses": CertificateReport.Status.choices,
                                                       "status": status})


@login_required
def report_detail(request, pk: int):
    report = get_scoped_or_404(request.user, CertificateReport.objects.select_related(
        "session__occupation", "evaluation_institution", "province", "reported_by", "province_decided_by",
        "national_entered_by"), pk=pk)
    user = request.user
    province = user.is_platform_admin or user.role == Role.PROVINCE_OFFICER
    staff = is_evaluator(user) and (user.is_platform_admin or user.organisation_id == report.evaluation_institution_id)
    if request.method == "POST":
        report = get_scoped_or_404(user, CertificateReport.objects.all(), write=True, pk=pk)
        action = request.POST.get("action")
        if action == "province" and province:
            form = ProvinceDecisionForm(request.POST)
            if form.is_valid():
                run(request, report_province_decide, _("Done."), report=report, by=user, **form.cleaned_data)
        elif action == "national" and province:
            form = NationalForm(request.POST)
            if form.is_valid():
                run(request, report_national_record, _("Recorded."), report=report, by=user, **form.cleaned_data)
        elif action == "resubmit" and staff:
            run(request, report_resubmit, _("Resubmitted."), report=report, by=user)
        elif action == "issue" and staff:
            run(request, report_issue, _("Certificates issued."), report=report, by=user)
        return redirect("assessment:report", pk=pk)
    return render(request, "assessment/report.html", {
        "r": report, "lines": report.lines.select_related("candidate", "level_certificate"), "province": province,
        "staff": staff, "province_form": ProvinceDecisionForm(), "national_form": NationalForm()})
