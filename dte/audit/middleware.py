from functools import lru_cache
from ipaddress import ip_address, ip_network

from django.conf import settings

from .context import actor_from_user, reset_actor, set_actor


@lru_cache(maxsize=4)
def _networks(proxies: tuple[str, ...]):
    return tuple(ip_network(item, strict=False) for item in proxies)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For is spoofable by any client, so it is read only when the
    connection comes from a proxy listed in DTE_TRUSTED_PROXIES (IPs or CIDRs), and then the right-most
    hop that is not itself a trusted proxy is the client (issue 8, finding 5)."""
    remote = request.META.get("REMOTE_ADDR")
    networks = _networks(tuple(getattr(settings, "DTE_TRUSTED_PROXIES", ()) or ()))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not networks or not forwarded or not remote or not _trusted(remote, networks):
        return remote
    for hop in reversed([item.strip() for item in forwarded.split(",") if item.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ip_address(hop))
            except ValueError:
                return remote  # garbage in the header: keep the address we can vouch for
    return remote


class RequestContextMiddleware:
    """Makes the request's user and IP the actor of every audit record it causes. API requests
    authenticated by a token set the token's user as the actor later (dte/organisations/tokens.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(actor_from_user(getattr(request, "user", None), client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)
