from importlib import import_module, util

from django.conf import settings


def _app_links(request):
    """Links to the current app's main lists: the app's own workbench tiles for this user (same role rules),
    so a page never offers a list the user may not open. Computed only when a template asks for it."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    app = match.app_name if match else ""
    if user is None or not user.is_authenticated or not app or app == "web":
        return []
    module = f"dte.{app}.workbench"
    if f"dte.{app}" not in settings.DTE_APPS or not util.find_spec(module):
        return []
    links, seen = [], set()
    for tile in sorted(import_module(module).tiles(user), key=lambda t: (t.order, str(t.title))):
        if str(tile.title) not in seen:
            seen.add(str(tile.title))
            links.append({"title": tile.title, "url": tile.url})
    return links


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "APP_TITLE": settings.APP_TITLE,
        "current_role": user.get_role_display() if user is not None and user.is_authenticated else "",
        "app_nav": lambda: _app_links(request),
    }
