"""Public verification of both certificate kinds (level: this app; training: dte.training's service).

Lookups: by certificate number PLUS the holder's name (a wrong name gets exactly the answer of an unknown
number, so numbers cannot be probed), by the random QR token, or by the SHA-256 of an uploaded PDF.
Answers carry only public facts (the ID number masked). The lean path:
- public facts are cached per token and per hash(number, name) in the Django cache (shared Redis in
  production) for DTE_VERIFY_CACHE_SECONDS (default 30 s), and the rendered token answers per process for
  DTE_VERIFY_LOCAL_SECONDS (default 2 s); a status change drops both at once in its own process and the
  shared entry for all, so another worker shows a new status within DTE_VERIFY_LOCAL_SECONDS (with the
  per-process memory cache of a development set-up: within DTE_VERIFY_CACHE_SECONDS);
- every lookup is rate-limited per client IP (ratelimit.py); over the limit → 429 with Retry-After;
- every verification is logged to VerificationLog (a lean table, not the audit hash chain), in batches of
  DTE_VERIFY_LOG_BATCH rows (default 50) or every 2 s, and at process exit; in production by a writer
  thread per process (DTE_VERIFY_LOG_BACKGROUND), so that no request waits for the INSERT.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import pickle
import re
import threading
import time
import unicodedata
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from . import ratelimit
from .models import LevelCertificate, VerificationLog

log = logging.getLogger(__name__)
PREFIX = "dte:verify:"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_AGE = 2.0
KIND_LABELS = {"level": "专业技术等级证书", "training": "培训合格证书"}
GATE_KEY = "dte.verify.gate"  # WSGI environ: the rate-limit outcome when the WSGI layer already counted the request
ANSWER_KEY = "dte.verify.answer"  # WSGI environ: (kind, number) of a token answer, for the WSGI layer to replay


def cache_seconds() -> int:
    return int(getattr(settings, "DTE_VERIFY_CACHE_SECONDS", 30))


def client_ip(request) -> str:
    """The client's address for the rate limit: REMOTE_ADDR, or behind a proxy listed in DTE_TRUSTED_PROXIES
    the client it forwarded for (dte.audit.middleware.client_ip); otherwise every client behind the proxy
    would share one budget."""
    from dte.audit.middleware import client_ip as forwarded_client_ip

    return forwarded_client_ip(request) or ""


def gate(request, *, method: str, channel: str) -> int | None:
    """Count this request against its client's limit once (the fast-path middleware may already have),
    logging a refusal. Seconds to wait when over the limit, else None."""
    counted = getattr(request, "_dte_verify_gate", None)
    if counted is None:
        counted = request.META.get(GATE_KEY)  # counted (and a refusal logged) by the WSGI layer (wsgi.py)
    if counted is not None:
        return counted or None
    ip = client_ip(request)
    retry = ratelimit.throttle(ip)
    request._dte_verify_gate = retry or 0
    if retry:
        record(method=method, outcome=VerificationLog.Outcome.THROTTLED, channel=channel, ip=ip)
    return retry


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def normalise_number(number: str) -> str:
    return "".join((number or "").split()).upper()


def _date(value) -> str | None:
    return timezone.localtime(value).date().isoformat() if value else None


def level_facts(cert: LevelCertificate) -> dict:
    from .services import snapshot_signature_valid

    s = cert.snapshot
    signature_valid = snapshot_signature_valid(cert)
    return {"kind": "level", "kind_label": KIND_LABELS["level"], "number": cert.number, "token": cert.token,
            "name": s["holder"]["name"], "id_masked": s["holder"]["id_masked"], "occupation": s["occupation"]["name"],
            "occupation_code": s["occupation"]["code"], "direction": s["direction"], "level": s["level"],
            "level_label": s["level_label"].split(" ")[0], "issuer": s["issuer"]["name"], "issued_on": s["issued_on"],
            "exam_date": s["exam_date"], "status": cert.status,
            "status_date": _date(cert.status_changed_at) if cert.status != LevelCertificate.Status.VALID else None,
            "signature_valid": signature_valid, "key_id": cert.key_id,
            "valid": cert.status == LevelCertificate.Status.VALID and signature_valid}


def training_facts(public: dict) -> dict:
    return {"kind": "training", "kind_label": KIND_LABELS["training"], "number": public["number"], "token": public["token"],
            "name": public["name"], "id_masked": public["id_masked"], "occupation": public["occupation"], "occupation_code": "",
            "direction": public["direction"], "level": "", "level_label": str(public["level"]).split(" ")[0],
            "issuer": public["institution"], "issued_on": public["issued_on"], "exam_date": None,
            "training": {"start": public["start"], "end": public["end"], "hours": str(public["hours"])},
            "status": public["status"], "status_date": _date(public["revoked_at"]), "signature_valid": None,
            "key_id": None, "valid": public["valid"]}


def _training_public(**lookup) -> dict | None:
    from dte.training.services.certificates import certificate_public

    public = certificate_public(**lookup)
    return training_facts(public) if public else None


_client: list = [None]


def shared_client():
    """One redis-py client per process on the cache's connection pool, when the cache is Redis: Django's
    RedisCache builds a new client object (with its table of response callbacks) on every call, which
    costs more CPU than the round trip itself on this path. None for other cache backends."""
    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        return None
    if _client[0] is None:
        _client[0] = backend.get_client(None, write=True)
    return _client[0]


def cache_get(key: str):
    """Values of this module's keys (only ever written by cache_set); None when absent or unavailable."""
    try:
        client = shared_client()
        if client is None:
            return cache.get(key)
        raw = client.get(cache.make_and_validate_key(key))
        return pickle.loads(raw) if raw is not None else None
    except Exception:  # noqa: BLE001 - a cache failure is a miss, never a 5xx
        log.warning("verification cache unavailable", exc_info=True)
        return None


