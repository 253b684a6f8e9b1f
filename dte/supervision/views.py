"""Supervision pages: the public complaint form and tracking; for bureau staff the deadline
monitor, notifications, complaints, spot-check draws, inspections, risk signals. Thin: every
decision is in services/."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import get_scoped_or_404, scoped
from dte.policy.packs import PACK_MODULES, get_pack
from dte.registry.tables import Column, list_page

from .clocks import clocks_for
from .forms import (
    CloseForm, DismissForm, DrawForm, FindingForm, FollowUpForm, HotlineComplaintForm, InspectionForm,
    PublicComplaintForm, ReplyForm, SanctionForm, TrackForm,
)
from .models import Complaint, FollowUp, Inspection, Notification, SampleDraw
from .services import complaints as complaint_services
from .services import inspections as inspection_services
from .services import risk as risk_services
from .services import spot_checks
from .services.errors import SupervisionError
from .services.notifications import notification_read

SUPERVISORS = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER, Role.AUDITOR, Role.THIRD_PARTY_EVALUATOR, Role.SYSADMIN}


def _require_supervisor(user) -> None:
    if not (user.is_platform_admin or user.role in SUPERVISORS):
        raise PermissionDenied(_("Only supervising bureaus see this."))


def province_packs():
    """The provinces the platform serves: one per policy pack (a new province is a new pack)."""
    return [get_pack(code) for code in PACK_MODULES]


def _province_prefix(user) -> str:
    return user.organisation.division_id[:2] if user.organisation else ""


# --- public ---------------------------------------------------------------------------------------------


def public_complaint(request):
    form = PublicComplaintForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            complaint = complaint_services.complaint_submit(
                category=d["category"], summary=d["summary"], channel=Complaint.Channel.PUBLIC_FORM,
                institution=d["institution"], name=d["name"], phone=d["phone"])
        except SupervisionError as error:
            refusal = str(error)
        else:
            return render(request, "supervision/public_received.html", {"complaint": complaint})
    hotlines = [(pack.name, *complaint_services.hotline_for(pack.division_code)) for pack in province_packs()]
    return render(request, "supervision/public_complaint.html", {"form": form, "refusal": refusal, "hotlines": hotlines})




def public_track(request):
    form = TrackForm(request.GET or None)
    complaint, searched = None, False
    if form.is_valid():
        searched = True
        complaint = complaint_services.complaint_track(form.cleaned_data["code"])
    replies = complaint.replies.filter(visible_to_complainant=True) if complaint else []
    return render(request, "supervision/public_track.html", {"form": form, "complaint": complaint, "searched": searched,
                                                             "replies": replies})


# --- monitor and notifications ---------------------------------------------------------------------------


@login_required
def monitor(request):
    today = timezone.localdate()
    clocks = [(c, c.state(today), c.days_left(today)) for c in clocks_for(request.user, today)]
    order = {"overdue": 0, "due_today": 1, "due_soon": 2, "running": 3}
    clocks.sort(key=lambda row: (order[row[1]], row[0].due_on))
    return render(request, "supervision/monitor.html", {"clocks": clocks, "today": today})


@login_required
def notifications(request):
    if request.method == "POST" and request.POST.get("id"):
        notification = notification_read(request.user, int(request.POST["id"]))
        if notification and notification.url:
            return redirect(notification.url)
        return redirect("supervision:notifications")
    items = Notification.objects.filter(user=request.user)[:200]
    return render(request, "supervision/notifications.html", {"items": items})


# --- complaints ---------------------------------------------------------------------------------------------


@login_required
def complaints(request):
    _require_supervisor(request.user)
    qs = scoped(request.user, Complaint.objects.select_related("institution", "division"))
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    actions = [(_("Enter a hotline complaint"), reverse("supervision:hotline"))] if request.user.role in complaint_services.HANDLER_ROLES else []
    return list_page(request, title=_("Complaints and reports"), queryset=qs, export_name="complaints", actions=actions, columns=[
        Column(_("Tracking code"), lambda c: c.tracking_code, link=lambda c: reverse("supervision:complaint", args=[c.pk])),
        Column(_("Category"), lambda c: c.get_category_display()),
        Column(_("Channel"), lambda c: c.get_channel_display()),
        Column(_("Institution concerned"), lambda c: c.institution.name if c.institution else "—"),
        Column(_("Received on"), lambda c: c.received_on),
        Column(_("Reply due by"), lambda c: c.due_on),
        Column(_("Status"), lambda c: c.get_status_display()),
    ], filters=[("status", _("Status"), Complaint.Status.choices)])


@login_required
def hotline(request):
    if request.user.role not in complaint_services.HANDLER_ROLES:
        raise PermissionDenied(_("Only bureau staff enter hotline complaints."))
    form = HotlineComplaintForm(request.POST or None, province_prefix=_province_prefix(request.user))
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            complaint = complaint_services.complaint_submit(
                category=d["category"], summary=d["summary"], channel=Complaint.Channel.HOTLINE,
                institution=d["institution"], name=d["name"], phone=d["phone"], entered_by=request.user)
        except SupervisionError as error:
            refusal = str(error)
        else:
            messages.success(request, _("Complaint recorded with tracking code %(code)s.") % {"code": complaint.tracking_code})
            return redirect("supervision:complaint", complaint.pk)
    return render(request, "registry/form.html", {"form": form, "refusal": refusal, "title": _("Enter a hotline complaint")})


@login_required
def complaint(request, pk: int):
    _require_supervisor(request.user)
    item = get_scoped_or_404(request.user, Complaint.objects.select_related("institution", "bureau", "division"), pk=pk)
    form, refusal = ReplyForm(request.POST or None), None
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("in_progress", "closed"):
                complaint_services.complaint_set_status(item, request.POST["action"], by=request.user)
            elif form.is_valid():
                complaint_services.complaint_reply(item, form.cleaned_data["text"], by=request.user,
                                                   visible=form.cleaned_data["visible"])
            else:
                raise SupervisionError(_("Write the reply."))
        except SupervisionError as error:
            refusal = str(error)
        else:
            return redirect("supervision:complaint", item.pk)
    return render(request, "supervision/complaint.html", {
        "c": item, "form": form, "refusal": refusal, "replies": item.replies.select_related("by"),
        "may_handle": request.user.role in complaint_services.HANDLER_ROLES,
        "inspections": item.inspections.all(), "days_left": (item.due_on - timezone.localdate()).days,
    })


# --- spot checks and inspections ------------------------------------------------------------------------


@login_required
def draws(request):
    _require_supervisor(request.user)
    form, refusal = DrawForm(request.POST or None), None
    if request.method == "POST" and form.is_valid():
        try:
            draw = spot_checks.sample_draw_create(request.user, **form.cleaned_data)
        except SupervisionError as error:
            refusal = str(error)
        else:
            return redirect("supervision:draw", draw.pk)
    items = scoped(request.user, SampleDraw.objects.select_related("drawn_by"))[:100]
    return render(request, "supervision/draws.html", {"form": form, "refusal": refusal, "items": items,
                                                      "may_draw": request.user.role in spot_checks.DRAWER_ROLES})


@login_required
def draw(request, pk: int):
    _require_supervisor(request.user)
    item = get_scoped_or_404(request.user, SampleDraw.objects.all(), pk=pk)
    if item.target == SampleDraw.Target.CLASSES:
        from dte.registry.models import TrainingClass

        objects = TrainingClass.objects.select_related("institution").in_bulk(item.drawn)
        rows = [(objects[i].institution, objects[i], item.weights.get(str(i), 1)) for i in item.drawn if i in objects]
    else:
        objects = Organisation.objects.in_bulk(item.drawn)
        rows = [(objects[i], None, item.weights.get(str(i), 1)) for i in item.drawn if i in objects]
    reproduced = spot_checks.sample_draw_reproduce(item) == item.drawn
    return render(request, "supervision/draw.html", {"d": item, "rows": rows, "reproduced": reproduced,
                                                     "form": InspectionForm(initial={"planned_on": timezone.localdate()})})


@login_required
@require_POST
def inspection_new(request):
    form = InspectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kind and the planned date."))
        return redirect(request.POST.get("next") or "supervision:inspections")
    institution = get_scoped_or_404(request.user, Organisation.objects.all(), pk=request.POST.get("institution"))
    training_class = None
    if request.POST.get("training_class"):
        from dte.registry.models import TrainingClass

        training_class = get_scoped_or_404(request.user, TrainingClass.objects.all(), pk=request.POST["training_class"])
    draw_obj = SampleDraw.objects.filter(pk=request.POST.get("draw") or None).first()
    complaint_obj = scoped(request.user, Complaint.objects.filter(pk=request.POST.get("complaint") or None)).first()
    try:
        inspection = inspection_services.inspection_open(
            request.user, institution=institution, training_class=training_class, draw=draw_obj, complaint=complaint_obj,
            **form.cleaned_data)
        if complaint_obj is not None:
            complaint_services.complaint_link(complaint_obj, inspection, by=request.user)
    except SupervisionError as error:
        messages.error(request, str(error))
        return redirect(request.POST.get("next") or "supervision:inspections")
    return redirect("supervision:inspection", inspection.pk)


@login_required
def inspections(request):
    _require_supervisor(request.user)
    qs = scoped(request.user, Inspection.objects.select_related("institution", "training_class"))
    if request.GET.get("status"):
        qs = qs.filter(status=request.GET["status"])
    return list_page(request, title=_("Inspections"), queryset=qs, export_name="inspections", columns=[
        Column(_("Institution"), lambda i: i.institution.name, link=lambda i: reverse("supervision:inspection", args=[i.pk])),
        Column(_("Class"), lambda i: i.training_class.title if i.training_class else "—"),
        Column(_("Kind"), lambda i: i.get_kind_display()),
        Column(_("Planned on"), lambda i: i.planned_on),
        Column(_("Status"), lambda i: i.get_status_display()),
    ], filters=[("status", _("Status"), Inspection.Status.choices)])


@login_required
def inspection(request, pk: int):
    _require_supervisor(request.user)
    item = get_scoped_or_404(request.user, Inspection.objects.select_related("institution", "training_class"), pk=pk)
    forms = {"finding": FindingForm(), "follow_up": FollowUpForm(), "close": CloseForm(),
             "sanction": SanctionForm(inspection=item)}
    refusal = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            refusal = _inspection_action(request, item, action, forms)
        except SupervisionError as error:
            refusal = str(error)
        if refusal is None:
            return redirect("supervision:inspection", item.pk)
    return render(request, "supervision/inspection.html", {
        "i": item, "forms": forms, "refusal": refusal, "findings": item.findings.select_related("by"),
        "follow_ups": item.follow_ups.all(), "sanctions": [s for f in item.findings.all() for s in f.sanctions.all()],
        "may_act": request.user.role in inspection_services.INSPECTOR_ROLES,
        "may_sanction": request.user.role in inspection_services.SANCTION_ROLES,
    })


def _inspection_action(request, item, action, forms) -> str | None:
    """Runs one posted action; returns a refusal text for an invalid form, None when done."""
    if action == "follow_up_done":
        follow_up = get_scoped_or_404(request.user, FollowUp.objects.all(), pk=request.POST.get("follow_up"))
        inspection_services.follow_up_done(follow_up, request.user, note=request.POST.get("note", ""))
        return None
    form_class = {"finding": FindingForm, "follow_up": FollowUpForm, "close": CloseForm, "sanction": SanctionForm}.get(action)
    if form_class is None:
        return _("Unknown action.")
    kwargs = {"inspection": item} if action == "sanction" else {}
    form = forms[action] = form_class(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        return _("Please correct the fields marked below.")
    d = form.cleaned_data
    if action == "finding":
        inspection_services.finding_record(item, request.user, severity=d["severity"], text=d["text"], evidence=d["evidence"])
    elif action == "follow_up":
        inspection_services.follow_up_add(item, request.user, action=d["action"], due_on=d["due_on"])
    elif action == "close":
        inspection_services.inspection_set_status(item, Inspection.Status.CLOSED, by=request.user, conclusion=d["conclusion"])
    else:
        inspection_services.sanction_impose(d["finding"], request.user, kind=d["kind"], reason=d["reason"],
                                            document=d["document"], effective_on=d["effective_on"])
        messages.success(request, _("Sanction imposed; the catalogue listing changed and the institution is barred."))
    return None


# --- risk signals --------------------------------------------------------------------------------------


@login_required
def signals(request):
    _require_supervisor(request.user)
    refusal = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                form = DismissForm(request.POST)
                if not form.is_valid():
                    raise SupervisionError(_("Give the reason for dismissing the signal."))
                risk_services.signal_dismiss(request.user, form.cleaned_data["key"], kind=request.POST.get("signal_kind", ""),
                                             reason=form.cleaned_data["reason"])
                messages.success(request, _("Signal dismissed; the reason is in the audit trail."))
                return redirect("supervision:signals")
            inspection = risk_services.signal_inspect(request.user, request.POST.get("key", ""),
                                                      signal_kind=request.POST.get("signal_kind", ""), kind=request.POST.get("kind", Inspection.Kind.DOCUMENTS),
                                                      planned_on=date.today())
            return redirect("supervision:inspection", inspection.pk)
        except SupervisionError as error:
            refusal = str(error)
    items = risk_services.risk_signals(request.user)
    return render(request, "supervision/signals.html", {
        "items": items, "kinds": risk_services.KINDS, "refusal": refusal, "inspection_kinds": Inspection.Kind.choices,
        "may_act": request.user.role in inspection_services.INSPECTOR_ROLES,
        "institutions": Organisation.objects.in_bulk({s.institution_id for s in items if s.institution_id}),
    })
