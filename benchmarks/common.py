"""What the benchmarks share: the picture they send, statistics, the results folder."""

import json
import time
from pathlib import Path

import numpy as np

from tests.pictures import draw_letter, encode

RESULTS = Path(__file__).resolve().parent / "results"


def canvas_png(letter="a", side=280):
    """A letter as the drawing canvas sends it: an opaque RGBA PNG, dark ink on white."""
    image = draw_letter(letter, size=side, mode="RGBA", ink=(0, 0, 0, 255), paper=(255, 255, 255, 255),
                        scale=side / 280)
    return encode(image)


def timed(function, runs, warmup=20):
    """Durations in seconds of `runs` calls to function, after `warmup` untimed ones."""
    for _ in range(warmup):
        function()
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        durations.append(time.perf_counter() - start)
    return durations


def summary(durations):
    """Count and p50/p95/p99/mean in milliseconds of durations in seconds."""
    ms = np.asarray(durations, dtype=np.float64) * 1000.0
    if not ms.size:
        return {"n": 0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"n": int(ms.size), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
            "mean_ms": float(ms.mean())}


def save(name, result):
    """Write result as benchmarks/results/<name>.json; return the path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def print_table(rows, headers):
    """Print rows (sequences) under headers as an aligned text table."""
    cells = [[str(c) for c in headers]] + [[f"{c:.2f}" if isinstance(c, float) else str(c) for c in row]
                                           for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
        if n == 0:
            print("  ".join("-" * width for width in widths))
