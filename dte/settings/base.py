"""Settings shared by every environment. Environment values are read once, in env.py."""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

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
    "dte.reporting",
    "dte.web",
    "dte.demo",
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
    *DTE_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dte.web.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dte.audit.middleware.RequestContextMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "dte.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

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
    "default": {"BACKEND": env_str("DTE_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Personal data keys (see dte/privacy/crypto.py). Format: "kid:base64key[,kid:base64key…]",
# the first key encrypts, all keys decrypt (rotation).
DTE_DATA_KEY = env_str("DTE_DATA_KEY")
DTE_INDEX_KEY = env_str("DTE_INDEX_KEY")

# Cache (login throttling, etc.): shared Redis when configured, per-process memory otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "dte"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Government workstations are shared: sessions end after 8 hours or when the browser closes.
SESSION_COOKIE_AGE = env_int("DTE_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Background work: Celery with a Redis broker; without REDIS_URL tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("DTE_TASKS_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Daily reminders (run `celery -A dte beat` beside the workers in production).
CELERY_BEAT_SCHEDULE = {
    "class-opening-reviews-overdue": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=8, minute=0), "args": ["registry.remind_overdue"],
    },
    "training-reports-due": {
        "task": "dte.jobs.start_scheduled", "schedule": crontab(hour=8, minute=5), "args": ["training.remind_reports"],
    },
}

DTE_IMPORT_MAX_ROWS = env_int("DTE_IMPORT_MAX_ROWS", 1_000_000, minimum=1)
DTE_UPLOAD_MAX_BYTES = env_int("DTE_UPLOAD_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

PUBLIC_BASE_URL = env_str("DTE_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

APP_TITLE = _("Digital Technology Engineer Cultivation Platform")
