"""Production settings of the platform, with the bench-only URL added (bench/checkin_burst.py sets the env)."""

from dte.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "checkin_site.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
