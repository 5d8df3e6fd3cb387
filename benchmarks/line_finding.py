"""Finding the lines of real handwritten pages: the 24 whole pages of htr-lines-copiste.

    python -m benchmarks.line_finding [--data-dir ../shared/data] [--pages 24] [--save]

Joined handwriting on ruled paper, 150 dpi (1275x1650), each sheet carrying a printed consent note
(two lines of small print, no true line). Each page is analysed as the reader analyses it
(`handwriting.reader`: at most READ_SIDE = 1600 px on a side, `grey_to_ink`, `find_lines`).

A true line (its polygon) is found when the found line holding most of the ink kept in the polygon
holds at least half of it, holds most of no other true line's ink, and its box and the polygon's
box (both in the straightened page) overlap with a vertical IoU of at least 0.5. Extra lines hold
most of no true line's ink; "outside" counts those above a page's first true line or below its
last (the printed note: at the top of a sheet, at its foot on a sheet printed upside down). Merged
lines hold most of two true lines or more. Foreign ink: the share of the lines found's ink that
lies in another line's polygon and not in their own (neighbours' ascenders and descenders).
Seconds: `find_lines` alone, wall clock and CPU, at the analysed size and at the page's own size.

These pages' writers are held out of the line recognizer's training (training/line_data.py);
htr-lines-copiste is a training folder, not an evaluation-only one (../shared/data/README.md), so
developing and tuning the line finder on these pages is allowed.
"""

import argparse
import gzip
import io
import json
import tarfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from benchmarks.common import print_table, save
from handwriting.frame import INK_THRESHOLD
from handwriting.ink import grey_to_ink, to_grey
from handwriting.lines import find_lines
from handwriting.reader import READ_SIDE, SPECK_FRACTION
from training.paths import DEFAULT_DATA_DIR

FOLDER = "htr-lines-copiste"
MIN_SHARE = 0.5  # of a true line's kept ink, held by the line found for it
MIN_IOU = 0.5  # vertical overlap of the found line's box and the polygon's box


def read_pages(data_dir):
    """[(page row, Pillow image)] of the folder's whole pages."""
    folder = Path(data_dir) / FOLDER
    with gzip.open(folder / "index.jsonl.gz", "rt", encoding="utf-8") as file:
        rows = [row for row in map(json.loads, file) if row["kind"] == "page"]
    with tarfile.open(folder / "pages.tar") as tar:
        return [(row, Image.open(io.BytesIO(tar.extractfile(row["page_image"]).read()))) for row in rows]


def timed(ink):
    """find_lines(ink), and the wall-clock and CPU seconds it took."""
    wall, cpu = time.perf_counter(), time.process_time()
    page = find_lines(ink)
    return page, time.perf_counter() - wall, time.process_time() - cpu


def to_straightened(page, xs, ys):
    """Analysed-picture coordinates (arrays) in the straightened page's pixels."""
    if page.straightening is None:
        return xs, ys
    a, b, c, d, e, f = page.straightening.matrix  # a rotation: its inverse is its transpose
    return a * (xs - c) + d * (ys - f), b * (xs - c) + e * (ys - f)


def owners(page):
    """Which found line owns each pixel of the straightened page (-1: none)."""
    owner = np.full(page.ink.shape, -1, np.int32)
    for k, line in enumerate(page.lines):
        inked = line.ink > INK_THRESHOLD * max(float(line.ink.max()), 1e-6)
        owner[line.top : line.top + len(line.ink)][inked] = k
    return owner


