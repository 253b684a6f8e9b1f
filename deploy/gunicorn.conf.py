"""gunicorn settings for production (deploy/README.md). Every value can be overridden from the environment.

  gunicorn -c deploy/gunicorn.conf.py dte.wsgi:application
"""

import multiprocessing
import os

bind = os.environ.get("DTE_BIND", "127.0.0.1:8001")
# Sync workers: Django views are blocking; 2 × cores + 1 is gunicorn's own rule of thumb. Per worker ~120 MB.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("DTE_WEB_TIMEOUT", 60))  # long work belongs in Celery jobs, not in requests
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("DTE_WEB_MAX_REQUESTS", 5000))  # recycle workers: bounded memory growth
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("DTE_TRUSTED_PROXIES", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Access lines come from Django (dte.ops.middleware: route pattern, status, duration, request id, JSON),
# so gunicorn's own access log is off; its error log is JSON too.
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "dte.ops.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {
        "gunicorn.error": {"level": os.environ.get("LOG_LEVEL", "INFO"), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
    "root": {"level": "WARNING", "handlers": ["console"]},
}
# gunicorn ≥ 24's control socket (gunicornc) defaults to ~/.gunicorn/; under systemd's ProtectHome keep it
# in the runtime directory, or switch it off with DTE_GUNICORN_CONTROL=0.
control_socket_disable = os.environ.get("DTE_GUNICORN_CONTROL", "1") == "0"
control_socket = os.environ.get("DTE_GUNICORN_CONTROL_SOCKET", "/run/dte/gunicorn.ctl" if os.path.isdir("/run/dte") else
                                os.path.expanduser("~/.gunicorn/gunicorn.ctl"))
