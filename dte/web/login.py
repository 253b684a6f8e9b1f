"""Login with a brake on password guessing.

After MAX_FAILURES failed attempts for one username (from any address) within WINDOW,
further attempts for it are refused until the window passes; the lockout is audited.
Counts live in the cache (Redis in production, so every web process shares them).
"""

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.utils.translation import gettext as _

from dte.audit.middleware import client_ip
from dte.audit.services import audit_record

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


def login_failures(username: str) -> int:
    return cache.get(_key(username), 0)


class ThrottledLoginView(LoginView):
    template_name = "web/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if login_failures(username) >= MAX_FAILURES:
            form = self.get_form()
            form.is_valid()  # bind the data so the page shows the username again
            form.errors.clear()
            form.add_error(None, _("Too many failed attempts for this account. Try again in 15 minutes."))
            return self.render_to_response(self.get_context_data(form=form, locked=True), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")
        if username:
            key = _key(username)
            cache.add(key, 0, WINDOW_SECONDS)
            failures = cache.incr(key)
            if failures == MAX_FAILURES:
                audit_record("web.login.locked", ip=client_ip(self.request),
                             after={"username": username, "failures": failures, "window_seconds": WINDOW_SECONDS})
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_key(form.get_user().get_username()))
        return super().form_valid(form)