def vertical_iou(a, b):
    """IoU of the row spans (top, bottom) a and b."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return max(overlap, 0) / (max(a[1], b[1]) - min(a[0], b[0]))


def score_page(row, image):
    """The page's figures: true lines, lines found, true lines found, extra, outside, merged,
    foreign ink share, seconds."""
    grey = to_grey(image, max_side=READ_SIDE)
    scale = grey.shape[1] / image.width
    ink = grey_to_ink(grey, SPECK_FRACTION)
    page, seconds, cpu = timed(ink)
    _, native_seconds, _ = timed(grey_to_ink(to_grey(image, max_side=max(image.size)), SPECK_FRACTION))

    owner = owners(page)
    ys, xs = np.nonzero(ink > INK_THRESHOLD * max(float(ink.max()), 1e-6))
    us, vs = to_straightened(page, xs + 0.5, ys + 0.5)
    owned = owner[np.clip(vs.astype(int), 0, owner.shape[0] - 1), np.clip(us.astype(int), 0, owner.shape[1] - 1)]
    polygons, spans = [], []
    for line in row["lines"]:
        points = np.array(line["polygon"], float) * scale
        mask = Image.new("1", (grey.shape[1], grey.shape[0]), 0)
        ImageDraw.Draw(mask).polygon([tuple(point) for point in points], fill=1)
        polygons.append(np.asarray(mask)[ys, xs])
        _, line_vs = to_straightened(page, points[:, 0], points[:, 1])
        spans.append((line_vs.min(), line_vs.max()))
    inside = np.sum(polygons, axis=0)

    best, shares = [], []
    for polygon in polygons:
        held = np.bincount(owned[polygon & (owned >= 0)], minlength=len(page.lines))
        best.append(int(np.argmax(held)) if held.sum() else -1)
        shares.append(held.max() / held.sum() if held.sum() else 0.0)
    taken = np.bincount([k for k in best if k >= 0], minlength=len(page.lines))
    found, foreign, total = 0, 0, 0
    for t, k in enumerate(best):
        if k < 0 or taken[k] > 1 or shares[t] < MIN_SHARE:
            continue
        x, y, w, h = page.lines[k].box
        if vertical_iou((y, y + h), spans[t]) >= MIN_IOU:
            found += 1
            mine = owned == k
            foreign += int(np.count_nonzero(mine & ~polygons[t] & (inside > 0)))
            total += int(np.count_nonzero(mine))
    first, last = min(top for top, _ in spans), max(bottom for _, bottom in spans)
    extra = np.flatnonzero(taken == 0)
    outside = [k for k in extra if not first <= page.lines[k].box[1] + page.lines[k].box[3] / 2 <= last]
    return {"page": row["page_image"], "true": len(row["lines"]), "lines": len(page.lines), "found": found,
            "extra": len(extra), "outside": len(outside), "merged": int(np.count_nonzero(taken > 1)),
            "foreign": foreign / max(total, 1), "seconds": seconds, "cpu_seconds": cpu,
            "native_seconds": native_seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="../shared/data")
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/line_finding.json")
    args = parser.parse_args(argv)
    results = [score_page(row, image) for row, image in read_pages(args.data_dir)[: args.pages]]
    print_table([(r["page"], r["true"], r["lines"], r["found"], r["extra"], r["outside"], r["merged"],
                  100 * r["foreign"], r["seconds"], r["cpu_seconds"], r["native_seconds"]) for r in results],
                ["page", "true", "lines", "found", "extra", "outside", "merged", "foreign %", "s", "cpu s",
                 "s native"])
    true, found = sum(r["true"] for r in results), sum(r["found"] for r in results)
    summary = {"pages": len(results), "true_lines": true, "found": found, "found_share": found / true}
    summary.update({key: sum(r[key] for r in results) for key in ("extra", "outside", "merged")})
    summary["foreign_mean"] = float(np.mean([r["foreign"] for r in results]))
    for key in ("seconds", "cpu_seconds", "native_seconds"):
        summary[f"{key}_mean"] = float(np.mean([r[key] for r in results]))
        summary[f"{key}_max"] = float(np.max([r[key] for r in results]))
    print(f"\nlines found {found}/{true} ({100 * found / true:.1f} %); extra {summary['extra']} "
          f"({summary['outside']} of them outside the true lines: the printed note); merged {summary['merged']}; "
          f"foreign ink {100 * summary['foreign_mean']:.1f} %\nfind_lines per page: "
          f"{summary['seconds_mean']:.2f} s (max {summary['seconds_max']:.2f}), "
          f"CPU {summary['cpu_seconds_mean']:.2f} s (max {summary['cpu_seconds_max']:.2f}); at the page's own size "
          f"{summary['native_seconds_mean']:.2f} s (max {summary['native_seconds_max']:.2f})")
    if args.save:
        print(save("line_finding", {"summary": summary, "pages": results}))


if __name__ == "__main__":
    main()
