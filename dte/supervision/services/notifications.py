"""Reminders of running clocks: in-app (the bell) and by e-mail through Django's e-mail backend
(console by default, configurable). A reminder goes out `DTE_REMIND_DAYS_BEFORE` days before a
due date, on the day, and once when it has passed — each exactly once per user, guaranteed by
the unique (user, event) row written before the e-mail is sent."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dte.organisations.models import User
from dte.organisations.roles import Role

from ..clocks import clocks_for
from ..models import Notification

STAFF_ROLES = [r for r in Role.values if r != Role.TRAINEE]
STAGE_FOR_STATE = {"due_soon": Notification.Stage.BEFORE, "due_today": Notification.Stage.DUE,
                   "overdue": Notification.Stage.OVERDUE}


def _notify(user, clock, stage: str) -> Notification | None:
    label = Notification.Stage(stage).label
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, event=f"{clock.key}:{stage}"[:96], stage=stage, title=f"{label}：{clock.kind} · {clock.subject}"[:255],
                url=clock.url, due_on=clock.due_on,
            )
    except IntegrityError:  # already sent for this event
        return None
    if user.email:
        send_mail(subject=notification.title, message=_("Due on %(date)s: %(url)s") % {
            "date": clock.due_on, "url": settings.PUBLIC_BASE_URL + clock.url}, from_email=None,
            recipient_list=[user.email], fail_silently=True)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def notifications_send(today: date | None = None, users=None) -> int:
    """One pass of the daily job; returns how many new notifications were made."""
    today = today or timezone.localdate()
    users = users if users is not None else User.objects.filter(is_active=True, role__in=STAFF_ROLES).select_related(
        "organisation__division")
    sent = 0
    for user in users:
        for clock in clocks_for(user, today):
            stage = STAGE_FOR_STATE.get(clock.state(today))
            if stage and _notify(user, clock, stage):
                sent += 1
    return sent


@lru_cache(maxsize=1)
def _unread_sql() -> str:
    """The bell's COUNT, written once: building and compiling the same queryset on every page cost about
    0.3 ms of Python, more than PostgreSQL spends on it (issue 12 item 4)."""
    meta, quote = Notification._meta, connections[Notification.objects.db].ops.quote_name
    return (f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('user').column)} = %s"
            f" AND {quote(meta.get_field('read_at').column)} IS NULL")


def notifications_unread(user) -> int:
    """Notification.objects.filter(user=user, read_at__isnull=True).count(), as SQL written once."""
    if not user.is_authenticated:
        return 0
    with connections[Notification.objects.db].cursor() as cursor:
        cursor.execute(_unread_sql(), [user.pk])
        return cursor.fetchone()[0]


def notification_read(user, notification_id: int) -> Notification | None:
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
