"""Run the serving benchmarks for both model runtimes side by side; write benchmarks/results/RESULTS.md.

    python -m benchmarks.run_all [--serve-venv .venv-serve] [--runs 500] [--requests 2000] [--soak 10000]

LiteRT and Keras are measured in one run: in process (LiteRT first, before TensorFlow is
imported), then each under gunicorn with the project's config. The LiteRT server runs with the
serving-only venv's Python when --serve-venv is given (as `make benchmark` does).
"""

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import http_load, latency
from benchmarks.common import RESULTS

RUNTIMES = ("litert", "keras")
ROOT = Path(__file__).resolve().parent.parent


def _cpu():
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    return f"{os.cpu_count()} × {model}"


def venv_mb(folder):
    """A venv's size on disk in MB (as `du -sk` counts it), or None if it is not there."""
    if not Path(folder).is_dir():
        return None
    return int(subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True)
               .stdout.split()[0]) / 1024


def _max_rss(memory):
    return max(m["rss"] for m in memory.values() if m)


def targets(lat, web, sizes):
    """(what, target for LiteRT, LiteRT, Keras, met) rows for issue 11's table."""
    rss = {rt: _max_rss(web[rt]["memory"]["started_mb"]) for rt in RUNTIMES}
    start = {rt: web[rt]["cold_start_s"] for rt in RUNTIMES}
    p50 = {rt: lat[rt]["app_path"]["p50_ms"] for rt in RUNTIMES}
    c16 = {rt: web[rt]["phases"][1] for rt in RUNTIMES}
    errors = {rt: sum(p["errors"] for p in [*web[rt]["phases"], web[rt]["soak"]]) for rt in RUNTIMES}

    def size(mb):
        return "-" if mb is None else f"{mb:.0f} MB"

    return [
        ("RSS per worker after start (max)", "≤ 150 MB", *(f"{rss[rt]:.0f} MB" for rt in RUNTIMES),
         rss["litert"] <= 150),
        ("process start to first /api/predict answer", "≤ 1.0 s", *(f"{start[rt]:.2f} s" for rt in RUNTIMES),
         start["litert"] <= 1.0),
        ("in-process p50, canvas PNG → top-5", "≤ 2.0 ms", *(f"{p50[rt]:.2f} ms" for rt in RUNTIMES),
         p50["litert"] <= 2.0),
        (f"HTTP concurrency {c16['litert']['concurrency']}", "≥ 500 req/s, 0 errors",
         *(f"{c16[rt]['req_per_s']:.0f} req/s, {errors[rt]} errors" for rt in RUNTIMES),
         c16["litert"]["req_per_s"] >= 500 and errors["litert"] == 0),
        ("venv size (serving-only / full)", "≤ 350 MB", size(sizes["serve"]), size(sizes["full"]),
         sizes["serve"] is not None and sizes["serve"] <= 350),
    ]


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _memory_rows(runtime, memory):
    rows = []
    for pid, warm in memory["warm_mb"].items():
        started = memory["started_mb"].get(pid) or {}
        after = memory["after_mb"].get(pid) or {}
        growth = memory["rss_growth_pct"][pid]
        rows.append((runtime, started.get("rss", "-"), warm["rss"], after.get("rss", "gone"),
                     "-" if growth is None else growth, after.get("pss", "-"), after.get("anon", "-")))
    return rows


