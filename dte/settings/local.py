"""Local use: embedded SQLite, tasks in-process, development keys derived from SECRET_KEY."""

from .base import *  # noqa: F401,F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
