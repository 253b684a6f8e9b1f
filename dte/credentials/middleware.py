"""The lean path for public verification by QR token: answered right after the security and static-file
middleware, before sessions, locale, CSRF, authentication and messages (the answer needs none of them:
it is public, and its language comes from the language cookie or Accept-Language). The same answer is
served by the ordinary views when this middleware is not installed."""

from .links import VERIFY_PREFIX
from .responses import token_response

API_PREFIX = "/api/credentials/verify/token/"


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
        if request.method == "GET":
            path = request.path_info
            token = _token(path, VERIFY_PREFIX)
            if token is not None:
                return token_response(request, token, api=False)
            token = _token(path, API_PREFIX)
            if token is not None:
                return token_response(request, token, api=True)
        return self.get_response(request)
