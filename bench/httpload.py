"""Shared pieces of the HTTP benchmarks: the platform served by gunicorn on loopback, the load from a
SECOND process (non-blocking sockets under one selector, one connection per request as gunicorn's sync workers close them), latencies,
server CPU and the workers' peak memory. Used by bench/checkin_burst.py."""

from __future__ import annotations

import base64
import multiprocessing
import os
import secrets
import selectors
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from database import ensure_database  # noqa: F401  (re-exported: the HTTP benchmarks import it from here)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def production_environment(settings_module: str, database_url: str, redis_url: str, **extra: str) -> dict:
    """The platform's production settings (real keys, Redis cache) with a bench-only settings module."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", database_url)
    env.setdefault("REDIS_URL", redis_url)
    env.update({
        "DJANGO_SETTINGS_MODULE": settings_module, "SECRET_KEY": secrets.token_urlsafe(60),
        "DTE_DATA_KEY": f"b1:{_key()}", "DTE_INDEX_KEY": _key(), "DTE_AUDIT_KEY": _key(), "DTE_SIGNING_KEY": f"bench1:{_key()}",
        "SECURE_SSL_REDIRECT": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DTE_TASKS_EAGER": "1",
        "PYTHONPATH": f"{ROOT}:{BENCH}", **extra,
    })
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`dte.wsgi:application` under gunicorn (sync workers) on a free loopback port."""

    def __init__(self, env: dict, workers: int, ready_path: str = "/healthz"):
        self.port = free_port()
        self.workers = workers
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "dte.wsgi:application", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", "--backlog", "2048"], env=env, cwd=ROOT)
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{ready_path}", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            sys.exit("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) used so far by the master and its workers (Linux /proc)."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def peak_memory_mb(self) -> float:
        """The largest peak resident set (VmHWM) of a worker."""
        peaks = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def raw_request(method: str, path: str, headers: dict, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _drive(port: int, requests: list[bytes], connections: int, expect: bytes):
    """Every request once, on its own connection, `connections` at a time: non-blocking sockets under one
    selector, the request bytes built beforehand. A client this lean (≈ 0.05 ms of CPU per request, against
    ≈ 0.4 ms for asyncio streams) leaves the machine's two cores to the server being measured."""
    selector = selectors.DefaultSelector()
    latencies, statuses, matched = [], {}, 0
    pending = iter(requests)
    open_count = 0

    def start() -> bool:
        request = next(pending, None)
        if request is None:
            return False
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        selector.register(sock, selectors.EVENT_WRITE, [memoryview(request), time.perf_counter(), []])
        return True

    def finish(sock, state) -> None:
        nonlocal matched, open_count
        selector.unregister(sock)
        sock.close()
        open_count -= 1
        data = b"".join(state[2])
        status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
        latencies.append(time.perf_counter() - state[1])
        statuses[status] = statuses.get(status, 0) + 1
        matched += expect in data.split(b"\r\n\r\n", 1)[-1]
        if start():
            open_count += 1

    started = time.perf_counter()
    while open_count < connections and start():
        open_count += 1
    while open_count:
        for key, events in selector.select():
            sock, state = key.fileobj, key.data
            try:
                if events & selectors.EVENT_WRITE:
                    sent = sock.send(state[0])
                    state[0] = state[0][sent:]
                    if not state[0]:
                        selector.modify(sock, selectors.EVENT_READ, state)
                    continue
                chunk = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # refused or reset: counted as status 0, never retried
                state[2] = []
                chunk = b""
            if chunk:
                state[2].append(chunk)
            else:
                finish(sock, state)
    return latencies, statuses, matched, time.perf_counter() - started


def _load(port: int, requests: list[bytes], connections: int, expect: bytes, queue) -> None:
    cpu = time.process_time()
    result = _drive(port, requests, connections, expect)
    queue.put((*result, time.process_time() - cpu))


@dataclass
class Burst:
    latencies: list[float]
    statuses: dict
    matched: int  # responses whose body contains `expect`
    elapsed: float
    client_cpu: float  # CPU seconds of the load process
    cpu: float = 0.0


def burst(server: Gunicorn, requests: list[bytes], connections: int, expect: bytes = b"") -> Burst:
    """Send every request once, `connections` at a time, from a second (spawned) process."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_load, args=(server.port, requests, connections, expect, queue))
    process.start()
    before = server.cpu_seconds()
    result = Burst(*queue.get())
    result.cpu = server.cpu_seconds() - before
    process.join()
    return result


def summary(bursts: list[Burst]) -> dict:
    latencies = sorted(x for b in bursts for x in b.latencies)
    n, elapsed = len(latencies), sum(b.elapsed for b in bursts)
    statuses = {}
    for b in bursts:
        for status, count in b.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    return {"n": n, "rate": n / elapsed, "matched": sum(b.matched for b in bursts), "matched_rate": sum(b.matched for b in bursts) / elapsed,
            "p50": latencies[n // 2] * 1000, "p99": latencies[max(0, int(n * 0.99) - 1)] * 1000, "statuses": statuses,
            "cpu_ms": 1000 * sum(b.cpu for b in bursts) / n, "client_cpu_ms": 1000 * sum(b.client_cpu for b in bursts) / n}
