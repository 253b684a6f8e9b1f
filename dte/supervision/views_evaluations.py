"""Third-party evaluation pages: the evaluator's list and scoring, the province's release, and
the public reports (web and PDF) once released (津人社办发〔2022〕94号 四(三))."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped

from .forms import EvaluationOpenForm, EvaluationScoreForm
from .models import InstitutionEvaluation
from .services.errors import SupervisionError
from .services.evaluations import CRITERIA, evaluation_open, evaluation_pdf, evaluation_release, evaluation_score
from .views import SUPERVISORS


@login_required
def evaluations(request):
    if not (request.user.is_platform_admin or request.user.role in SUPERVISORS):
        raise PermissionDenied(_("Only supervising bureaus and the third-party evaluator see this."))
    institutions = scoped(request.user, Organisation.objects.filter(kind=Organisation.Kind.TRAINING_INSTITUTION))
    form, refusal = EvaluationOpenForm(request.POST or None, institutions=institutions), None
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = evaluation_open(request.user, form.cleaned_data["institution"], form.cleaned_data["year"])
        except SupervisionError as error:
            refusal = str(error)
        else:
            return redirect("supervision:evaluation", evaluation.pk)
    items = scoped(request.user, InstitutionEvaluation.objects.select_related("institution", "evaluator"))
    return render(request, "supervision/evaluations.html", {
        "items": items, "form": form, "refusal": refusal, "may_open": request.user.role == Role.THIRD_PARTY_EVALUATOR})


@login_required
def evaluation(request, pk: int):
    item = get_scoped_or_404(request.user, InstitutionEvaluation.objects.select_related("institution", "evaluator"), pk=pk)
    initial = {**item.scores, "comments": item.comments}
    form, refusal = EvaluationScoreForm(request.POST or None, initial=initial), None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "release":
                evaluation_release(item, request.user)
            elif form.is_valid():
                d = form.cleaned_data
                evaluation_score(item, request.user, scores={k: d[k] for k in CRITERIA}, comments=d["comments"],
                                 submit=request.POST.get("action") == "submit")
            else:
                raise SupervisionError(_("Score every criterion from 0 to 100."))
        except SupervisionError as error:
            refusal = str(error)
        else:
            return redirect("supervision:evaluation", item.pk)
    return render(request, "supervision/evaluation.html", {
        "e": item, "form": form, "refusal": refusal, "criteria": CRITERIA,
        "may_score": request.user.role == Role.THIRD_PARTY_EVALUATOR and item.evaluator_id == request.user.organisation_id
        and item.status == "draft",
        "may_release": request.user.role == Role.PROVINCE_OFFICER and item.status == "submitted",
    })


def public_evaluations(request):
    items = InstitutionEvaluation.objects.filter(status=InstitutionEvaluation.Status.RELEASED).select_related(
        "institution", "evaluator")
    return render(request, "supervision/public_evaluations.html", {"items": items})


def public_evaluation_pdf(request, pk: int):
    item = InstitutionEvaluation.objects.filter(pk=pk, status=InstitutionEvaluation.Status.RELEASED).select_related(
        "institution", "evaluator").first()
    if item is None:
        raise Http404(_("No released evaluation has this number."))
    response = HttpResponse(evaluation_pdf(item), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="evaluation-{item.year}-{item.pk}.pdf"'
    return response