def cache_set(key: str, value) -> None:
    try:
        client = shared_client()
        if client is None:
            cache.set(key, value, cache_seconds())
        else:
            client.set(cache.make_and_validate_key(key), pickle.dumps(value, pickle.HIGHEST_PROTOCOL), ex=cache_seconds())
    except Exception:  # noqa: BLE001
        log.warning("verification cache unavailable", exc_info=True)


def _cached(key: str, compute):
    hit = cache_get(key)
    if hit is not None:
        return hit or None
    facts = compute()
    cache_set(key, facts or {})
    return facts


def _number_key(number: str, name: str) -> str:
    digest = hashlib.sha256(f"{normalise_number(number)}\0{normalise_name(name)}".encode()).hexdigest()
    return f"{PREFIX}n:{digest}"


def by_token(token: str) -> dict | None:
    if not TOKEN.fullmatch(token or ""):
        return None

    def compute():
        cert = LevelCertificate.objects.filter(token=token).first()
        return level_facts(cert) if cert else _training_public(token=token)

    return _cached(f"{PREFIX}t:{token}", compute)


def by_number(number: str, name: str) -> dict | None:
    """Facts only when the name matches the holder's: otherwise the same None as an unknown number."""
    number, wanted = normalise_number(number), normalise_name(name)
    if not number or not wanted or len(number) > 40:
        return None

    def compute():
        cert = LevelCertificate.objects.filter(number=number).first()
        candidates = [level_facts(cert)] if cert else []
        training = _training_public(number=number)
        candidates += [training] if training else []
        return next((f for f in candidates if normalise_name(f["name"]) == wanted), None)

    return _cached(_number_key(number, name), compute)


def by_pdf(data: bytes) -> dict | None:
    """The certificate whose issued PDF is byte-for-byte this file (SHA-256), else None."""
    sha = hashlib.sha256(data).hexdigest()
    cert = LevelCertificate.objects.filter(pdf_sha256=sha).first()
    return level_facts(cert) if cert else _training_public(pdf_sha256=sha)


# --- the per-process answer cache (rendered responses) ----------------------------------------------
# Entries live DTE_VERIFY_LOCAL_SECONDS (default 2 s). While this process listens to the Redis channel
# on which every status change is announced (below), they live DTE_VERIFY_CACHE_SECONDS instead: a
# revocation then reaches every worker within the channel's delivery time, not after the entry expires.

_local: dict[str, tuple[float, object]] = {}
_replay: dict[str, dict[tuple, tuple[float, object]]] = {}  # token → {(channel, language…): full HTTP answer}
_listener: dict = {"pid": None, "live": False, "run": None}
CHANNEL = f"{PREFIX}changed"


def local_seconds() -> float:
    if _listener["live"]:
        return float(cache_seconds())
    return float(getattr(settings, "DTE_VERIFY_LOCAL_SECONDS", 2))


def local_get(key: str):
    hit = _local.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    return hit[1]


