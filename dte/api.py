"""One OpenAPI for the platform (django-ninja). Each domain app contributes `api.router`."""

from importlib import import_module, util

from django.conf import settings
from ninja import NinjaAPI
from ninja.security import django_auth

from dte.organisations.tokens import TokenAuth

api = NinjaAPI(
    title="数字技术工程师培育平台 API",
    version="1",
    description=(
        "Digital Technology Engineer Cultivation Platform. Authenticate with the web session (browser) or "
        "`Authorization: Bearer dte_…` (machine clients; `dte token create USER NAME`). Every list is scoped "
        "to the caller's jurisdiction or organisation."
    ),
    auth=[django_auth, TokenAuth()],
    urls_namespace="api",
)

for app in settings.DTE_APPS:
    if util.find_spec(f"{app}.api"):
        module = import_module(f"{app}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{app.rsplit('.', 1)[-1]}/", router)
