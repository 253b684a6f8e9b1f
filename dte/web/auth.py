"""Signing in with a mobile number: trainees' usernames are opaque (issue 8 finding 6), so
the login form also accepts the mobile number, found through its keyed blind index; the
number itself is never stored in clear or used as a username."""

from django.contrib.auth.backends import ModelBackend

from dte.privacy.crypto import blind_index
from dte.privacy.idnumber import InvalidIdNumber, validate_phone


class MobileNumberBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        try:
            phone = validate_phone(username)
        except (InvalidIdNumber, ValueError):
            return None
        from dte.registry.models import Person

        person = Person.objects.filter(phone_index=blind_index(phone, "phone"), user__isnull=False).select_related("user").first()
        if person is None:
            return None
        user = person.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
