"""One error shape for the whole API (issue 8, finding 9): every refusal is

    {"code": "not_found", "message": "…", "field": "id_number" | null, "errors": [{"field", "message"}]}

with status 400, 401, 403, 404, 409, 422 or 429. The handlers are registered on the NinjaAPI, so
they apply to every router, and `document_errors` declares them in every operation of the OpenAPI.

- 400 bad_request: malformed request (bad header, NUL character);
- 401 unauthenticated: no valid session or token;
- 403 forbidden: the role, scope or token may not do this (PermissionDenied; CSRF on session writes);
- 404 not_found: no such object within the caller's scope (Http404);
- 409 conflict: clashes with existing data (IntegrityError), or an Idempotency-Key reused;
- 422 invalid: the input breaks a rule (schema validation, django ValidationError, a domain service's
  refusal, a number or text the database cannot hold);
- 429 throttled: too many requests.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError, HttpError, ValidationError

ERROR_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    409: "conflict", 422: "invalid", 429: "throttled",
}
DESCRIPTIONS = {
    400: "Malformed request", 401: "Not authenticated (session or `Authorization: Bearer` token)",
    403: "Not permitted for this role, scope or token", 404: "Not found within your scope",
    409: "Conflicts with existing data, or Idempotency-Key reused with another request",
    422: "Invalid input", 429: "Too many requests",
}
MESSAGES = {
    401: _("Log in or give a valid API token"),
    403: _("You may not do this"),
    404: _("Not found within your scope"),
    409: _("Conflicts with existing data"),
    422: _("Invalid input"),
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "field", "errors"],
    "properties": {
        "code": {"type": "string", "enum": sorted(set(ERROR_CODES.values()))},
        "message": {"type": "string"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "message": {"type": "string"}},
        }},
    },
}
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Repeat a write safely: the same key with the same request replays the stored response "
                   "(`Idempotent-Replayed: true`); the same key with another request is refused with 409. "
                   "Keys are kept per user for DTE_IDEMPOTENCY_HOURS (default 24 h).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_body(status: int, message: str, field: str | None = None, errors: list[dict] | None = None) -> dict:
    message = str(message)  # a lazy translation, in the request's language (default Chinese)
    errors = errors if errors is not None else [{"field": field, "message": message}]
    return {"code": ERROR_CODES.get(status, "error"), "message": message, "field": field, "errors": errors}


def _location(loc) -> str | None:
    parts = [str(part) for part in loc[1:]] if loc and loc[0] in {"body", "query", "path", "header", "cookie", "form", "file"} else [str(p) for p in loc or ()]
    parts = [part for part in parts if part not in {"payload"}]
    return ".".join(parts) or None


def _messages(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": None if name == "__all__" else name, "message": str(message)}
                for name, messages in exc.message_dict.items() for message in messages]
    return [{"field": None, "message": str(message)} for message in exc.messages]


def is_domain_refusal(exc: Exception) -> bool:
    """An exception a domain service raises to refuse input (RegistryError, CatalogueError, …): defined in a
    dte module and a ValueError (or named *Error). Key and storage failures stay server errors."""
    from dte.audit.models import AppendOnlyError
    from dte.privacy.crypto import DecryptionError

    cls = type(exc)
    if not cls.__module__.startswith("dte.") or isinstance(exc, (DecryptionError, AppendOnlyError)):
        return False
    return isinstance(exc, ValueError) or cls.__name__.endswith("Error")


def register_error_handlers(api) -> None:
    def respond(request, status: int, message: str, field: str | None = None, errors: list[dict] | None = None):
        return api.create_response(request, error_body(status, message, field, errors), status=status)

    def on_validation(request, exc: ValidationError):
        errors = [{"field": _location(error.get("loc")), "message": str(error.get("msg", "")).removeprefix("Value error, ")}
                  for error in exc.errors]
        first = errors[0] if errors else {"field": None, "message": MESSAGES[422]}
        return respond(request, 422, first["message"] or MESSAGES[422], first["field"], errors)

    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        message = MESSAGES[401] if isinstance(exc, AuthenticationError) else str(exc)
        if message == "CSRF check Failed":  # ninja's session-auth refusal of a write without the CSRF token
            message = _("CSRF check failed: session writes need the CSRF token")
        # an HttpError may carry a per-row report as `errors` ([{field, message}], e.g. a refused bank file)
        return respond(request, status, message, errors=getattr(exc, "errors", None) or None)

    def on_not_found(request, exc: Http404):
        return respond(request, 404, MESSAGES[404])

    def on_permission_denied(request, exc: PermissionDenied):
        return respond(request, 403, str(exc) or MESSAGES[403])

    def on_django_validation(request, exc: DjangoValidationError):
        errors = _messages(exc) or [{"field": None, "message": MESSAGES[422]}]
        return respond(request, 422, errors[0]["message"], errors[0]["field"], errors)

    def on_integrity(request, exc: IntegrityError):
        return respond(request, 409, MESSAGES[409])

    def on_data_error(request, exc: Exception):
        return respond(request, 422, _("A number is out of range or a text is too long"))

    def on_other(request, exc: Exception):
        if is_domain_refusal(exc):
            field = getattr(exc, "field_name", None) or getattr(exc, "field", None)
            return respond(request, 422, str(exc) or MESSAGES[422], field if isinstance(field, str) else None)
        raise exc  # a real server error: Django logs it and answers 500

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(IntegrityError, on_integrity)
    api.add_exception_handler(DataError, on_data_error)
    api.add_exception_handler(OverflowError, on_data_error)
    api.add_exception_handler(Exception, on_other)


def document_errors(schema: dict) -> dict:
    """Declare the error shape for every operation, and Idempotency-Key on every write."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in DESCRIPTIONS.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": description, **reference}
            if method in WRITE_METHODS:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_PARAMETER["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
    return schema
