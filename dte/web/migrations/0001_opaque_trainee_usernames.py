"""Issue 8 finding 6: self-registered trainees had their mobile number as username. Give each
an opaque one; they keep signing in with the mobile number (dte.web.auth.MobileNumberBackend)."""

import re
import secrets

from django.db import migrations

MOBILE = re.compile(r"^\+?(86)?1\d{10}$")


def opaque_usernames(apps, schema_editor):
    User = apps.get_model("organisations", "User")
    for user in User.objects.filter(role="trainee").only("pk", "username").iterator():
        if MOBILE.match(user.username.replace(" ", "").replace("-", "")):
            candidate = f"t{secrets.token_hex(6)}"
            while User.objects.filter(username=candidate).exists():
                candidate = f"t{secrets.token_hex(6)}"
            User.objects.filter(pk=user.pk).update(username=candidate)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(opaque_usernames, migrations.RunPython.noop)]
