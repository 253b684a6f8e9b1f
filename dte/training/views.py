"""Institution staff and teachers: classes, schedule, venues, one session (attendance, flags,
evidence, corrections) and the rotating QR display. Officials read the same pages."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.organisations.roles import ORGANISATION_ROLES
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.registry.models import Enrolment, TrainingClass

from . import rules
from .checks import qr_code, qr_seconds_left, qr_step
from .forms import CorrectionForm, EvidenceForm, ExcuseForm, SessionForm, VenueForm
from .models import Attendance, AttendanceCorrection, AttendanceFlag, CheckInAttempt, ClassSchedule, Session, Venue
from .selectors import flag_members
from .services import (
    TrainingError, attendance_correct, evidence_attach, excuse_grant, schedule_check, schedule_confirm, session_close,
    session_save, venue_save,
)


def is_staff(user) -> bool:
    return user.is_platform_admin or user.role in ORGANISATION_ROLES


def class_for_write(user, pk: int) -> TrainingClass:
    if not is_staff(user):
        raise PermissionDenied(_("Only the institution's staff may change this."))
    return get_scoped_or_404(user, TrainingClass.objects.all(), write=True, pk=pk)


def session_for_write(user, pk: int) -> Session:
    if not is_staff(user):
        raise PermissionDenied(_("Only the institution's staff may change this."))
    return get_scoped_or_404(user, Session.objects.select_related("training_class", "venue"), write=True, pk=pk)


def _run(request, fn, success: str, **kwargs):
    try:
        result = fn(**kwargs)
    except TrainingError as error:
        messages.error(request, str(error))
        return None
    messages.success(request, success)
    return result


@login_required
def classes(request):
    qs = scoped(request.user, TrainingClass.objects.select_related("institution", "occupation")).order_by("-start_date", "pk")
    return render(request, "training/classes.html", {"classes": qs[:200], "staff": is_staff(request.user)})


@login_required
def class_detail(request, pk: int):
    tc = get_scoped_or_404(request.user, TrainingClass.objects.select_related("institution", "occupation"), pk=pk)
    form = SessionForm(training_class=tc)
    if request.method == "POST":
        tc = class_for_write(request.user, pk)
        if request.POST.get("action") == "confirm":
            _run(request, schedule_confirm, _("Schedule confirmed."), training_class=tc, by=request.user)
            return redirect("training:class", pk=pk)
        form = SessionForm(request.POST, training_class=tc)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items()}
            if _run(request, session_save, _("Session added."), training_class=tc, by=request.user, **fields):
                return redirect("training:class", pk=pk)
    sessions = list(tc.sessions.select_related("venue", "teacher", "makeup_for"))
    return render(request, "training/class.html", {
        "tc": tc, "sessions": sessions, "form": form, "problems": schedule_check(tc, sessions),
        "required": rules.required_hours(tc), "cap": rules.online_cap(tc), "video": rules.requires_full_video(tc),
        "location": rules.requires_location_checkin(tc), "staff": is_staff(request.user),
        "confirmed": ClassSchedule.objects.filter(training_class=tc).first(),
        "total": sum(s.hours for s in sessions if not s.makeup_for_id),
        "online": sum(s.hours for s in sessions if not s.makeup_for_id and s.delivery == Session.Delivery.ONLINE),
    })


@login_required
def session_edit(request, pk: int):
    session = session_for_write(request.user, pk)
    tc = session.training_class
    form = SessionForm(request.POST or None, instance=session, training_class=tc)
    if request.method == "POST" and form.is_valid():
        original = Session.objects.get(pk=pk)  # the form mutated `session`; the service re-applies the fields
        if _run(request, session_save, _("Session changed."), training_class=tc, by=request.user, session=original,
                **form.cleaned_data):
            return redirect("training:class", pk=tc.pk)
    return render(request, "training/form.html", {"form": form, "title": str(session), "back": reverse("training:class", args=[tc.pk])})


@login_required
def venues(request):
    qs = scoped(request.user, Venue.objects.select_related("institution", "division"))
    form = VenueForm()
    if request.method == "POST":
        if not is_staff(request.user) or request.user.organisation is None:
            raise PermissionDenied(_("Only the institution's staff may add venues."))
        form = VenueForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["polygon"] = data.pop("polygon_text")
            if _run(request, venue_save, _("Venue saved."), institution=request.user.organisation, by=request.user, **data):
                return redirect("training:venues")
    return render(request, "training/venues.html", {"venues": qs, "form": form, "staff": is_staff(request.user)})


@login_required
def session_detail(request, pk: int):
    session = get_scoped_or_404(request.user, Session.objects.select_related("training_class", "venue", "teacher"), pk=pk)
    tc = session.training_class
    if request.method == "POST":
        session = session_for_write(request.user, pk)
        action = request.POST.get("action")
        if action == "correct":
            form = CorrectionForm(request.POST)
            if form.is_valid():
                e = get_scoped_or_404(request.user, Enrolment.objects.filter(training_class=tc), pk=form.cleaned_data["enrolment"])
                _run(request, attendance_correct, _("Corrected."), session=session, enrolment=e, by=request.user,
                     reason=form.cleaned_data["reason"], status=form.cleaned_data["status"])
        elif action == "excuse":
            form = ExcuseForm(request.POST)
            if form.is_valid():
                e = get_scoped_or_404(request.user, Enrolment.objects.filter(training_class=tc), pk=form.cleaned_data["enrolment"])
                _run(request, excuse_grant, _("Excused."), session=session, enrolment=e, by=request.user,
                     reason=form.cleaned_data["reason"])
        elif action == "evidence":
            form = EvidenceForm(request.POST, request.FILES)
            if form.is_valid():
                _run(request, evidence_attach, _("Uploaded."), session=session, upload=form.cleaned_data["file"], by=request.user)
            else:
                messages.error(request, _("Choose a file."))
        elif action == "close":
            _run(request, session_close, _("Absentees recorded."), session=session, by=request.user)
        return redirect("training:session", pk=pk)
    corrections = Prefetch("corrections", queryset=AttendanceCorrection.objects.select_related("by"))
    records = {a.enrolment_id: a for a in scoped(request.user, Attendance.objects.filter(session=session)).prefetch_related(corrections)}
    enrolments = scoped(request.user, tc.enrolments.exclude(status__in=[Enrolment.Status.APPLIED, Enrolment.Status.WITHDRAWN])
                        .select_related("person").order_by("person__name"))
    rows = [(e, records.get(e.pk)) for e in enrolments]
    names = {e.pk: e.person.name for e, _ in rows}
    return render(request, "training/session.html", {
        "session": session, "tc": tc, "rows": rows, "staff": is_staff(request.user),
        "flags": [(f, [names.get(i, "—") for i in flag_members(f)])
                  for f in scoped(request.user, AttendanceFlag.objects.filter(session=session))],
        "attempts": scoped(request.user, CheckInAttempt.objects.filter(session=session, accepted=False).select_related("enrolment__person"))[:100],
        "evidence": session.evidence.all(), "statuses": CorrectionForm().fields["status"].choices,
        "corrections": [c for a in records.values() for c in a.corrections.all()],
        "ended": session.ends_at < timezone.now(),
    })


def _qr_payload(request, session: Session) -> dict:
    now = timezone.now()
    code = qr_code(session.qr_secret, qr_step(now))
    url = request.build_absolute_uri(reverse("training:checkin", args=[session.pk])) + f"?code={code}"
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    return {"code": code, "svg": svg, "seconds_left": qr_seconds_left(now), "url": url}


@login_required
def session_qr(request, pk: int):
    """Teacher's display: the rotating QR code (refreshes itself)."""
    session = session_for_write(request.user, pk)
    return render(request, "training/qr.html", {"session": session, "qr": _qr_payload(request, session)})


@login_required
def session_qr_json(request, pk: int):
    session = session_for_write(request.user, pk)
    return JsonResponse(_qr_payload(request, session))
