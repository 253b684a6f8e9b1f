"""The bell: unread notifications on every page for a logged-in user (one indexed COUNT, SQL written once)."""

from .services.notifications import notifications_unread


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread(user)}
