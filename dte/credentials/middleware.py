"""The lean path for public certificate verification, right after the security and static-file middleware:

- GET by QR token (page and API) is answered here, before sessions, locale, CSRF, authentication and
  messages (the answer needs none of them: it is public, its language comes from the language cookie
  or Accept-Language);
- the other public lookups (number + name, PDF upload; page and API) are counted against the client's
  rate limit here, so that a refusal (429) and its log row are written outside the API's per-request
  transaction (which rolls back every answer ≥ 400).
The views do the same when this middleware is not installed. A token answer this process gave moments ago
is replayed earlier still, by the WSGI layer in front of Django (wsgi.py, wired in dte/wsgi.py)."""

from .links import VERIFY_PREFIX
from .models import VerificationLog
from .responses import too_many, token_response
from .verification import gate

API_PREFIX = "/api/credentials/verify/token/"
GATED_POSTS = {
    "/credentials/verify/": (VerificationLog.Method.NUMBER, "web"),
    "/credentials/verify/pdf/": (VerificationLog.Method.PDF, "web"),
    "/api/credentials/verify/number": (VerificationLog.Method.NUMBER, "api"),
    "/api/credentials/verify/pdf": (VerificationLog.Method.PDF, "api"),
}


def _token(path: str, prefix: str) -> str | None:
    if not path.startswith(prefix):
        return None
    token = path[len(prefix):]
    token = token[:-1] if token.endswith("/") else token
    return token if token and "/" not in token else None


class PublicVerifyFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if request.method == "GET":
            token = _token(path, VERIFY_PREFIX)
            if token is not None:
                return token_response(request, token, api=False)
            token = _token(path, API_PREFIX)
            if token is not None:
                return token_response(request, token, api=True)
        elif request.method == "POST" and path in GATED_POSTS:
            method, channel = GATED_POSTS[path]
            retry = gate(request, method=method, channel=channel)
            if retry:
                return too_many(retry, api=channel == "api")
        return self.get_response(request)
