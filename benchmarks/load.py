"""Throughput of the public registry and verify pages under gunicorn (several workers, 127.0.0.1),
driven from another process: Debian's `wrk` when installed (a C client that leaves the CPU to the
server), else a small threaded client in a child process. Bounded in time; reports requests/s,
errors and the workers' peak memory (VmHWM)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

from benchmarks.common import BENCH_DIR, ROOT, subprocess_env

# The threaded client, run in its own process: GET the paths round-robin for `seconds`.
CLIENT = r"""
import http.client, json, sys, threading, time
port, seconds, clients = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
paths = json.loads(sys.argv[4])
done, errors, lock = [0], [0], threading.Lock()
stop = time.monotonic() + seconds
def run(k):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = k
    while time.monotonic() < stop:
        try:
            connection.request("GET", paths[n % len(paths)])
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except Exception:
            ok = False; connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        with lock:
            done[0] += 1; errors[0] += 0 if ok else 1
        n += clients
threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
[t.start() for t in threads]; [t.join() for t in threads]
print(json.dumps({"requests": done[0], "errors": errors[0]}))
"""

# wrk's script: a path from the list per request, and the non-2xx count at the end.
WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"requests\\": %%d, \\"non2xx\\": %%d, \\"socket_errors\\": %%d,"
      .. " \\"p50_ms\\": %%.2f, \\"p99_ms\\": %%.2f}\\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            match = re.search(r"VmHWM:\s+(\d+) kB", status.read())
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(p) for p in children.read().split()]
    except OSError:
        return []


def run_load(
    url: str, targets: dict[str, list[str]], workers: int = 4, seconds: float = 15, connections: int = 16
) -> dict:
    """{name: {requests_per_s, errors, ...}} for each list of paths, and the workers' peak RSS."""
    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=subprocess_env(url),
    )
    results: dict = {"workers": workers, "seconds": seconds, "connections": connections}
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        tool = "wrk" if shutil.which("wrk") else "threaded client"
        results["client"] = tool
        for name, paths in targets.items():
            _drive(port, paths, 5, connections, tool)  # warm-up: every worker answers its first requests
            outcome = _drive(port, paths, seconds, connections, tool)
            results[name] = {
                **outcome,
                "requests_per_s": round(outcome["requests"] / seconds, 1),
            }
        worker_pids = _children(server.pid)
        results["worker_peak_rss_mb"] = round(
            max((_peak_rss_kb(p) for p in worker_pids), default=0) / 1024, 1
        )
    finally:
        server.terminate()
        server.wait(20)
    return results


def _drive(port: int, paths: list[str], seconds: float, connections: int, tool: str) -> dict:
    if tool == "wrk":
        os.makedirs(BENCH_DIR, exist_ok=True)
        script = os.path.join(BENCH_DIR, f"wrk-{port}.lua")
        with open(script, "w") as out:
            out.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
        done = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{max(1, int(seconds))}s",
                # a slow response is measured (and counted if it never comes), not dropped at wrk's 2 s
                "--timeout",
                "10s",
                "-s",
                script,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no summary: {done.stdout}\n{done.stderr}")
        data = json.loads(line[5:])
        return {
            "requests": data["requests"],
            "errors": data["non2xx"] + data["socket_errors"],
            "p50_ms": data["p50_ms"],
            "p99_ms": data["p99_ms"],
        }
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, str(port), str(seconds), str(connections), json.dumps(paths)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    return json.loads(done.stdout)
