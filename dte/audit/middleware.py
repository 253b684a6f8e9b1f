from .context import actor_from_user, reset_actor, set_actor


def client_ip(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Makes the request's user and IP the actor of every audit record it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(actor_from_user(getattr(request, "user", None), client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)
