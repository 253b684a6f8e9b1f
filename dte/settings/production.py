"""Production: PostgreSQL, Redis/Celery, real keys required, HTTPS hardening."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DATABASES
from .env import env_bool, env_int, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
if SECRET_KEY.startswith("dte-local-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters in production.")
DTE_DATA_KEY = env_str("DTE_DATA_KEY", required=True)
DTE_INDEX_KEY = env_str("DTE_INDEX_KEY", required=True)
DTE_SIGNING_KEY = env_str("DTE_SIGNING_KEY", required=True)  # certificate signing (dte/credentials/signing.py)
DTE_AUDIT_KEY = env_str("DTE_AUDIT_KEY", required=True)
REDIS_URL = env_str("REDIS_URL", required=True)
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and not env_bool("DTE_ALLOW_SQLITE", False):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production (postgres://USER@HOST:5432/NAME).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DTE_MFA_REQUIRED = env_bool("DTE_MFA_REQUIRED", True)  # TOTP for every staff role (issue 8 finding 4)

# Probes answer over plain HTTP from the load balancer (issue 12 item 7; deploy/README.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Structured logs: one JSON object per line with the request id (dte/ops/logging.py); one line per request.
DTE_REQUEST_LOG = env_bool("DTE_REQUEST_LOG", True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dte.ops.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "dte.ops.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
        # gunicorn's own loggers go through the same JSON handler (deploy/gunicorn.conf.py leaves them to Django's)
        "gunicorn.error": {"handlers": [], "propagate": True},
        "gunicorn.access": {"handlers": [], "propagate": True, "level": "WARNING"},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # Celery workers log through the JSON handler above
# Public verification log rows are written by a writer thread per process (dte/credentials/verification.py).
DTE_VERIFY_LOG_BACKGROUND = env_bool("DTE_VERIFY_LOG_BACKGROUND", True)
