"""Settings shared by every environment. Environment values are read once, in env.py."""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from dte.jobs.registry import INTERACTIVE, MAINTENANCE, QUEUES  # plain constants: imports no Django app

from .env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the dte package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("DTE_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database and local media live here

SECRET_KEY = env_str("SECRET_KEY", "dte-local-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Domain apps, cut by domain (see README "Domain map").
DTE_APPS = [
    "dte.geography",
    "dte.organisations",
    "dte.audit",
    "dte.privacy",
    "dte.workdays",
    "dte.jobs",
    "dte.catalogue",
    "dte.policy",
    "dte.registry",
    "dte.training",
    "dte.assessment",
    "dte.credentials",
    "dte.talent",
    "dte.subsidy",
    "dte.supervision",
    "dte.reporting",
    "dte.web",
    "dte.demo",
    "dte.ops",  # health/readiness probes, JSON logs, backup/restore (issue 12 item 7)
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "dte.web.thirdparty.AxesConfig",  # login lockout (issue 8 finding 4; settings below); Chinese admin names
    "django_otp",
    "dte.web.thirdparty.OtpTotpConfig",  # django_otp.plugins.otp_totp with Chinese admin names (issue 13 item 12)
    "dte.web.thirdparty.OtpStaticConfig",  # django_otp.plugins.otp_static, likewise
    *DTE_APPS,
]

MIDDLEWARE = [
    "dte.ops.middleware.RequestIdMiddleware",  # X-Request-ID on every response and log line
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dte.credentials.middleware.PublicVerifyFastPath",  # public certificate verification by token: lean path
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dte.web.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "dte.organisations.usercache.CachedUserAuthenticationMiddleware",  # Django's, the user row from the shared cache
    "django_otp.middleware.OTPMiddleware",
    "dte.web.mfa.MfaRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dte.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "dte.urls"
WSGI_APPLICATION = "dte.wsgi.application"
AUTH_USER_MODEL = "organisations.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:workbench"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dte.web.context.navigation",
                "dte.supervision.context.notifications",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "dte.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dte.web.passwords.BreachedPasswordValidator"},  # zxcvbn's packaged list from breach corpora
]

# --- authentication hardening (issue 8 finding 4) -------------------------------------------------
# One lockout for every login view, /admin/login/ included: django-axes counts failures in the
# database (SELECT … FOR UPDATE + F() increments, so concurrent wrong passwords all count) per
# username AND client IP, so nobody can lock another person's account for everyone; the cool-off
# doubles with every further lockout (dte.web.login.cool_off). Usernames are stored keyed-hashed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "dte.web.auth.MobileNumberBackend",  # trainees sign in with their mobile number (finding 6)
]
AXES_FAILURE_LIMIT = env_int("DTE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "dte.web.login.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dte.web.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "dte.web.login.axes_client_ip"
AXES_USERNAME_CALLABLE = "dte.web.login.axes_username"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_token", "ip_address"]
AXES_VERBOSE = False
# TOTP for every staff role (everyone but trainees). Required in production; locally and in
# tests optional (demo accounts keep working in `make run`) unless DTE_MFA_REQUIRED=1. A user who
# enrolled a device must always pass it.
DTE_MFA_REQUIRED = env_bool("DTE_MFA_REQUIRED", False)
OTP_TOTP_ISSUER = "DTE"
# django-otp's own admin shows no TOTP secret or QR code of a user's device (staff see that only once, when enrolling):
# whoever holds the secret can make the codes (issue 8, personal data and accounts; test_admin_chinese.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Content-Security-Policy (django-csp): scripts only from this site or with the per-request nonce;
# style attributes stay allowed (templates use them), images also as data: URIs (QR codes, charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Chinese by default, English switchable (django.views.i18n.set_language).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DTE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Uploaded and generated files are encrypted at rest and never served from MEDIA_URL (dte/privacy/storage.py).
    "default": {"BACKEND": "dte.privacy.storage.EncryptedStorage",
                "OPTIONS": {"backend": env_str("DTE_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Personal data keys (see dte/privacy/crypto.py). Format: "kid:base64key[,kid:base64key…]",
# the first key encrypts, all keys decrypt (rotation).
DTE_DATA_KEY = env_str("DTE_DATA_KEY")
DTE_INDEX_KEY = env_str("DTE_INDEX_KEY")
# Audit trail (dte/audit/keys.py, checkpoints.py): HMAC key of the hash chain, kept outside the database
# (derived from SECRET_KEY locally; required in production), and where signed checkpoints are exported.
DTE_AUDIT_KEY = env_str("DTE_AUDIT_KEY")
DTE_AUDIT_CHECKPOINT_DIR = Path(env_str("DTE_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints")))
# Client IPs (dte/audit/middleware.py): X-Forwarded-For is believed only from these proxies (IPs or CIDRs).
DTE_TRUSTED_PROXIES = env_list("DTE_TRUSTED_PROXIES", [])
# API writes replay their stored response for a repeated Idempotency-Key this long (dte/organisations/idempotency.py).
DTE_IDEMPOTENCY_HOURS = env_int("DTE_IDEMPOTENCY_HOURS", 24, minimum=1)
# Certificate signing keys (see dte/credentials/signing.py): "kid:base64-32-byte-Ed25519-seed[,older…]",
# the first signs, every listed key's public half is published; derived from SECRET_KEY locally.
DTE_SIGNING_KEY = env_str("DTE_SIGNING_KEY")
# Public certificate verification: requests per client IP per window ("count/seconds").
DTE_VERIFY_RATE = env_str("DTE_VERIFY_RATE", "30/60")

# Cache (login throttling, etc.): shared Redis when configured, per-process memory otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "dte"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Government workstations are shared: sessions end after 8 hours or when the browser closes.
SESSION_COOKIE_AGE = env_int("DTE_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# With the shared Redis cache, sessions are read from it and written through to the database (a sign-out
# deletes both), so a request spends no database query on its session (issue 12, item 2). A per-process
# memory cache would keep a signed-out session alive in the other workers: then the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
# The signed-in user's row from the same shared cache, invalidated on every change of the user (issue 12, item 2;
# dte/organisations/usercache.py); never from a per-process cache, which would outlive a deactivation elsewhere.
DTE_USER_CACHE = env_bool("DTE_USER_CACHE", bool(REDIS_URL))

# Background work: Celery with a Redis broker; without REDIS_URL tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("DTE_TASKS_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A job survives a killed worker: acknowledge after the task ran, give the message back when the worker
# process is lost, take one task at a time; dte.jobs.services.jobs_sweep settles what is left running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
DTE_JOB_STALE_SECONDS = env_int("DTE_JOB_STALE_SECONDS", 15 * 60, minimum=60)
# Workers per queue (deploy/SCALING.md): each job kind declares its queue; the names are the job registry's
# (dte.jobs.registry.QUEUES, the one list). A worker started without -Q takes them all (`make worker`),
# `celery worker -Q interactive` only that one.
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in QUEUES)
CELERY_TASK_DEFAULT_QUEUE = INTERACTIVE
CELERY_TASK_ROUTES = (
    {"dte.jobs.sweep": {"queue": MAINTENANCE}},
    # dte.jobs.start_scheduled(kind) → the queue the kind declares: audit.checkpoint → maintenance,
    # reminders → notify, talent.backfill → bulk
    "dte.jobs.routing.route_task",
)
# Daily reminders (run `celery -A dte beat` beside the workers in production).
CELERY_BEAT_SCHEDULE = {
    "jobs-sweep": {"task": "dte.jobs.sweep", "schedule": crontab(minute="*/5")},
    "class-opening-reviews-overdue": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=8, minute=0), "args": ["registry.remind_overdue"],
    },
    "training-reports-due": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=8, minute=5), "args": ["training.remind_reports"],
    },
    "certificate-chain-due": {  # 证书数据上报/确认/发证期限: 晋人社厅发〔2024〕27号 四(三); 广西 三(三)
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=8, minute=10), "args": ["assessment.remind_chain"],
    },
    "deadline-reminders": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=7, minute=30), "args": ["supervision.notify_deadlines"],
    },
    "audit-checkpoint": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=0, minute=30), "args": ["audit.checkpoint"],
    },
    "talent-backfill": {  # 继续教育学时 and 职称贯通, idempotent (dte/talent/jobs.py)
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=2, minute=15), "args": ["talent.backfill"],
    },
}

DTE_IMPORT_MAX_ROWS = env_int("DTE_IMPORT_MAX_ROWS", 1_000_000, minimum=1)
DTE_UPLOAD_MAX_BYTES = env_int("DTE_UPLOAD_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# DTE_UPLOAD_MAX_BYTES is enforced while the request streams in (dte/privacy/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "dte.privacy.uploads.MaxSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Reminders go out this many days before a due date, on the day, and once overdue.
DTE_REMIND_DAYS_BEFORE = env_int("DTE_REMIND_DAYS_BEFORE", 3, minimum=0)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@dte.example.gov.cn")

# Published statistics show counts below this as "<N" so that no one can be identified.
DTE_STATS_SUPPRESS_BELOW = env_int("DTE_STATS_SUPPRESS_BELOW", 5, minimum=1)

PUBLIC_BASE_URL = env_str("DTE_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dte.ops.logging.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # failures and lockouts only
}

APP_TITLE = _("Digital Technology Engineer Cultivation Platform")
