"""One OpenAPI for the platform (django-ninja). Each domain app contributes `api.router`.

At the NinjaAPI level, so that every router gets it without doing anything (issue 8, finding 9):
- authentication: the browser session (CSRF-checked on writes) or `Authorization: Bearer dte_…`
  (no CSRF: machine clients), limited to the token's access and endpoint groups;
- one error shape for 400/401/403/404/409/422/429 (dte/api_errors.py), declared in the OpenAPI;
- every request runs in one transaction, rolled back when the answer is an error, so a refused
  write leaves nothing behind and a database error never poisons the connection — except an endpoint
  whose function is marked `own_transaction = True`: its writes are each one statement or their own
  atomic block and it writes nothing before an error answer, so the wrapping transaction would only add
  BEGIN and COMMIT round trips (the check-in hot path, issue 12 item 2);
- `Idempotency-Key` on every write (dte/organisations/idempotency.py).
"""

from functools import wraps
from importlib import import_module, util

from django.conf import settings
from django.db import transaction
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import PathView

from dte.api_errors import document_errors, error_body, register_error_handlers
from dte.organisations.idempotency import (
    HEADER, MAX_KEY_LENGTH, caller_of, fingerprint_of, idempotency_claim, idempotency_replay, idempotency_store,
)
from dte.organisations.tokens import SessionAuth, TokenAuth

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _run_atomically(view, request, *args, **kwargs):
    if getattr(view, "own_transaction", False):
        return view(request, *args, **kwargs)
    with transaction.atomic():
        response = view(request, *args, **kwargs)
        if response.status_code >= 400:
            transaction.set_rollback(True)
    return response


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))

    def _error(self, request, status: int, message: str, field: str | None = None):
        return self.create_response(request, error_body(status, message, field), status=status)

    def _guarded(self, view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            key = request.headers.get(HEADER)
            if request.method not in WRITE_METHODS or key is None:
                return _run_atomically(view, request, *args, **kwargs)
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
                return self._error(request, 400, _("%(header)s must be 1–%(max)s printable characters")
                                   % {"header": HEADER, "max": MAX_KEY_LENGTH}, HEADER)
            user = caller_of(request)
            if user is None:  # anonymous: authentication refuses it
                return _run_atomically(view, request, *args, **kwargs)
            fingerprint = fingerprint_of(request)
            claim, existing = idempotency_claim(user, key, fingerprint)
            if existing is not None:
                if existing.fingerprint != fingerprint:
                    return self._error(request, 409, _("This %(header)s was used for a different request") % {"header": HEADER}, HEADER)
                if existing.status_code is None:
                    return self._error(request, 409, _("A request with this %(header)s is still being processed")
                                       % {"header": HEADER}, HEADER)
                return idempotency_replay(existing)
            try:
                response = _run_atomically(view, request, *args, **kwargs)
            except BaseException:
                idempotency_store(claim, _Failed())
                raise
            idempotency_store(claim, response)
            return response

        return guarded

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback.own_transaction = _own_transaction(pattern.callback)
                pattern.callback = self._guarded(pattern.callback)
        return urls


def _own_transaction(callback) -> bool:
    """Whether every operation of a URL's ninja path view is marked `own_transaction` (see the module's
    docstring); False when the path view cannot be found, so the request transaction stays the default."""
    for cell in getattr(callback, "__closure__", None) or ():
        path_view = cell.cell_contents
        if isinstance(path_view, PathView):
            return bool(path_view.operations) and all(getattr(op.view_func, "own_transaction", False)
                                                       for op in path_view.operations)
    return False


class _Failed:
    status_code = 500


api = PlatformAPI(
    title="数字技术工程师培育平台 API",
    version="1",
    description=(
        "Digital Technology Engineer Cultivation Platform. Authenticate with the web session (browser; writes need "
        "the CSRF token) or `Authorization: Bearer dte_…` (machine clients; tokens are created by an organisation's "
        "staff under 'API tokens' in the web UI, or `dte token create USER NAME`, and are limited to reading or "
        "writing and to chosen endpoint groups). Every list is scoped to the caller's jurisdiction or organisation. "
        "Errors share one shape: `{code, message, field, errors}`. Every write accepts an `Idempotency-Key` header."
    ),
    auth=[SessionAuth(), TokenAuth()],
    urls_namespace="api",
)
register_error_handlers(api)

for app in settings.DTE_APPS:
    if util.find_spec(f"{app}.api"):
        module = import_module(f"{app}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(f"/{app.rsplit('.', 1)[-1]}/", router)