def local_put(key: str, value) -> None:
    _listen_start()
    if len(_local) > 20_000:
        _local.clear()
    _local[key] = (time.monotonic() + local_seconds(), value)


def replay_get(token: str, variant: tuple):
    """The complete HTTP answer (status, headers, body, kind, number) this process gave for this token and
    request variant (API, or page with the language cookie and Accept-Language), while fresh; see wsgi.py."""
    hit = _replay.get(token, {}).get(variant)
    if hit is None or hit[0] < time.monotonic():
        return None
    return hit[1]


def replay_put(token: str, variant: tuple, answer) -> None:
    _listen_start()
    if len(_replay) > 5_000:  # a few KB per answer: bounded to tens of MB per worker
        _replay.clear()
    _replay.setdefault(token, {})[variant] = (time.monotonic() + local_seconds(), answer)


def _drop_local(token: str) -> None:
    for key in local_keys(token):
        _local.pop(key, None)
    _replay.pop(token, None)


def _listen_start() -> None:
    """Start this process's listener (again after a fork: a gunicorn worker) when the cache is Redis."""
    pid = os.getpid()
    if _listener["pid"] == pid or not getattr(settings, "DTE_VERIFY_LISTEN", True):
        return
    with _lock:
        if _listener["pid"] == pid:
            return
        _listener.update(pid=pid, live=False, run=object())
        if shared_client() is not None:
            threading.Thread(target=_listen, args=(_listener["run"],), name="dte-verification-changes", daemon=True).start()


def _listen(run: object) -> None:
    """Drop the local answers of every certificate whose status changed anywhere (forget_cached publishes its
    token). Entries are long-lived only while subscribed: on any error the listener marks itself down (entries
    fall back to DTE_VERIFY_LOCAL_SECONDS), forgets everything it holds and subscribes again. Ends when
    another listener replaces it (`run` changed: tests)."""
    while _listener.get("run") is run:
        pubsub = None
        try:
            pubsub = shared_client().pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(cache.make_and_validate_key(CHANNEL))
            pubsub.get_message(timeout=1.0)  # the subscription's confirmation
            _local.clear()
            _replay.clear()
            _listener["live"] = True
            checked = time.monotonic()
            while _listener.get("run") is run:
                message = pubsub.get_message(timeout=1.0)
                if message and message["type"] == "message":
                    _drop_local(message["data"].decode())
                if time.monotonic() - checked > 5:  # a dead connection raises here, not silently
                    pubsub.ping()
                    checked = time.monotonic()
        except Exception:  # noqa: BLE001 - Redis down: short-lived entries until it is back
            if _listener.get("run") is not run:
                return
            _local.clear()
            _replay.clear()
            log.warning("verification change channel unavailable", exc_info=True)
        finally:
            if _listener.get("run") is run:
                _listener["live"] = False
            if pubsub is not None:
                try:
                    pubsub.close()
                except Exception:  # noqa: BLE001, S110
                    pass
        time.sleep(1.0)


def local_keys(token: str) -> list[str]:
    """The keys of a token's rendered answers (API and each language), locally and (via answer_key) shared."""
    return [f"api:{token}"] + [f"{code}:{token}" for code, _ in settings.LANGUAGES]


def answer_key(local: str) -> str:
    return f"{PREFIX}a:{local}"


def forget_cached(*, level: LevelCertificate | None = None, training=None) -> None:
    """Drop the cached answers of a certificate whose status changed."""
    if level is not None:
        token, number, name = level.token, level.number, level.snapshot["holder"]["name"]
    elif training is not None:
        token, number, name = training.verify_token or "", training.number, training.snapshot["name"]
    else:
        return
    _drop_local(token)
    keys = [f"{PREFIX}t:{token}", _number_key(number, name)] + [answer_key(k) for k in local_keys(token)]
    try:
        cache.delete_many(keys)
        client = shared_client()
        if client is not None and token:
            client.publish(cache.make_and_validate_key(CHANNEL), token)  # every other process drops its copies
    except Exception:  # noqa: BLE001
        log.warning("verification cache unavailable", exc_info=True)


# --- the verification log, written in batches -------------------------------------------------------
# A due batch is written by a per-process writer thread when DTE_VERIFY_LOG_BACKGROUND is on (production):
# no request waits for the INSERT, and the worker serves the next request while the database commits.
# Otherwise (development, tests) the request that fills the batch writes it. On PostgreSQL the batch
# commits with synchronous_commit off: like the rows still in memory, the last fraction of a second
# of this statistics log may be lost in a database crash, which the log tolerates (it is not the audit
# chain); the INSERT then never waits for the WAL flush.

