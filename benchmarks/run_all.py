"""Run every benchmark and write benchmarks/results/RESULTS.md.

    python -m benchmarks.run_all [--runs 500] [--requests 2000] [--soak 10000]
"""

import argparse
import os
import platform
import time

from benchmarks import http_load as http, latency
from benchmarks.common import RESULTS


def _cpu():
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    return f"{os.cpu_count()} × {model}"


def targets(lat, web):
    """(what, target, measured, met) rows for the issue's targets."""
    c1, c16 = web["phases"]
    memory = web["memory"]
    rss = [m["rss"] for m in memory["warm_mb"].values()] + [m["rss"] for m in memory["after_mb"].values() if m]
    growth = [g for g in memory["rss_growth_pct"].values() if g is not None]
    gone = len(growth) < len(memory["rss_growth_pct"])
    return [
        ("in-process p50, bytes -> prediction", "≤ 10 ms", f"{lat['app_path']['p50_ms']:.2f} ms",
         lat["app_path"]["p50_ms"] <= 10),
        ("speedup over the path with keras_model.predict", "≥ 10×", f"{lat['speedup_vs_predict_path']:.1f}×",
         lat["speedup_vs_predict_path"] >= 10),
        ("speedup over keras_model.predict alone (stricter)", "≥ 10×", f"{lat['speedup_vs_predict_alone']:.1f}×",
         lat["speedup_vs_predict_alone"] >= 10),
        ("HTTP p50 at concurrency 1", "≤ 10 ms", f"{c1['p50_ms']:.2f} ms", c1["p50_ms"] <= 10),
        (f"HTTP throughput at concurrency {c16['concurrency']}", "≥ 200 req/s, 0 errors",
         f"{c16['req_per_s']:.0f} req/s, {c16['errors'] + c1['errors'] + web['soak']['errors']} errors",
         c16["req_per_s"] >= 200 and c16["errors"] + c1["errors"] + web["soak"]["errors"] == 0),
        ("cold start to first prediction", "≤ 8 s", f"{web['cold_start_s']:.2f} s", web["cold_start_s"] <= 8),
        ("RSS per worker (VmRSS, max)", "≤ 500 MB", f"{max(rss):.0f} MB", max(rss) <= 500),
        (f"RSS growth over {memory['requests_between']} requests (max)", "≤ 10 %",
         "a worker died" if gone else f"{max(growth):.1f} %", not gone and max(growth) <= 10),
    ]


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _memory_rows(memory):
    rows = []
    for pid, warm in memory["warm_mb"].items():
        after = memory["after_mb"].get(pid) or {}
        growth = memory["rss_growth_pct"][pid]
        rows.append((pid, warm["rss"], after.get("rss", "gone"), "-" if growth is None else growth,
                     after.get("pss", "-"), after.get("anon", "-")))
    return rows


def write_markdown(lat, web):
    memory = web["memory"]
    sections = [
        "# Benchmark results",
        f"{time.strftime('%Y-%m-%d %H:%M %Z')} · {_cpu()} · Python {platform.python_version()} · "
        "written by `python -m benchmarks.run_all`",
        "## Targets",
        markdown_table(["what", "target", "measured", "met"],
                       [(*row[:3], "yes" if row[3] else "**no**") for row in targets(lat, web)]),
        f"## In process ({lat['runs']} runs each, {lat['picture']})",
        markdown_table(["step", "p50 ms", "p95 ms", "p99 ms"], [
            (name, lat[key]["p50_ms"], lat[key]["p95_ms"], lat[key]["p99_ms"]) for name, key in [
                ("app path: bytes → open_image → recognize", "app_path"),
                ("… of which preprocessing", "preprocessing"),
                ("… of which the model call", "model_call"),
                ("baseline: bytes → preprocessing → keras_model.predict", "predict_path"),
                ("baseline: keras_model.predict on the frame alone", "keras_predict"),
                ("12 MP JPEG photo: app path (decoded at reduced scale)", "photo_app_path"),
                ("12 MP JPEG photo: the same, decoded in full", "photo_full_decode"),
            ]]),
        "## HTTP: gunicorn with gunicorn.conf.py, POST /api/predict (canvas PNG)",
        f"Cold start (process start → first successful prediction): {web['cold_start_s']:.2f} s",
        markdown_table(["phase", "concurrency", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"], [
            (name, p["concurrency"], p["requests"], p["errors"], p["req_per_s"], p.get("p50_ms", "-"),
             p.get("p95_ms", "-"), p.get("p99_ms", "-"))
            for name, p in [("serial", web["phases"][0]), ("concurrent", web["phases"][1]), ("soak", web["soak"])]
        ]),
        f"## Worker memory, warm and after {memory['requests_between']} more requests",
        "RSS counts TensorFlow's shared library pages in every worker; PSS divides them among the "
        "workers; private is the worker's own heap (RssAnon).",
        markdown_table(["worker", "RSS MB warm", "RSS MB after", "RSS growth %", "PSS MB after", "private MB after"],
                       _memory_rows(memory)),
    ]
    path = RESULTS / "RESULTS.md"
    path.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=500, help="in-process timed calls per measurement")
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per concurrency level")
    parser.add_argument("--soak", type=int, default=10000, help="HTTP requests between the two memory readings")
    args = parser.parse_args(argv)
    lat = latency.run(args.runs)
    latency.report(lat)
    web = http.run(args.requests, args.soak)
    http.report(web)
    print(f"wrote {write_markdown(lat, web)}")


if __name__ == "__main__":
    main()
