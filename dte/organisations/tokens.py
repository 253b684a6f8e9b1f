"""API tokens for machine clients (an institution's own learning platform pushing check-ins
and online study time). The token is shown once; only its SHA-256 is stored. A token acts
as its user, so every scoping rule applies unchanged."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from ninja.security import HttpBearer

from .scoping import Scope

PREFIX = "dte_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey("organisations.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(division="user__organisation__division__code", organisation="user__organisation_id", owner="user_id")

    class Meta:
        app_label = "organisations"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


def api_token_create(user, name: str) -> tuple[ApiToken, str]:
    """Returns the record and the clear token (shown to the caller once, never stored)."""
    from dte.audit.services import audit_record

    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=_digest(clear))
    audit_record("organisations.api_token.create", obj=token, after={"user": user.username, "name": name},
                 division_code=user.organisation.division_id if user.organisation else "",
                 organisation_id=user.organisation_id)
    return token, clear


def api_token_revoke(token: ApiToken) -> None:
    from dte.audit.services import audit_record

    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record("organisations.api_token.revoke", obj=token, organisation_id=token.user.organisation_id)


def api_token_user(clear: str):
    token = (ApiToken.objects.select_related("user__organisation__division")
             .filter(digest=_digest(clear), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dte_…` — the request then runs as the token's user."""

    def authenticate(self, request, token: str):
        user = api_token_user(token) if token.startswith(PREFIX) else None
        if user is not None:
            request.user = user
        return user
