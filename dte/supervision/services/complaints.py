"""投诉举报: complaints and reports from the public form or the hotline, routed to the bureau
responsible for the institution's area, answered within a time limit.

津人社办发〔2022〕94号 四(三): 市人社局公布社会监督电话、受理投诉举报; 云人社通〔2023〕39号 五:
构建政府监管、机构自律、社会监督的监督体系. The reply time limit is a pack deadline
(`deadline_complaint_reply`, a platform baseline until a province sets its own)."""

from __future__ import annotations

import secrets
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from dte.audit.services import audit_record
from dte.geography.models import Division
from dte.organisations.models import Organisation
from dte.organisations.roles import Role
from dte.organisations.scoping import can_access
from dte.policy.services import pack_for_division
from dte.privacy.idnumber import InvalidIdNumber, validate_phone
from dte.workdays.services import add_period

from ..models import Complaint, ComplaintReply
from .errors import SupervisionError

# Unambiguous characters (no 0/O, 1/I/L) so a code read out on the phone is understood.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
HANDLER_ROLES = {Role.PROVINCE_OFFICER, Role.LOCAL_OFFICER}
S = Complaint.Status
TRANSITIONS = {
    S.RECEIVED: {S.IN_PROGRESS, S.REPLIED, S.CLOSED},
    S.IN_PROGRESS: {S.REPLIED, S.CLOSED},
    S.REPLIED: {S.IN_PROGRESS, S.CLOSED},
    S.CLOSED: set(),
}


def tracking_code_new() -> str:
    return "TS" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


def bureau_for(division: Division) -> Organisation | None:
    """The human-resources bureau nearest to a division: county, then prefecture, then province."""
    codes = [division.code, division.code[:4] + "00", division.code[:2] + "0000"]
    bureaus = {o.division_id: o for o in Organisation.objects.filter(kind=Organisation.Kind.BUREAU, division_id__in=codes)}
    return next((bureaus[c] for c in codes if c in bureaus), None)


def hotline_for(division_code: str) -> tuple[str, str]:
    """The province's supervision hotline and where the number comes from (pack parameter)."""
    pack = pack_for_division(division_code)
    if pack is None:
        return "", ""
    p = pack._bound(None)
    return p.get("supervision_hotline") or "", p.citation("supervision_hotline")


def reply_deadline(division_code: str, received_on: date):
    pack = pack_for_division(division_code)
    rule = pack.deadlines(received_on).get("complaint_reply") if pack else None
    if rule is None:
        raise SupervisionError(_("No reply time limit is set for this province."))
    return add_period(received_on, rule.days, rule.unit), rule.citation


@transaction.atomic
def complaint_submit(
    *, category: str, summary: str, channel: str, institution: Organisation | None = None, training_class=None,
    division: Division | None = None, name: str = "", phone: str = "", entered_by=None, received_on: date | None = None,
) -> Complaint:
    """Record a complaint and route it. Anonymous unless a name or phone is given."""
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise SupervisionError(_("Please describe what happened (at least 10 characters)."))
    if category not in Complaint.Category.values:
        raise SupervisionError(_("Choose a category."))
    if channel == Complaint.Channel.HOTLINE and (entered_by is None or entered_by.role not in HANDLER_ROLES):
        raise SupervisionError(_("Only bureau staff enter hotline complaints."))
    if training_class is not None:
        institution = training_class.institution
    if institution is not None:
        division = institution.division
    if division is None:
        raise SupervisionError(_("Choose the institution or the area the complaint concerns."))
    if phone:
        try:
            phone = validate_phone(phone)
        except InvalidIdNumber as error:
            raise SupervisionError(str(error)) from None
    received_on = received_on or date.today()
    due, citation = reply_deadline(division.code, received_on)
    complaint = Complaint.objects.create(
        tracking_code=tracking_code_new(), category=category, channel=channel, summary=summary,
        institution=institution, training_class=training_class, division=division, bureau=bureau_for(division),
        anonymous=not (name or phone), complainant_name=name.strip()[:64], complainant_phone=phone,
        received_on=received_on, due_on=due.date, due_provisional=due.provisional, due_citation=citation,
        entered_by=entered_by,
    )
    audit_record("supervision.complaint.submit", obj=complaint, actor=entered_by,
                 after={"category": category, "channel": channel, "institution": institution.name if institution else "",
                        "due_on": complaint.due_on}, division_code=division.code)
    return complaint


def _require_handler(user, complaint: Complaint) -> None:
    if user.role not in HANDLER_ROLES or not can_access(user, complaint, write=True):
        raise SupervisionError(_("Only the responsible bureau handles this complaint."))


def complaint_set_status(complaint: Complaint, new: str, *, by, today: date | None = None) -> Complaint:
    _require_handler(by, complaint)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if new not in TRANSITIONS[complaint.status]:
            raise SupervisionError(_("This complaint cannot move from “%(old)s” to “%(new)s”.") % {
                "old": S(complaint.status).label, "new": S(new).label})
        before = complaint.status
        complaint.status = new
        today = today or date.today()
        if new == S.REPLIED and complaint.replied_on is None:
            complaint.replied_on = today
        if new == S.CLOSED:
            complaint.closed_on = today
        complaint.save(update_fields=["status", "replied_on", "closed_on"])
        audit_record("supervision.complaint.set_status", obj=complaint, before={"status": before},
                     after={"status": new}, division_code=complaint.division_id)
    return complaint


def complaint_reply(complaint: Complaint, text: str, *, by, visible: bool = True, today: date | None = None) -> ComplaintReply:
    _require_handler(by, complaint)
    text = (text or "").strip()
    if not text:
        raise SupervisionError(_("Write the reply."))
    with transaction.atomic():
        reply = ComplaintReply.objects.create(complaint=complaint, text=text, visible_to_complainant=visible, by=by)
        if visible and complaint.status in (S.RECEIVED, S.IN_PROGRESS):
            complaint_set_status(complaint, S.REPLIED, by=by, today=today)
        audit_record("supervision.complaint.reply", obj=complaint, after={"visible": visible},
                     division_code=complaint.division_id)
    return reply


def complaint_link(complaint: Complaint, target, *, by) -> Complaint:
    """Tie the case to what it concerns (an inspection, a claim, a class …)."""
    _require_handler(by, complaint)
    label = f"{target._meta.label}:{target.pk}"
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if label not in complaint.links:
            complaint.links = [*complaint.links, label]
            complaint.save(update_fields=["links"])
            audit_record("supervision.complaint.link", obj=complaint, after={"link": label},
                         division_code=complaint.division_id)
    return complaint


def complaint_track(code: str) -> Complaint | None:
    """The public follow-up by tracking code: only the exact code finds anything."""
    code = (code or "").strip().upper()
    if len(code) != 12 or not code.startswith("TS"):
        return None
    return Complaint.objects.filter(tracking_code=code).first()
