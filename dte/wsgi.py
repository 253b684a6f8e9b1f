import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dte.settings.local")
application = get_wsgi_application()

from dte.credentials.wsgi import VerifyReplay  # noqa: E402  (needs the apps loaded)

application = VerifyReplay(application)  # public certificate verification: replays this process's fresh answers

from dte.training.wsgi import CheckInLean  # noqa: E402

application = CheckInLean(application)  # a trainee's check-in (issue 12 item 2): answered before Django when plain
