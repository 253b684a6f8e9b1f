"""URL root. Each domain app that has a `urls.py` is mounted under its own prefix,
and each that has `api.py` with a `router` joins the one OpenAPI at /api/."""

from importlib import util

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from dte.api import api
from dte.ops import views as ops_views
from dte.web.login import admin_login

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),  # liveness (issue 12 item 7)
    path("readyz", ops_views.readyz, name="readyz"),  # readiness: database, migrations, Redis, queue depth
    path("health/", ops_views.healthz),  # the liveness probe's old address, kept for monitors that still call it
    path("admin/login/", admin_login),  # the one login page: lockout and MFA (issue 8 finding 4)
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

for app in settings.DTE_APPS:
    if app == "dte.web":
        continue
    if util.find_spec(f"{app}.urls"):
        label = app.rsplit(".", 1)[-1]
        urlpatterns.append(path(f"{label}/", include(f"{app}.urls")))

# The web shell (login, workbench, public pages) owns the site root.
urlpatterns.append(path("", include("dte.web.urls")))
# No static serving of MEDIA_URL, not even under DEBUG: uploaded and generated files are encrypted at rest
# and served only by views that check role and scope and audit the download (dte/privacy/views.py).

