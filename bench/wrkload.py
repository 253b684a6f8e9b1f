"""A cheaper load client for the HTTP benchmarks: wrk (C, one thread) with a Lua script that sends a given list of
raw requests once each, instead of httpload's Python asyncio client (which itself used ~0.4 ms CPU per request,
a fifth of one of the machine's two cores at 1,000 requests/s). Same interface as httpload.burst: every request
once, `connections` at a time, from a second process; statuses, how many bodies contain `expect`, elapsed time,
the server's CPU. Latencies are wrk's (from sending the request to the whole response; the TCP connect, which
httpload counts, is not in them): p50/p99 come from wrk's histogram, not from a list.

  burst_wrk(server, requests, connections, expect) -> httpload.Burst (latencies: [p50, p99] in seconds)
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from httpload import Burst, Gunicorn

WRK = shutil.which("wrk") or "/usr/bin/wrk"
SEPARATOR = b"\0\0\0\0"  # never inside an HTTP request of these benchmarks (NUL is refused in every part of them)

SCRIPT = r"""
local reqs, n, sent, received, matched, statuses = {}, 0, 0, 0, 0, {}
local expect, marker
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = io.open(args[1], "rb"); local data = f:read("*a"); f:close()
  expect, marker = args[2], args[3]
  local pos = 1
  while true do
    local s, e = string.find(data, "\0\0\0\0", pos, true)
    if not s then break end
    n = n + 1; reqs[n] = string.sub(data, pos, s - 1); pos = e + 1
  end
end

function request()
  sent = sent + 1
  return reqs[math.min(sent, n)]
end

function delay()
  if sent >= n then return 3600000 end  -- every request sent: the connection waits until the run is stopped
  return 0
end

function response(status, headers, body)
  received = received + 1
  statuses[status] = (statuses[status] or 0) + 1
  if expect ~= "" and body and string.find(body, expect, 1, true) then matched = matched + 1 end
  if received >= n then
    local parts = {}
    for k, v in pairs(statuses) do table.insert(parts, string.format('"%d": %d', k, v)) end
    local f = io.open(marker, "w")
    f:write(string.format('{"done": %d, "matched": %d, "statuses": {%s}}', received, matched, table.concat(parts, ", ")))
    f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  io.write(string.format('\nWRKJSON {"p50": %d, "p99": %d, "errors": %d}\n', latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def burst_wrk(server: Gunicorn, requests: list[bytes], connections: int, expect: bytes = b"") -> Burst:
    with tempfile.TemporaryDirectory(prefix="wrkload-") as tmp:
        folder = Path(tmp)
        (folder / "requests").write_bytes(b"".join(r + SEPARATOR for r in requests))
        (folder / "load.lua").write_text(SCRIPT)
        marker = folder / "done.json"
        before = server.cpu_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(
            [WRK, "-t1", f"-c{min(connections, len(requests))}", "-d3600s", "--timeout", "30s", "-s", str(folder / "load.lua"),
             f"http://127.0.0.1:{server.port}/", "--", str(folder / "requests"), expect.decode(), str(marker)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while not marker.exists() or not marker.read_text().endswith("}}"):
            if process.poll() is not None:
                raise RuntimeError(f"wrk ended early: {process.stdout.read()}")
            time.sleep(0.002)
        elapsed = time.perf_counter() - started
        cpu = server.cpu_seconds() - before
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
        counts = json.loads(marker.read_text())
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    latency = json.loads(line[len("WRKJSON "):])
    result = Burst([latency["p50"] / 1e6, latency["p99"] / 1e6], {int(k): v for k, v in counts["statuses"].items()},
                   counts["matched"], elapsed)
    result.cpu = cpu
    result.count = counts["done"]
    return result


def summary_wrk(bursts: list[Burst]) -> dict:
    """httpload.summary for wrk bursts: p50 the median of the bursts' p50, p99 the largest of their p99."""
    n, elapsed = sum(b.count for b in bursts), sum(b.elapsed for b in bursts)
    statuses = {}
    for b in bursts:
        for status, count in b.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
    p50s = sorted(b.latencies[0] for b in bursts)
    return {"n": n, "rate": n / elapsed, "matched": sum(b.matched for b in bursts),
            "matched_rate": sum(b.matched for b in bursts) / elapsed, "p50": p50s[len(p50s) // 2] * 1000,
            "p99": max(b.latencies[1] for b in bursts) * 1000, "statuses": statuses, "cpu_ms": 1000 * sum(b.cpu for b in bursts) / n}
