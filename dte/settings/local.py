"""Local use: embedded SQLite, tasks in-process, development keys derived from SECRET_KEY."""

from .base import *  # noqa: F401,F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)

# `make run` serves with DEBUG=0 (friendly 404/500 pages); static files then come from the apps' static
# folders through WhiteNoise, with no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
