"""The signed-in user's row from the shared cache instead of the database (issue 12, item 2: loading the
user cost about a quarter of a check-in request's CPU).

`CachedUserAuthenticationMiddleware` replaces django.contrib.auth's AuthenticationMiddleware and does
exactly what django.contrib.auth.get_user does — the session's user id and backend, the backend's
`user_can_authenticate` (is_active), the session auth hash (derived from the password) compared with the
session's, fallback secrets, a flushed session when it does not match — except that, for ModelBackend and
its subclasses that keep its `get_user`, the user's row comes from the cache when it is there.

Invalidation, so that deactivating a user, changing their password or role takes effect on their very
next request in every worker:
- every save or delete of a user (admin, services, set_password + save, last_login on sign-in) replaces the
  cached row by a tombstone at once and again when the transaction commits. A request that read the old
  row from the database before the commit cannot put it back: rows are stored with `add` (only when no
  key is there), and the tombstone lives TOMBSTONE_SECONDS;
- `user_cache_clear()` bumps a generation number that every entry carries (one Redis round trip reads the
  generation and the entry together): for writes that bypass save(), i.e. QuerySet.update()/bulk_update()
  or raw SQL on the user table — call it after them (the platform has none outside migrations);
- entries expire after ENTRY_SECONDS in any case; the key names the user table's columns, so rows cached
  before a migration changed them are never read.

Only with a cache shared by every worker (settings.DTE_USER_CACHE, on when REDIS_URL is set): a
per-process memory cache would keep a deactivated user signed in in the other workers. The cached row
leaves out the password hash: it carries the session auth hash (an HMAC of it under SECRET_KEY) instead,
which is all the session check needs, so Redis never holds a hash that could be attacked offline; a user
read from the cache loads its password column from the database only if something asks for it (a password
change, the fallback-secret check). The key names SECRET_KEY's digest too, so a rotated key never meets a
session auth hash computed under the old one.

A user read from the database (with or without the shared cache) also carries OTP_DEVICE_ATTR: whether they
have a confirmed django-otp device, read in the same statement, so the MFA check (dte/web/mfa.py
mfa_needed) spends no queries of its own on it (issue 12 item 4: two queries on every page). A user made
from a cached entry (user_from_entry, also dte/training/wsgi.py's) does not carry it: the MFA check then
asks django-otp as before.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, _get_user_session_key, get_user_model, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

GENERATION_KEY = "auth:user:gen"
ENTRY_SECONDS = 300
TOMBSTONE_SECONDS = 30
TOMBSTONE = "invalidated"
OTP_DEVICE_ATTR = "has_confirmed_otp_device"


@lru_cache(maxsize=1)
def _user_model():
    """get_user_model(), looked up once (it costs a microsecond per call; user_from_entry runs on every check-in)."""
    return get_user_model()


@lru_cache(maxsize=1)
def _attnames() -> tuple[str, ...]:
    """The user's columns kept in the cache: all but the password hash (deferred on a cached user)."""
    return tuple(f.attname for f in get_user_model()._meta.concrete_fields if f.attname != "password")


@lru_cache(maxsize=1)
def _layout() -> str:
    """The user table's columns and the signing key, in the key: rows cached before a migration changed the
    columns, or under another SECRET_KEY, are never read."""
    return hashlib.sha256((",".join(_attnames()) + "|" + settings.SECRET_KEY).encode()).hexdigest()[:8]


@lru_cache(maxsize=1)
def _confirmed_device_sql() -> str:
    """django_otp.user_has_device(user, confirmed=True) as one SQL expression on the user's row: an EXISTS per
    device model django-otp knows (TOTP, static recovery codes). Raw SQL, built once: the same test written
    with Exists() costs more Python per request than the two queries it replaces."""
    from django_otp import device_classes

    qn, User = connection.ops.quote_name, get_user_model()
    user_pk = f"{qn(User._meta.db_table)}.{qn(User._meta.pk.column)}"
    return " OR ".join(
        f"EXISTS (SELECT 1 FROM {qn(m._meta.db_table)} d WHERE d.{qn(m._meta.get_field('user').column)} = {user_pk}"
        f" AND d.{qn(m._meta.get_field('confirmed').column)})" for m in device_classes()) or "FALSE"


