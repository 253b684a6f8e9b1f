"""Access scoping: the ONE place that decides which rows a user may read or change.

Every model that users reach declares `access_scope = Scope(...)`: the lookup paths
from the model to the division code of its jurisdiction, to the organisation that owns
it, and to the user who owns it (a trainee's own records). Views, API endpoints and
exports call `scoped(user, queryset)`; none of them filter by jurisdiction themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Via:
    """A path that counts only through related rows that also meet `where` (a Q on the same
    model, e.g. Q(enrolments__status="enrolled")); both conditions go into one filter() call,
    so Django matches them on the SAME related row."""

    path: str
    where: Q


Paths = str | Via | tuple[str | Via, ...] | None


@dataclass(frozen=True)
class Scope:
    """Each path may be a tuple: a row is in scope if ANY of its paths matches (a person
    belongs to the institution that registered them and to every institution they enrolled
    with). A path that crosses a to-many relation is matched as `pk IN (subquery)`, so rows
    never repeat and the other paths keep their plain index conditions."""

    division: Paths = None
    organisation: Paths = None
    owner: Paths = None
    public: bool = False  # reference data every logged-in user may read (writes still scoped)
    public_writers: frozenset[str] = frozenset()  # roles that may change public reference data


def _scope_of(model: type[Model]) -> Scope:
    scope = getattr(model, "access_scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} declares no access_scope; add `access_scope = Scope(...)` to the model.")
    return scope


def _crosses_to_many(model: type[Model], path: str) -> bool:
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:  # a lookup or transform (e.g. "code" on a pk), not a relation
            return False
        if field.one_to_many or field.many_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


def _matches(model: type[Model], paths: Paths, lookup: str, value) -> list[Q]:
    """One condition per path; the plain (indexable) paths first, the `pk IN (subquery)` ones after."""
    if not paths:
        return []
    plain, subqueries = [], []
    for path in (paths,) if isinstance(paths, (str, Via)) else paths:
        where = None
        if isinstance(path, Via):
            path, where = path.path, path.where
        match = Q(**{f"{path}{lookup}": value})
        if where is not None:
            subqueries.append(Q(pk__in=model._base_manager.filter(match & where).values("pk")))
        elif _crosses_to_many(model, path):
            subqueries.append(Q(pk__in=model._base_manager.filter(match).values("pk")))
        else:
            plain.append(match)
    return plain + subqueries


def _any(model: type[Model], paths: Paths, lookup: str, value) -> Q | None:
    matches = _matches(model, paths, lookup, value)
    if not matches:
        return None
    condition = Q()
    for match in matches:
        condition |= match
    return condition


def _conditions_for(user, model: type[Model], scope: Scope, write: bool) -> list[Q] | None:
    """The paths that admit rows for this user, one Q each (a row is in scope if ANY matches):
    `[Q()]` for everything, None (or []) for nothing."""
    from .roles import JURISDICTION_ROLES, ORGANISATION_ROLES, OWNER_ROLES, READ_ONLY_ROLES

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_platform_admin or (scope.public and (not write or user.role in scope.public_writers)):
        return [Q()]
    if write and user.role in READ_ONLY_ROLES:
        return None
    if user.role in OWNER_ROLES:
        return _matches(model, scope.owner, "", user.pk)
    organisation = user.organisation
    if organisation is None:
        return None
    if user.role in ORGANISATION_ROLES:
        return _matches(model, scope.organisation, "", organisation.pk)
    if user.role in JURISDICTION_ROLES:
        if not scope.division:
            return None
        prefix = organisation.division.scope_prefix
        return [Q()] if prefix == "" else _matches(model, scope.division, "__startswith", prefix)
    return None


def scope_key(user) -> tuple:
    """Everything `_conditions_for` reads from the user, as a hashable key: two users with the same key get
    the same filters (same SQL, same parameters) from scoped() and scoped_parts() for every model, so a
    caller may reuse what it compiled or counted for one of them (dte/reporting/compiled.py). Change it
    together with `_conditions_for`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ("nobody",)
    if user.is_platform_admin:
        return ("platform",)
    from .roles import JURISDICTION_ROLES, OWNER_ROLES

    organisation = user.organisation
    prefix = organisation.division.scope_prefix if organisation is not None and user.role in JURISDICTION_ROLES else None
    return (str(user.role), user.pk if user.role in OWNER_ROLES else None,
            organisation.pk if organisation is not None else None, prefix)


def _filter_for(user, model: type[Model], scope: Scope, write: bool) -> Q | None:
    """The Q that limits rows for this user, `Q()` for everything, None for nothing."""
    conditions = _conditions_for(user, model, scope, write)
    if not conditions:
        return None
    condition = Q()
    for match in conditions:
        condition |= match
    return condition


def scoped(user, queryset: QuerySet, *, write: bool = False) -> QuerySet:
    """The part of `queryset` this user may read (or change, with write=True)."""
    scope = _scope_of(queryset.model)
    condition = _filter_for(user, queryset.model, scope, write)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def scoped_parts(user, queryset: QuerySet, *, write: bool = False) -> list[QuerySet]:
    """The rows of `scoped(user, queryset)` as DISJOINT querysets, one per path that admits rows (path
    i excludes paths 1…i-1): their union is exactly the scoped rows and no row is in two parts. For
    figures that add up (COUNT, SUM) over a model with several paths (a person: residence OR a consented
    enrolment): each part keeps its own index (the plain path first, e.g. the residence prefix), where
    the single `path OR pk IN (subquery)` of scoped() makes PostgreSQL scan the whole table. Aggregate
    every part and add the results; [] when the user sees nothing."""
    conditions = _conditions_for(user, queryset.model, _scope_of(queryset.model), write)
    if not conditions:
        return []
    parts, earlier = [], None
    for condition in conditions:
        part = queryset.filter(condition)
        parts.append(part if earlier is None else part.exclude(earlier))
        earlier = condition if earlier is None else earlier | condition
    return parts


def can_access(user, obj: Model, *, write: bool = False) -> bool:
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), write=write).exists()


def require_access(user, obj: Model, *, write: bool = False) -> None:
    if not can_access(user, obj, write=write):
        raise PermissionDenied("Not within your jurisdiction or organisation.")


def get_scoped_or_404(user, queryset: QuerySet, *, write: bool = False, **lookup):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(scoped(user, queryset, write=write), **lookup)