_buffer: list[tuple] = []  # (unix time, kind, method, outcome, number, channel, ip)
_lock = threading.Lock()
_oldest = [0.0]
_writer: dict = {"pid": None, "wake": threading.Event(), "thread": None}


def _background() -> bool:
    return bool(getattr(settings, "DTE_VERIFY_LOG_BACKGROUND", False))


def _writer_loop(wake: threading.Event) -> None:
    while _writer["wake"] is wake:
        wake.wait(MAX_AGE)
        wake.clear()
        if _buffer and (len(_buffer) >= _batch() or time.monotonic() - _oldest[0] > MAX_AGE):
            try:
                flush()
            except Exception:  # noqa: BLE001 - the thread must outlive any one batch
                log.exception("verification log batch failed")
    flush()
    connection.close()  # this thread's own connection


def stop_writer(timeout: float = 5.0) -> None:
    """Write what is pending and end this process's writer thread, closing its connection (tests)."""
    thread, wake = _writer.get("thread"), _writer["wake"]
    _writer.update(pid=None, wake=threading.Event(), thread=None)
    wake.set()
    if thread is not None:
        thread.join(timeout)


def _wake_writer() -> None:
    """Start this process's writer thread (again after a fork: a gunicorn worker) and wake it."""
    pid = os.getpid()
    if _writer["pid"] != pid:
        with _lock:
            if _writer["pid"] != pid:
                _writer["wake"] = threading.Event()
                _writer["thread"] = threading.Thread(target=_writer_loop, args=(_writer["wake"],), name="dte-verification-log",
                                                     daemon=True)
                _writer["thread"].start()
                _writer["pid"] = pid
    _writer["wake"].set()


def _batch() -> int:
    return int(getattr(settings, "DTE_VERIFY_LOG_BATCH", 50))


def record(*, method: str, facts: dict | None = None, outcome: str | None = None, channel: str = "web", ip: str = "") -> None:
    # a plain tuple here; the model rows are built by whoever writes the batch (the writer thread in production)
    entry = (time.time(), (facts or {}).get("kind", ""), method,
             outcome or (VerificationLog.Outcome.FOUND if facts else VerificationLog.Outcome.NOT_FOUND),
             (facts or {}).get("number", ""), channel, ip or None)
    with _lock:
        if not _buffer:
            _oldest[0] = time.monotonic()
        _buffer.append(entry)
        due = len(_buffer) >= _batch() or time.monotonic() - _oldest[0] > MAX_AGE
    if _background():
        if due or _writer["pid"] != os.getpid():
            _wake_writer()  # also starts the thread at the first verification, so a lone row is written within MAX_AGE
    elif due:
        flush()


def _rows(entries: list[tuple]) -> list[VerificationLog]:
    return [VerificationLog(at=datetime.fromtimestamp(at, tz=dt_timezone.utc), kind=kind, method=method, outcome=outcome,
                            certificate_number=number, channel=channel, ip=ip)
            for at, kind, method, outcome, number, channel, ip in entries]


def flush() -> int:
    with _lock:
        entries = _buffer[:]
        _buffer.clear()
    rows = _rows(entries)
    if not rows:
        return 0
    try:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
                VerificationLog.objects.bulk_create(rows)
        else:
            VerificationLog.objects.bulk_create(rows)
    except DatabaseError as error:  # e.g. at exit after a test database is gone: never fail the request
        log.warning("could not write %d verification log rows: %s", len(rows), error)
        if threading.current_thread().name == "dte-verification-log":
            connection.close()  # the writer's own connection: reconnect at the next batch
        return 0
    return len(rows)


def discard_pending() -> None:
    """Tests: drop unwritten log rows, local answers and local rate counts."""
    with _lock:
        _buffer.clear()
    _local.clear()
    _replay.clear()
    ratelimit.reset()


def _flush_at_exit() -> None:
    """Write what is left when the process ends (a gunicorn worker's exit); silent when the database is gone."""
    with _lock:
        rows = _rows(_buffer)
        _buffer.clear()
    if rows:
        try:
            VerificationLog.objects.bulk_create(rows)
        except Exception:  # noqa: BLE001, S110 - nothing left to report to at interpreter exit
            pass


atexit.register(_flush_at_exit)
