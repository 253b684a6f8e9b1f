"""Who is acting and from where, for the audit trail, set once per request or command."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class ActorContext:
    user_id: int | None = None
    label: str = "system"
    ip: str | None = None


_current: ContextVar[ActorContext] = ContextVar("dte_actor", default=ActorContext())


def current_actor() -> ActorContext:
    return _current.get()


def set_actor(context: ActorContext):
    return _current.set(context)


def reset_actor(token) -> None:
    _current.reset(token)


def actor_from_user(user, ip: str | None = None) -> ActorContext:
    if user is None or not getattr(user, "is_authenticated", False):
        return ActorContext(ip=ip, label="anonymous")
    return ActorContext(user_id=user.pk, label=user.get_username(), ip=ip)
