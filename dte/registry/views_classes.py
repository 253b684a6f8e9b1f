"""Institution pages: classes, their announcement, roster, opening application and imports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped

from .errors import RegistryError
from .forms import AnnouncementForm, ApplicationForm, TrainingClassForm, UploadForm, teachers_from
from dte.privacy.uploads import upload_refused

from .import_files import result_download, upload_too_large
from .imports import roster_import_start, roster_upload, template_workbook
from .models import Announcement, ClassApplication, Enrolment, RosterImport, TrainingClass
from .selectors import filter_classes, filter_enrolments, import_problems
from .services import enrolment_create, person_find_by_id_number
from .services_opening import class_application_save, class_application_submit
from .services_plans import announcement_create, announcement_publish, training_class_create
from .tables import Column, list_page
from .views import institution_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def classes(request):
    qs = filter_classes(scoped(request.user, TrainingClass.objects.all()), request.GET)
    actions = [(_("New class"), reverse("registry:class_new"))] if request.user.role == Role.TRAINING_STAFF else []
    return list_page(request, title=_("Training classes"), queryset=qs, export_name="classes", actions=actions, columns=[
        Column(_("Class"), lambda k: k.title, link=lambda k: reverse("registry:class", args=[k.pk])),
        Column(_("Institution"), lambda k: k.institution.name),
        Column(_("Occupation"), lambda k: f"{k.occupation.name}·{k.get_level_display()}"),
        Column(_("Opening"), lambda k: k.start_date),
        Column(_("Capacity"), lambda k: k.capacity),
        Column(_("Quota"), lambda k: f"{k.quota.enrolled}/{k.quota.places}" if k.quota else ""),
        Column(_("Status"), lambda k: k.get_status_display()),
    ], filters=[("status", _("Status"), TrainingClass.Status.choices), ("q", _("Title"), None)])


@login_required
def class_new(request):
    institution = institution_of(request.user)
    form = TrainingClassForm(request.POST or None, institution=institution)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            klass = training_class_create(institution=institution, occupation=d["occupation"], level=d["level"],
                                          title=d["title"], division_id=d["division"].pk, start_date=d["start_date"],
                                          end_date=d["end_date"], capacity=d["capacity"], mode=d["mode"],
                                          direction=d["direction"], quota=d["quota"])
        except RegistryError as error:  # beside the fields it concerns, all at once (issue 13 item 13)
            fields = {name: text for name, text in (error.detail.get("fields") or {}).items() if name in form.fields}
            for name, text in fields.items():
                form.add_error(name, text)
            refusal = None if fields else str(error)
        else:
            return redirect("registry:class", pk=klass.pk)
    return render(request, "registry/form.html", {"form": form, "refusal": refusal, "title": _("New class")})


def _application_form(klass):
    app = ClassApplication.objects.filter(training_class=klass).first()
    if app is None:
        return None, ApplicationForm()
    teachers = "\n".join(" ".join(filter(None, (t.get("name"), t.get("title"), t.get("qualification")))) for t in app.teachers)
    return app, ApplicationForm(initial={"schedule_summary": app.schedule_summary, "exam_plan": app.exam_plan,
                                         "teachers_text": teachers})


@login_required
def class_detail(request, pk: int):
    klass = get_scoped_or_404(request.user, TrainingClass.objects.select_related("institution", "occupation", "quota"), pk=pk)
    staff = request.user.role == Role.TRAINING_STAFF and request.user.organisation_id == klass.institution_id
    app, app_form = _application_form(klass)
    if request.method == "POST" and staff:
        get_scoped_or_404(request.user, TrainingClass.objects.all(), write=True, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "application":
                app_form = ApplicationForm(request.POST)
                if app_form.is_valid():
                    d = app_form.cleaned_data
                    app = class_application_save(klass, schedule_summary=d["schedule_summary"], exam_plan=d["exam_plan"],
                                                 teachers=teachers_from(d["teachers_text"]))
                    if request.POST.get("submit"):
                        class_application_submit(app, by=request.user)
                        messages.success(request, _("Class-opening application submitted."))
                    return redirect("registry:class", pk=pk)
            elif action == "enrol":
                person = person_find_by_id_number(request.POST.get("id_number", ""))
                if person is None:
                    raise RegistryError(_("No person with this ID number in the registry: register or import first."))
                enrolment = enrolment_create(klass, person)
                messages.success(request, _("Enrolled.") if not enrolment.pending_consent else
                                 _("Enrolment recorded: it waits for the person's own confirmation."))
                return redirect("registry:class", pk=pk)
        except RegistryError as error:
            messages.error(request, str(error))
    roster = klass.enrolments.select_related("person").order_by("pk")
    return render(request, "registry/class.html", {
        "klass": klass, "staff": staff, "roster": roster, "app": app, "app_form": app_form,
        "announcements": klass.announcements.all(),
    })


@login_required
def announcement_new(request, pk: int):
    klass = get_scoped_or_404(request.user, TrainingClass.objects.all(), write=True, pk=pk)
    institution_of(request.user)
    form = AnnouncementForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            announcement = announcement_create(klass, by=request.user, **{name: form.cleaned_data[name] for name in AnnouncementForm.Meta.fields})
        except RegistryError as error:  # refused before saving: the phrase and the clause
            hits = error.detail.get("hits")
            refusal = "；".join(_("Forbidden claim “%(p)s” (%(c)s)") % {"p": p, "c": c} for p, c in hits) if hits else str(error)
        else:
            if request.POST.get("publish"):
                try:
                    announcement_publish(announcement)
                except RegistryError as error:
                    messages.error(request, str(error))
            return redirect("registry:class", pk=pk)
    return render(request, "registry/form.html", {"form": form, "refusal": refusal, "title": _("Enrolment announcement"),
                                                  "submit": _("Save")})


@login_required
def announcement_publish_view(request, pk: int):
    announcement = get_scoped_or_404(request.user, Announcement.objects.select_related("training_class"), write=True, pk=pk)
    institution_of(request.user)
    if request.method == "POST":
        try:
            announcement_publish(announcement)
            messages.success(request, _("Published on the public site."))
        except RegistryError as error:
            messages.error(request, str(error))
    return redirect("registry:class", pk=announcement.training_class_id)


@login_required
def enrolments(request):
    qs = filter_enrolments(scoped(request.user, Enrolment.objects.all()), request.GET)
    return list_page(request, title=_("Rosters"), queryset=qs, export_name="roster", columns=[
        Column(_("Class"), lambda e: e.training_class.title, link=lambda e: reverse("registry:class", args=[e.training_class_id])),
        Column(_("Name"), lambda e: e.roster_name),
        Column(_("ID number"), lambda e: e.person.masked_id_number),
        Column(_("Source"), lambda e: e.get_source_display()),
        Column(_("Eligible"), lambda e: {True: _("yes"), False: _("no"), None: ""}[e.eligible]),
        Column(_("Reasons"), lambda e: "；".join(r["message"] for r in e.eligibility.get("reasons", []))),
        Column(_("Status"), lambda e: e.get_status_display()),
    ], filters=[("status", _("Status"), Enrolment.Status.choices), ("q", _("Name"), None)])


# --- imports ------------------------------------------------------------------------------------------------


@login_required
def import_template(request):
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


@login_required
def import_new(request):
    institution = institution_of(request.user)
    classes_qs = scoped(request.user, TrainingClass.objects.filter(institution=institution), write=True)
    form = UploadForm(request.POST or None, request.FILES or None, classes=classes_qs)
    refusal = None
    if request.method == "POST" and upload_refused(request):  # over DTE_UPLOAD_MAX_BYTES: nothing was stored
        refusal = str(upload_too_large())
    elif request.method == "POST" and form.is_valid():
        try:
            roster, _job = roster_upload(institution=institution, upload=form.cleaned_data["file"], user=request.user,
                                         training_class=form.cleaned_data["training_class"])
        except RegistryError as error:
            refusal = str(error)
        else:
            return redirect("registry:import", pk=roster.pk)
    intro = _("Download the template, fill one person a row, upload it. Every row is checked; you get the same "
              "sheet back with a result column and then choose to import the valid rows (all or nothing).")
    return render(request, "registry/import_new.html", {"form": form, "refusal": refusal, "intro": intro,
                                                        "imports": scoped(request.user, RosterImport.objects.all())[:20]})


@login_required
def import_detail(request, pk: int):
    roster = get_scoped_or_404(request.user, RosterImport.objects.select_related("training_class"), pk=pk)
    if request.method == "POST":
        get_scoped_or_404(request.user, RosterImport.objects.all(), write=True, pk=pk)
        try:
            job = roster_import_start(roster, user=request.user)
        except RegistryError as error:
            messages.error(request, str(error))
        else:
            return redirect("jobs:detail", pk=job.pk)
    problems = import_problems(roster) if roster.status in (RosterImport.Status.VALIDATED, RosterImport.Status.IMPORTED) else None
    return render(request, "registry/import.html", {"roster": roster, "problems": problems})


@login_required
def import_result(request, pk: int):
    roster = get_scoped_or_404(request.user, RosterImport.objects.all(), pk=pk)
    if not roster.result_file:
        return redirect("registry:import", pk=pk)
    content, name, content_type = result_download(roster, request.user)  # masked unless entitled; audited
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
