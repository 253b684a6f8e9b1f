"""Staff and bureau pages: plans and quotas, filings, class-opening review, the registry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import can_access, get_scoped_or_404, scoped
from dte.privacy.idnumber import InvalidIdNumber
from dte.privacy.services import may_unmask, personal_data_reveal

from .errors import RegistryError
from .forms import FilingForm, FilingReviewForm, PersonForm, QuotaForm, ReviewForm, teachers_from
from .models import ClassApplication, Person, PlanQuota, TrainingPlanFiling
from .selectors import (
    filter_applications, filter_filings, filter_people, filter_quotas, person_history, review_calendar, review_days_left,
)
from .services import DuplicatePerson, person_register
from .services_opening import class_application_review, may_review
from .services_plans import filing_create, filing_review, filing_submit, may_change_plan, quota_set_places
from .tables import Column, list_page

OFFICERS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}


def institution_of(user):
    if user.role != Role.TRAINING_STAFF or user.organisation is None:
        raise PermissionDenied(_("Only training-institution staff can do this."))
    return user.organisation


# --- plans and quotas ----------------------------------------------------------------------------------


@login_required
def quotas(request):
    qs = filter_quotas(scoped(request.user, PlanQuota.objects.all()), request.GET)
    officer = may_change_plan(request.user)
    years = sorted(set(qs.values_list("plan__year", flat=True)), reverse=True)
    actions = [(_("Annual plans"), reverse("registry:plans"))]
    if officer:
        actions.append((_("New annual plan"), reverse("registry:plan_new")))
    return list_page(request, title=_("Annual plans and quotas"), queryset=qs, export_name="quotas", actions=actions, columns=[
        Column(_("Plan"), lambda q: f"{q.plan.title}（{q.plan.document}）" if q.plan.document else q.plan.title,
               link=lambda q: reverse("registry:plan", args=[q.plan_id])),
        Column(_("Institution"), lambda q: q.institution.name),
        Column(_("Occupation"), lambda q: q.occupation.name,
               link=(lambda q: reverse("registry:quota_edit", args=[q.pk])) if officer else None),
        Column(_("Places"), lambda q: q.places),
        Column(_("Enrolled"), lambda q: q.enrolled),
        Column(_("Remaining"), lambda q: q.remaining),
    ], filters=[("year", _("Year"), [(y, y) for y in years])])


@login_required
def quota_edit(request, pk: int):
    if not may_change_plan(request.user):
        raise PermissionDenied(_("Only the province bureau changes the annual plan."))
    quota = get_scoped_or_404(request.user, PlanQuota.objects.select_related("plan", "institution", "occupation"),
                              write=True, pk=pk)
    form = QuotaForm(request.POST or None, initial={"places": quota.places})
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            quota_set_places(quota, form.cleaned_data["places"], reason=form.cleaned_data["reason"],
                             document=form.cleaned_data["document"])
        except RegistryError as error:
            refusal = str(error)
        else:
            messages.success(request, _("Quota changed; the change is in the audit trail."))
            return redirect("registry:quotas")
    return render(request, "registry/form.html", {"form": form, "refusal": refusal, "title": _("Change quota") + f": {quota}"})  # no _() inside an f-string: xgettext cannot see it


# --- training-plan filings --------------------------------------------------------------------------------


@login_required
def filings(request):
    qs = filter_filings(scoped(request.user, TrainingPlanFiling.objects.all()), request.GET)
    actions = [(_("File a training plan"), reverse("registry:filing_new"))] if request.user.role == Role.TRAINING_STAFF else []
    return list_page(request, title=_("Filed training plans"), queryset=qs, export_name="filings", actions=actions, columns=[
        Column(_("Institution"), lambda f: f.institution.name, link=lambda f: reverse("registry:filing", args=[f.pk])),
        Column(_("Occupation"), lambda f: f.occupation.name),
        Column(_("Level"), lambda f: f.get_level_display()),
        Column(_("Hours (online/total)"), lambda f: f"{f.hours_online}/{f.hours_total}"),
        Column(_("Evaluation institution"), lambda f: f.evaluation_institution.name),
        Column(_("Exam dates"), lambda f: "、".join(f.exam_dates)),
        Column(_("Status"), lambda f: f.get_status_display()),
    ], filters=[("status", _("Status"), TrainingPlanFiling.Status.choices)])


@login_required
def filing_new(request):
    institution = institution_of(request.user)
    form = FilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        filing = filing_create(
            institution=institution, by=request.user, teachers=teachers_from(form.cleaned_data["teachers_text"]),
            venues=[v.strip() for v in form.cleaned_data["venues_text"].splitlines() if v.strip()],
            exam_dates=form.cleaned_data["exam_dates_text"], **{name: form.cleaned_data[name] for name in FilingForm.Meta.fields})
        return redirect("registry:filing", pk=filing.pk)
    return render(request, "registry/form.html", {"form": form, "title": _("File a training plan")})


@login_required
def filing_detail(request, pk: int):
    filing = get_scoped_or_404(request.user, TrainingPlanFiling.objects.select_related("institution", "occupation"), pk=pk)
    review_form = FilingReviewForm(request.POST or None) if request.user.role in OFFICERS else None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "submit":
                get_scoped_or_404(request.user, TrainingPlanFiling.objects.all(), write=True, pk=pk)
                institution_of(request.user)
                filing_submit(filing, by=request.user)
            elif review_form is not None and review_form.is_valid():
                get_scoped_or_404(request.user, TrainingPlanFiling.objects.all(), write=True, pk=pk)
                filing_review(filing, accept=review_form.cleaned_data["decision"] == "accept", by=request.user,
                              comment=review_form.cleaned_data["comment"])
            messages.success(request, _("Done."))
            return redirect("registry:filing", pk=pk)
        except RegistryError as error:
            messages.error(request, str(error))
    return render(request, "registry/filing.html", {"filing": filing, "review_form": review_form,
                                                    "can_submit": request.user.role == Role.TRAINING_STAFF})


# --- class-opening applications -------------------------------------------------------------------------------


@login_required
def applications(request):
    today = timezone.localdate()
    qs = filter_applications(scoped(request.user, ClassApplication.objects.all()), request.GET, today)
    calendar = review_calendar(qs, today)

    def left(a):
        days = review_days_left(a, today, calendar)
        if days is None:
            return ""
        return _("%(n)s working days left") % {"n": days} if days >= 0 else _("OVERDUE by %(n)s working days") % {"n": -days}

    return list_page(request, title=_("Class-opening applications"), queryset=qs, export_name="class-applications", columns=[
        Column(_("Class"), lambda a: a.training_class.title, link=lambda a: reverse("registry:application", args=[a.pk])),
        Column(_("Institution"), lambda a: a.training_class.institution.name),
        Column(_("Opening"), lambda a: a.training_class.start_date),
        Column(_("Submitted on"), lambda a: a.submitted_on or ""),
        Column(_("Review due by"), lambda a: a.review_due_on or ""),
        Column(_("Remaining"), left),
        Column(_("Status"), lambda a: a.get_status_display()),
    ], filters=[("status", _("Status"), ClassApplication.Status.choices), ("overdue", _("Overdue only"), [("1", _("yes"))])])


@login_required
def application_detail(request, pk: int):
    app = get_scoped_or_404(request.user, ClassApplication.objects.select_related(
        "training_class__institution", "training_class__occupation", "filing", "evaluation_institution"), pk=pk)
    reviewer = may_review(request.user, app)
    form = ReviewForm(request.POST or None) if reviewer else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            class_application_review(app, form.cleaned_data["decision"], by=request.user, comment=form.cleaned_data["comment"])
        except RegistryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Review recorded."))
            return redirect("registry:application", pk=pk)
    return render(request, "registry/application.html", {
        "app": app, "form": form if app.status == ClassApplication.Status.SUBMITTED else None,
        "days_left": review_days_left(app, timezone.localdate()),
    })


# --- the registry -------------------------------------------------------------------------------------------------


@login_required
def people(request):
    qs = filter_people(scoped(request.user, Person.objects.select_related("division", "registered_by")), request.GET)
    actions = []
    if request.user.role == Role.TRAINING_STAFF:
        actions = [(_("Register a person"), reverse("registry:person_new")), (_("Import a roster"), reverse("registry:import_new"))]
    return list_page(request, title=_("Real-name trainee registry"), queryset=qs.order_by("-pk"), export_name="people",
                     actions=actions, filters=[("q", _("Name"), None)], columns=[
        Column(_("Name"), lambda p: p.name, link=lambda p: reverse("registry:person", args=[p.pk])),
        Column(_("ID number"), lambda p: p.masked_id_number),
        Column(_("Mobile phone"), lambda p: p.masked_phone),
        Column(_("Place of residence"), lambda p: p.division.name),
        Column(_("Employment status"), lambda p: p.get_employment_status_display()),
        Column(_("Registered by"), lambda p: p.registered_by.name if p.registered_by else _("self")),
    ])


@login_required
def person_new(request):
    institution = institution_of(request.user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = person_register(name=d["name"], id_number=d["id_number"], division_id=d["division"], phone=d["phone"],
                                     registered_by=institution, employment_status=d["employment_status"],
                                     graduation_date=d["graduation_date"], facts=form.facts())
        except DuplicatePerson:  # never name the existing person (issue 8 finding 2)
            form.add_error("id_number", _("This ID number is already in the registry: enrol it in a class; the person confirms."))
        except InvalidIdNumber as error:
            form.add_error(error.field_name if error.field_name in form.fields else None, error.message)
        else:
            return redirect("registry:person", pk=person.pk)
    return render(request, "registry/form.html", {"form": form, "title": _("Register a person")})


@login_required
def person_detail(request, pk: int):
    person = get_scoped_or_404(request.user, Person.objects.select_related("division", "registered_by", "user"), pk=pk)
    revealed = {}
    if request.method == "POST" and request.POST.get("reveal") in ("id_number", "phone"):
        field = request.POST["reveal"]
        revealed[field] = personal_data_reveal(request.user, person, field)
    return render(request, "registry/person.html", {
        "person": person, "history": person_history(request.user, person), "revealed": revealed,
        "can_reveal": may_unmask(request.user) and can_access(request.user, person),
    })
