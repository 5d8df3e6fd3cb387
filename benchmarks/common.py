"""What the benchmarks share: the picture they send, statistics, the results folder."""

import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from harness.pictures import draw_letter, encode

RESULTS = Path(__file__).resolve().parent / "results"


def canvas_png(letter="a", side=280):
    """A letter as the drawing canvas sends it: an opaque RGBA PNG, dark ink on white."""
    image = draw_letter(letter, size=side, mode="RGBA", ink=(0, 0, 0, 255), paper=(255, 255, 255, 255),
                        scale=side / 280)
    return encode(image)


def photo_jpeg(letter="a", size=(4000, 3000)):
    """A 12-megapixel phone photo of a letter: dark ink on grainy off-white paper, JPEG."""
    side = min(size)
    image = Image.new("RGB", size, (225, 220, 205))
    image.paste(draw_letter(letter, size=side, width=side // 20, ink=(30, 30, 40), paper=(225, 220, 205),
                            mode="RGB", scale=side / 280), ((size[0] - side) // 2, 0))
    grain = np.random.default_rng(0).normal(0, 6, (size[1], size[0], 1))
    return encode(Image.fromarray(np.uint8(np.clip(np.asarray(image) + grain, 0, 255))), "JPEG", quality=90)


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


def cpu_ms(function, runs, warmup=20):
    """CPU milliseconds of this process per call to function: unlike the wall time, hardly raised
    by other jobs on the same cores (only by what they do to the caches)."""
    for _ in range(warmup):
        function()
    start = time.process_time()
    for _ in range(runs):
        function()
    return 1000 * (time.process_time() - start) / runs


def summary(durations):
    """Count and p50/p95/p99/mean/min in milliseconds of durations in seconds (the minimum shows
    what the code costs when nothing else competes for the cores)."""
    ms = np.asarray(durations, dtype=np.float64) * 1000.0
    if not ms.size:
        return {"n": 0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"n": int(ms.size), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99),
            "mean_ms": float(ms.mean()), "min_ms": float(ms.min())}


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