def write_markdown(lat, web, sizes, load):
    keras_lat = lat["keras"]
    sections = [
        "# Benchmark results",
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · {_cpu()} · Python {platform.python_version()} · "
        f"written by `python -m benchmarks.run_all` · load average {load[0]:.1f} before, {load[1]:.1f} after "
        "(the 2 cores are shared with other jobs: figures vary with them)",
        "## Targets (issue 11: LiteRT workers)",
        markdown_table(["what", "target (LiteRT)", "LiteRT", "Keras (TensorFlow)", "met"],
                       [(*row[:4], "yes" if row[4] else "**no**") for row in targets(lat, web, sizes)]),
        f"## In process ({keras_lat['runs']} runs each, {keras_lat['picture']})",
        markdown_table(["step", *(f"{rt} {stat} ms" for stat in ("p50", "p95", "min") for rt in RUNTIMES)], [
            (what, *(lat[rt][key].get(f"{stat}_ms", "-") if key in lat[rt] else "-"
                     for stat in ("p50", "p95", "min") for rt in RUNTIMES))
            for key, what in latency.STEPS]),
        f"The Keras app path is {keras_lat['speedup_vs_predict_path']:.1f}× faster than the same path "
        "with keras_model.predict.",
        "## HTTP: gunicorn with gunicorn.conf.py, POST /api/predict (canvas PNG)",
        "\n".join(f"- {rt}: {web[rt]['runtime_reason']}; Python `{web[rt]['python']}`; first answer "
                  f"{web[rt]['cold_start_s']:.2f} s after the process started" for rt in RUNTIMES),
        markdown_table(["runtime", "phase", "concurrency", "requests", "errors", "req/s", "p50 ms", "p95 ms",
                        "p99 ms", "server CPU ms/req", "client CPU ms/req"], [
            (rt, name, p["concurrency"], p["requests"], p["errors"], p["req_per_s"], p.get("p50_ms", "-"),
             p.get("p95_ms", "-"), p.get("p99_ms", "-"), p["server_cpu_ms"], p["client_cpu_ms"])
            for rt in RUNTIMES
            for name, p in [("serial", web[rt]["phases"][0]), ("concurrent", web[rt]["phases"][1]),
                            ("soak", web[rt]["soak"])]
        ]),
        f"## Worker memory: after start, warm, and after {web['litert']['memory']['requests_between']} "
        "more requests",
        "RSS counts shared library pages in every worker; PSS divides them among the processes sharing "
        "them (with LiteRT the app is preloaded in the master, so workers share most pages); private is "
        "the worker's own heap (RssAnon).",
        markdown_table(["runtime", "RSS MB started", "RSS MB warm", "RSS MB after", "RSS growth %",
                        "PSS MB after", "private MB after"],
                       [row for rt in RUNTIMES for row in _memory_rows(rt, web[rt]["memory"])]),
        "## Installs",
        markdown_table(["venv", "requirements", "size"], [
            ("serving only", "requirements-serve.txt", "-" if sizes["serve"] is None else f"{sizes['serve']:.0f} MB"),
            ("full (training, tests)", "requirements-dev.txt", "-" if sizes["full"] is None else f"{sizes['full']:.0f} MB"),
        ]),
    ]
    path = RESULTS / "RESULTS.md"
    path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve-venv", type=Path, help="the serving-only venv: its Python runs the LiteRT server")
    parser.add_argument("--runs", type=int, default=500, help="in-process timed calls per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per concurrency level")
    parser.add_argument("--soak", type=int, default=10000, help="HTTP requests between the two memory readings")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    lat, web = {}, {}
    for runtime in RUNTIMES:  # LiteRT first: the process has not imported TensorFlow yet
        lat[runtime] = latency.run(runtime, args.runs)
        latency.report(lat[runtime])
    pythons = {"litert": str(args.serve_venv / "bin" / "python") if args.serve_venv else sys.executable,
               "keras": sys.executable}
    for runtime in RUNTIMES:
        web[runtime] = http_load.run(runtime, pythons[runtime], args.requests, args.soak)
        http_load.report(web[runtime])
    sizes = {"serve": venv_mb(args.serve_venv) if args.serve_venv else None, "full": venv_mb(Path(sys.prefix))}
    print(f"venv sizes: {sizes}")
    print(f"wrote {write_markdown(lat, web, sizes, (load_before, os.getloadavg()[0]))}")


if __name__ == "__main__":
    main()
