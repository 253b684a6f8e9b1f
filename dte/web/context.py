from django.conf import settings


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "APP_TITLE": settings.APP_TITLE,
        "current_role": user.get_role_display() if user is not None and user.is_authenticated else "",
    }
