"""API tokens for machine clients (an institution's own learning platform pushing check-ins
and online study time). The token is shown once; only its SHA-256 is stored. A token acts
as its user, so every scoping rule applies unchanged, and it is further limited to reading or
also writing, and to the endpoint groups (the API's routers: /api/<group>/…) chosen when it
was created (issue 8, finding 9).

Who manages tokens (our reading of "an organisation's administrator"; the platform has no
separate administrator role): every account of an organisation that may act for it (institution
staff, bureau officers, finance) administers its organisation's machine access; it sees and
revokes all of its organisation's tokens, and creates tokens that act as itself, so a token never
exceeds its creator's rights. Read-only roles (auditors, third-party evaluators) and trainees
cannot. Platform administrators manage every organisation's tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module, util

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from .roles import OWNER_ROLES, READ_ONLY_ROLES
from .scoping import Scope

PREFIX = "dte_"
ALL_GROUPS = "*"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _all_groups() -> list[str]:
    return [ALL_GROUPS]


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey("organisations.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    access = models.CharField(_("access"), max_length=8, choices=Access.choices, default=Access.WRITE)
    groups = models.JSONField(_("endpoint groups"), default=_all_groups)
    created_by = models.ForeignKey("organisations.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(division="user__organisation__division__code", organisation="user__organisation_id", owner="user_id")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        app_label = "organisations"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    def allows(self, method: str, group: str) -> bool:
        if method.upper() in WRITE_METHODS and self.access != self.Access.WRITE:
            return False
        return ALL_GROUPS in self.groups or group in self.groups


def api_groups() -> dict[str, str]:
    """Endpoint groups a token can be limited to: each app router mounted at /api/<group>/ by dte/api.py,
    with its OpenAPI tag as the label."""
    groups = {}
    for app in settings.DTE_APPS:
        if util.find_spec(f"{app}.api"):
            router = getattr(import_module(f"{app}.api"), "router", None)
            if router is not None:
                label = app.rsplit(".", 1)[-1]
                groups[label] = ", ".join(router.tags or [label])
    return groups


def may_manage_tokens(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    return user.organisation_id is not None and user.role not in READ_ONLY_ROLES | OWNER_ROLES


def manageable_tokens(user):
    """Tokens this user administers: their organisation's (all of them for platform administrators)."""
    tokens = ApiToken.objects.select_related("user", "created_by")
    if not may_manage_tokens(user):
        return tokens.none()
    return tokens if user.is_platform_admin else tokens.filter(user__organisation_id=user.organisation_id)


def api_token_create(user, name: str, *, access: str = ApiToken.Access.WRITE, groups: list[str] | None = None,
                     created_by=None) -> tuple[ApiToken, str]:
    """Returns the record and the clear token (shown to the caller once, never stored)."""
    from dte.audit.services import audit_record

    groups = list(groups) if groups is not None else _all_groups()
    known = set(api_groups())
    if access not in ApiToken.Access.values:
        raise ValidationError({"access": _("Choose read or read and write.")})
    if not groups or any(group != ALL_GROUPS and group not in known for group in groups):
        raise ValidationError({"groups": _("Choose at least one endpoint group.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:64], digest=_digest(clear), access=access,
                                    groups=sorted(set(groups)), created_by=created_by)
    audit_record("organisations.api_token.create", obj=token,
                 after={"user": user.username, "name": token.name, "access": access, "groups": token.groups},
                 division_code=user.organisation.division_id if user.organisation else "",
                 organisation_id=user.organisation_id)
    return token, clear


def api_token_create_for(manager, name: str, *, access: str, groups: list[str]) -> tuple[ApiToken, str]:
    """The web UI: an organisation's administrator creates a token acting as themselves."""
    if not may_manage_tokens(manager):
        raise PermissionDenied("Your role may not manage API tokens.")
    return api_token_create(manager, name, access=access, groups=groups, created_by=manager)


def api_token_revoke(token: ApiToken, *, by=None) -> None:
    from dte.audit.services import audit_record

    if by is not None and not manageable_tokens(by).filter(pk=token.pk).exists():
        raise PermissionDenied("This token belongs to another organisation.")
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.revoked_at)
    audit_record("organisations.api_token.revoke", obj=token, after={"name": token.name},
                 organisation_id=token.user.organisation_id)


def api_token_find(clear: str) -> ApiToken | None:
    if not clear.startswith(PREFIX):
        return None
    return (ApiToken.objects.select_related("user__organisation__division")
            .filter(digest=_digest(clear), revoked_at__isnull=True, user__is_active=True).first())


def api_token_user(clear: str):
    token = api_token_find(clear)
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def bearer_of(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


def api_group_of(request) -> str:
    """The endpoint group of an API request: the first path segment after /api/."""
    from django.urls import reverse

    root = reverse("api:api-root")
    path = request.path[len(root):] if request.path.startswith(root) else request.path.lstrip("/")
    return path.split("/", 1)[0]


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dte_…` — the request then runs as the token's user, within the
    token's access (read / write) and endpoint groups, and the audit trail records that user."""

    def authenticate(self, request, token: str):
        from dte.audit.context import actor_from_user, set_actor
        from dte.audit.middleware import client_ip

        record = api_token_find(token)
        if record is None:
            return None
        if not record.allows(request.method, api_group_of(request)):
            raise AuthorizationError(403, str(gettext("This token's scope does not allow this request")))
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        request.api_token = record
        # The audit middleware ran before authentication: make the token's user the actor of this
        # request's audit events (the middleware restores the previous actor when the request ends).
        set_actor(actor_from_user(record.user, client_ip(request)))
        return record.user


class SessionAuth(APIKeyCookie):
    """The browser session, with Django's CSRF check on writes. A request that carries a bearer token
    is a machine client: it is authenticated by TokenAuth alone, and no CSRF check applies (there is
    no ambient credential a forged cross-site request could use)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        if bearer_of(request) is not None:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