def user_from_database(pk):
    """The user's row (None if there is none) with OTP_DEVICE_ATTR (see the module's docstring)."""
    device = RawSQL(_confirmed_device_sql(), (), output_field=BooleanField())
    return get_user_model()._default_manager.filter(pk=pk).annotate(**{OTP_DEVICE_ATTR: device}).first()


def _key(pk) -> str:
    return f"auth:user:{_layout()}:{pk}"


def enabled() -> bool:
    return getattr(settings, "DTE_USER_CACHE", False)


def cacheable(backend) -> bool:
    """Whether the backend's users may come from the cache: ModelBackend's own get_user (see the module's docstring)."""
    return isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user


def entry_keys(pk) -> list[str]:
    """The cache keys read together for a user: the generation, then the user's entry (for user_from_entry)."""
    return [GENERATION_KEY, _key(pk)]


def user_from_entry(generation, entry):
    """The user a current cached entry makes (password deferred: read only if asked), or None when the entry is
    missing, a tombstone or from an older generation (`generation`: the stored one, None when none is stored)."""
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == (generation or 0):
        user = _user_model().from_db(DEFAULT_DB_ALIAS, _attnames(), entry[1])
        user._cached_session_auth_hash = entry[2]
        return user
    return None


def _row_of(user) -> tuple:
    return tuple(getattr(user, name) for name in _attnames())


def cached_user(backend, user_id):
    """ModelBackend.get_user(user_id), reading the row from the cache when a current copy is there (only with
    the shared cache, `enabled()`; else from the database)."""
    User = get_user_model()
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if not enabled():
        user = user_from_database(pk)
        return user if user is not None and backend.user_can_authenticate(user) else None
    keys = entry_keys(pk)
    found = cache.get_many(keys)
    generation, entry = found.get(GENERATION_KEY, 0), found.get(keys[1])
    user = user_from_entry(generation, entry)
    if user is None:
        user = user_from_database(pk)
        if user is None:
            return None
        if entry is None:  # never over a tombstone, nor over an older generation's entry (it expires)
            cache.add(keys[1], (generation, _row_of(user), user.get_session_auth_hash()), ENTRY_SECONDS)
    return user if backend.user_can_authenticate(user) else None


def get_user(request):
    """django.contrib.auth.get_user, with the user's row from cached_user (see the module's docstring)."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = cached_user(backend, user_id) if cacheable(backend) else backend.get_user(user_id)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    verified = False
                else:
                    session_auth_hash = getattr(user, "_cached_session_auth_hash", None) or user.get_session_auth_hash()
                    verified = constant_time_compare(session_hash, session_auth_hash)
                if not verified:
                    if session_hash and any(constant_time_compare(session_hash, fallback)
                                            for fallback in user.get_session_auth_fallback_hash()):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _lazy_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # also without the shared cache: the MFA flag (module docstring)
    return request._cached_user


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """django.contrib.auth.middleware.AuthenticationMiddleware with the user's row from the shared cache."""

    def process_request(self, request):
        super().process_request(request)  # the session check and request.auser (async: Django's own, uncached)
        request.user = SimpleLazyObject(lambda: _lazy_user(request))


def user_cache_invalidate(pk) -> None:
    """Drop one user's cached row now and when the current transaction commits (see the module's docstring)."""
    key = _key(pk)
    cache.set(key, TOMBSTONE, TOMBSTONE_SECONDS)
    transaction.on_commit(lambda: cache.set(key, TOMBSTONE, TOMBSTONE_SECONDS))


def user_cache_clear() -> None:
    """Invalidate every cached user row: after writes to users that bypass save() (QuerySet.update, raw SQL)."""
    def bump():
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation stored yet (entries read it as 0)
            if not cache.add(GENERATION_KEY, 1, None):
                cache.incr(GENERATION_KEY)

    bump()
    transaction.on_commit(bump)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="dte.organisations.usercache.saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="dte.organisations.usercache.deleted")
def _user_changed(sender, instance, **kwargs):
    user_cache_invalidate(instance.pk)
