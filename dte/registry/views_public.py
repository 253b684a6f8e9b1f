"""The public site: enrolment announcements (no login), self-registration, enrolment with
the eligibility decision and the electronic written commitment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from dte.audit.context import current_actor
from dte.audit.services import audit_record
from dte.privacy.idnumber import InvalidIdNumber

from . import rules
from .errors import RegistryError
from .forms import RegisterForm
from .models import Enrolment
from .selectors import published_announcements
from .services import (
    commitment_text, enrolment_confirm, enrolment_decline, trainee_enrol_and_sign, trainee_self_register,
)


def announcements(request):
    return render(request, "registry/public_announcements.html", {"announcements": published_announcements()[:200]})


def register(request):
    form = RegisterForm(request.POST or None)
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = trainee_self_register(name=d["name"], id_number=d["id_number"], phone=d["phone"],
                                           division_id=d["division"], password=d["password"],
                                           employment_status=d["employment_status"], graduation_date=d["graduation_date"],
                                           facts=form.facts())
        except ValidationError as error:  # the password validators (issue 8 finding 4)
            form.add_error("password", error)
        except InvalidIdNumber as error:
            form.add_error(error.field_name if error.field_name in form.fields else None, error.message)
        else:
            # One answer whether the person was new or already registered, and no automatic
            # sign-in (which would tell the two apart): no existence oracle (issue 8 finding 6).
            audit_record("registry.person.self_register", after={"new": person is not None})
            done = reverse("registry:registered")
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                done += "?" + urlencode({"next": next_url})
            return redirect(done)
    return render(request, "registry/form.html", {"form": form, "title": _("Trainee registration"), "narrow": True,
                                                  "submit": _("Register"),
                                                  "intro": _("Register with your real name. Your ID number is stored encrypted.")})


def registered(request):
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return render(request, "registry/registered.html", {"next": next_url})


def _own_person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only a registered trainee can enrol: register on the public site first."))
    return person


@login_required
def enrol(request, pk: int):
    announcement = get_object_or_404(published_announcements(), pk=pk)
    klass = announcement.training_class
    person = _own_person(request)
    existing = Enrolment.objects.filter(training_class=klass, person=person).first()
    if existing:
        return redirect("registry:me")
    decision = rules.evaluate_person(person, klass)
    text = commitment_text(person, klass)
    refusal = None
    if request.method == "POST":
        if not request.POST.get("agree"):
            refusal = _("Tick the box to sign the written commitment.")
        else:
            try:
                trainee_enrol_and_sign(klass, person, text=request.POST.get("text", ""), ip=current_actor().ip or
                                       request.META.get("REMOTE_ADDR", ""), user=request.user)
            except RegistryError as error:
                refusal = str(error)
            else:
                messages.success(request, _("Enrolled and commitment signed."))
                return redirect("registry:me")
    return render(request, "registry/enrol.html", {"announcement": announcement, "klass": klass, "decision": decision,
                                                   "text": text, "refusal": refusal})


@login_required
def me(request):
    person = _own_person(request)
    return redirect(reverse("registry:person", args=[person.pk]))


@login_required
def invitation(request, pk: int):
    """A pending enrolment an institution entered for this person: confirm (sign) or decline."""
    person = _own_person(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("training_class__institution", "training_class__occupation"),
                                  pk=pk, person=person, status=Enrolment.Status.APPLIED)
    klass = enrolment.training_class
    text = commitment_text(person, klass)
    refusal = None
    if request.method == "POST":
        try:
            if request.POST.get("decline"):
                enrolment_decline(enrolment, user=request.user)
                messages.success(request, _("Enrolment declined; the institution does not see your record."))
                return redirect("registry:me")
            if not request.POST.get("agree"):
                refusal = _("Tick the box to sign the written commitment.")
            else:
                enrolment_confirm(enrolment, user=request.user, text=request.POST.get("text", ""),
                                  ip=current_actor().ip or request.META.get("REMOTE_ADDR", ""))
                messages.success(request, _("Enrolled and commitment signed."))
                return redirect("registry:me")
        except RegistryError as error:
            refusal = str(error)
    return render(request, "registry/invitation.html", {"enrolment": enrolment, "klass": klass, "text": text,
                                                        "decision": rules.evaluate_person(person, klass),
                                                        "refusal": refusal})
