"""Refuse passwords known from breaches (issue 8 finding 4).

Django's CommonPasswordValidator already refuses its packaged list of 20,000 common passwords
(compiled from breach corpora). This validator adds the 30,000 passwords of zxcvbn's packaged
"passwords" frequency list (the most frequent passwords of the Xato corpus of 10 million
leaked credentials), compared case-insensitively, offline: no password leaves the platform.
"""

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@lru_cache(maxsize=1)
def breached_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class BreachedPasswordValidator:
    def validate(self, password, user=None):
        if (password or "").strip().lower() in breached_passwords():
            raise ValidationError(_("This password appears in lists of breached passwords."), code="password_breached")

    def get_help_text(self):
        return _("Your password must not appear in lists of breached passwords.")
