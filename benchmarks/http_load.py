"""HTTP benchmark: the app under gunicorn (the project's gunicorn.conf.py) on 127.0.0.1.

    python -m benchmarks.http_load [--runtime litert|keras] [--python PATH] [--requests 2000]
                                   [--soak 10000] [--concurrency 16]

Measures cold start (process start to the first successful POST /api/predict), latency and
throughput of POST /api/predict with a canvas PNG at concurrency 1 and 16, the CPU time each
request costs gunicorn and the load generator (which share the machine's cores: together they
bound the requests a second, whatever else runs), and each worker's resident memory once warm
and after `--soak` requests, for one model runtime
(FLASK_MODEL_RUNTIME) and one Python (a venv's, e.g. the serving-only one). Every phase is
bounded in requests and time, and gunicorn is always stopped.
"""

import argparse
import http.client
import itertools
import os
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import canvas_png, print_table, save, summary
from harness.clients import multipart, send
from harness.servers import Gunicorn


def cpu_seconds(pids):
    """User plus system CPU seconds the processes `pids` have used (those still there)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def load(server, body, headers, requests, concurrency, max_seconds):
    """Send `requests` predictions from `concurrency` threads (stopping after max_seconds); with
    the CPU milliseconds per request spent by gunicorn (master and workers) and by this process."""
    pids = [server.process.pid, *server.workers()]
    server_cpu, client_cpu = cpu_seconds(pids), time.process_time()
    tickets = itertools.count()
    deadline = time.perf_counter() + max_seconds
    latencies, errors = [], []

    def client():
        connection = server.connect()
        while next(tickets) < requests and time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                ok = send(connection, body, headers) == 200
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = server.connect()
            (latencies if ok else errors).append(time.perf_counter() - start)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu, client_cpu = cpu_seconds(pids) - server_cpu, time.process_time() - client_cpu
    sent = len(latencies) + len(errors)
    return {"concurrency": concurrency, "requests": sent, "errors": len(errors), "seconds": elapsed,
            "req_per_s": sent / elapsed, "server_cpu_ms": 1000 * server_cpu / max(sent, 1),
            "client_cpu_ms": 1000 * client_cpu / max(sent, 1), **summary(latencies)}


def rss_growth(before, after):
    """Per-worker VmRSS growth in percent (None for a worker that is gone)."""
    return {pid: None if after.get(pid) is None else 100.0 * (after[pid]["rss"] / memory["rss"] - 1)
            for pid, memory in before.items()}


def run(runtime="litert", python=sys.executable, requests=2000, soak=10000, concurrency=16, max_seconds=300,
        args=(), keep=True, **env):
    """Run every phase against one gunicorn serving with `runtime`; return the results (with `keep`,
    also saved as results/http_<runtime>.json)."""
    body, headers = multipart(canvas_png())
    with Gunicorn(python, args, FLASK_MODEL_RUNTIME=runtime, **env) as server:
        cold_start = server.wait_for_first_prediction(body, headers)
        started = server.worker_memory()
        load(server, body, headers, 20 * concurrency, concurrency, max_seconds)  # warm every worker
        warm = server.worker_memory()
        phases = [load(server, body, headers, requests, c, max_seconds) for c in (1, concurrency)]
        done = sum(phase["requests"] for phase in phases)
        soak_phase = load(server, body, headers, max(0, soak - done), concurrency, max_seconds)
        after = server.worker_memory()
        health = server.get_json("/healthz")
    result = {
        "runtime": health.get("runtime"),
        "runtime_reason": health.get("runtime_reason"),
        "python": python,
        "gunicorn_args": list(args),
        "env": env,
        "cold_start_s": cold_start,
        "phases": phases,
        "soak": soak_phase,
        "memory": {
            "requests_between": done + soak_phase["requests"],
            "started_mb": started,
            "warm_mb": warm,
            "after_mb": after,
            "rss_growth_pct": rss_growth(warm, after),
        },
    }
    if result["runtime"] != runtime:
        raise RuntimeError(f"asked for {runtime}, served by {result['runtime']}: {result['runtime_reason']}")
    if keep:
        save(f"http_{runtime}", result)
    return result


def report(result):
    print(f"runtime {result['runtime']} ({result['runtime_reason']}), python {result['python']}")
    print(f"cold start (process start -> first prediction): {result['cold_start_s']:.2f} s")
    rows = [(p["concurrency"], p["requests"], p["errors"], p["req_per_s"], p.get("p50_ms", "-"),
             p.get("p95_ms", "-"), p.get("p99_ms", "-"), p["server_cpu_ms"], p["client_cpu_ms"])
            for p in [*result["phases"], result["soak"]]]
    print_table(rows, ["concurrency", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms",
                       "server CPU ms/req", "client CPU ms/req"])
    memory = result["memory"]
    rows = []
    for pid, warm in memory["warm_mb"].items():
        started = memory["started_mb"].get(pid) or {}
        after = memory["after_mb"].get(pid) or {}
        rows.append((pid, started.get("rss"), warm["rss"], after.get("rss"), memory["rss_growth_pct"][pid],
                     after.get("pss"), after.get("anon")))
    print(f"worker memory, after start, warm and after {memory['requests_between']} more requests:")
    print_table(rows, ["worker pid", "RSS MB started", "RSS MB warm", "RSS MB after", "RSS growth %",
                       "PSS MB after", "private MB after"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", choices=["litert", "keras"], default="litert")
    parser.add_argument("--python", default=sys.executable, help="the Python (venv) that runs gunicorn")
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--soak", type=int, default=10000, help="total requests before the second RSS reading")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-seconds", type=float, default=300, help="time limit of each phase")
    args = parser.parse_args(argv)
    report(run(args.runtime, args.python, args.requests, args.soak, args.concurrency, args.max_seconds))


if __name__ == "__main__":
    main()
