"""/healthz and /readyz (issue 12 item 7): anonymous, JSON, no personal data; readiness fails when the
schema is behind the code or Redis is unreachable."""

import json
import socket

import pytest
from django.test import Client

from dte.ops import selectors


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_healthz_needs_no_database_and_no_login():
    response = Client().get("/healthz")  # no django_db mark: touching the database would raise here
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_ready_without_redis_configured(settings):
    settings.REDIS_URL = None  # the embedded `make run`: tasks run in-process, nothing to reach
    selectors._MIGRATIONS_APPLIED.clear()
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["pending"] == 0
    assert body["checks"]["redis"] == {"configured": False, "ok": True, "ms": body["checks"]["redis"]["ms"]}
    assert body["checks"]["jobs"]["queued"] == 0


@pytest.mark.django_db
def test_readyz_fails_when_redis_is_unreachable(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db
def test_readyz_reports_queue_depth(settings):
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/14"
    settings.CELERY_TASK_DEFAULT_QUEUE = "dte-readyz-test"
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("dte-readyz-test")
    client.rpush("dte-readyz-test", "a", "b", "c")
    try:
        body = Client().get("/readyz").json()
    finally:
        client.delete("dte-readyz-test")
    assert body["status"] == "ready"
    assert body["checks"]["redis"]["queues"]["dte-readyz-test"] == 3


@pytest.mark.skipif(not redis_available(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db
def test_readyz_reports_each_work_queue():
    """deploy/SCALING.md, workers per queue: the depth of all four queues, for autoscaling and alerts."""
    from django.test import override_settings

    with override_settings(REDIS_URL="redis://127.0.0.1:6379/15"):
        queues = Client().get("/readyz").json()["checks"]["redis"]["queues"]
    assert sorted(queues) == ["bulk", "interactive", "maintenance", "notify"]
    assert all(isinstance(depth, int) for depth in queues.values())


def test_queue_names_read_routers_lists_and_plain_dictionaries(settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = "interactive"
    settings.CELERY_TASK_QUEUES = ()
    settings.CELERY_TASK_ROUTES = ({"a.task": {"queue": "maintenance"}, "b.*": "bulk"}, "some.router.function")
    settings.DTE_READY_QUEUES = ["extra"]
    assert selectors._queue_names() == ["bulk", "extra", "interactive", "maintenance"]
    settings.CELERY_TASK_ROUTES = {"a.task": {"queue": "notify"}}
    assert selectors._queue_names() == ["extra", "interactive", "notify"]


@pytest.mark.django_db
def test_readyz_fails_when_migrations_are_missing(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    selectors._MIGRATIONS_APPLIED.clear()
    real = MigrationExecutor.migration_plan

    def one_pending(self, targets, clean_start=False):
        plan = real(self, targets, clean_start)
        return plan or [(self.loader.graph.nodes[("jobs", "0001_initial")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", one_pending)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "pending": 1,
                                                       "ms": response.json()["checks"]["migrations"]["ms"]}
    selectors._MIGRATIONS_APPLIED.clear()


@pytest.mark.django_db
def test_readyz_fails_when_the_database_is_unreachable(monkeypatch):
    def refuse(alias="default"):
        raise ConnectionError("refused")

    monkeypatch.setattr(selectors, "database_check", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False and checks["migrations"]["ok"] is False


def test_probes_reject_writes():
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_body_has_counts_only():
    text = json.dumps(Client().get("/readyz").json())
    for word in ("password", "name", "id_number", "user"):
        assert word not in text
