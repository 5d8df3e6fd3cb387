"""Finding the lines of real handwritten pages: the 24 whole pages of htr-lines-copiste.

    python -m benchmarks.line_finding [--data-dir ../shared/data] [--pages 24] [--save]

Joined handwriting on ruled paper, 150 dpi, each sheet headed by two printed lines (a consent note)
that are no true line. Each page is analysed the way the reader analyses it
(`handwriting.reader`: at most READ_SIDE = 1600 px on a side, `grey_to_ink`, `find_lines`).

A true line (its polygon) is found when the found line holding most of the ink kept in the polygon
holds at least half of it, holds most of no other true line's ink, and its box overlaps the
polygon's box (both in the straightened page) with a vertical IoU of at least 0.5. Extra lines
are found lines that hold most of no true line's ink (the two printed header lines are two of
them on most sheets; a sheet printed upside down has them at its foot: "outside" counts the extra
lines above a page's first true line or below its last); merged lines hold most of two or more. Foreign ink: the share of the ink of
the lines found that lies in another line's polygon and not in their own (neighbours' ascenders
and descenders). Seconds: `find_lines` alone, per page, at the analysed size and at the page's own
size (1275x1650).

These pages' writers are held out of the line recognizer's training (training/line_data.py);
htr-lines-copiste is a training folder, not an evaluation-only one (../shared/data/README.md),
so developing and tuning the line finder on these pages is allowed.
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
    """The page's figures: true lines, found, extra, merged, foreign ink share, seconds."""
    grey = to_grey(image, max_side=READ_SIDE)
    scale = grey.shape[1] / image.width
    ink = grey_to_ink(grey, SPECK_FRACTION)
    start = time.perf_counter()
    page = find_lines(ink)
    seconds = time.perf_counter() - start
    native = grey_to_ink(to_grey(image, max_side=max(image.size)), SPECK_FRACTION)
    start = time.perf_counter()
    find_lines(native)
    native_seconds = time.perf_counter() - start

    owner = owners(page)
    ys, xs = np.nonzero(ink > INK_THRESHOLD * max(float(ink.max()), 1e-6))
    us, vs = to_straightened(page, xs + 0.5, ys + 0.5)
    us = np.clip(us.astype(int), 0, owner.shape[1] - 1)
    vs = np.clip(vs.astype(int), 0, owner.shape[0] - 1)
    owned = owner[vs, us]
    polygons = []
    for line in row["lines"]:
        mask = Image.new("1", (grey.shape[1], grey.shape[0]), 0)
        ImageDraw.Draw(mask).polygon([(x * scale, y * scale) for x, y in line["polygon"]], fill=1)
        polygons.append(np.asarray(mask)[ys, xs])
    polygons = np.array(polygons)
    inside = polygons.sum(axis=0)

    best, shares, spans = [], [], []
    for polygon, line in zip(polygons, row["lines"]):
        held = np.bincount(owned[polygon & (owned >= 0)], minlength=len(page.lines))
        best.append(int(np.argmax(held)) if held.sum() else -1)
        shares.append(held.max() / held.sum() if held.sum() else 0.0)
        points = np.array(line["polygon"], float) * scale
        _, line_vs = to_straightened(page, points[:, 0], points[:, 1])
        spans.append((line_vs.min(), line_vs.max()))
    taken = np.bincount([k for k in best if k >= 0], minlength=len(page.lines))
    found, foreign, total = 0, 0, 0
    for t, k in enumerate(best):
        if k < 0 or taken[k] > 1 or shares[t] < MIN_SHARE:
            continue
        box = page.lines[k].box
        if vertical_iou((box[1], box[1] + box[3]), spans[t]) >= MIN_IOU:
            found += 1
            mine = owned == k
            foreign += int(np.count_nonzero(mine & ~polygons[t] & (inside > 0)))
            total += int(np.count_nonzero(mine))
    first, last = min(top for top, _ in spans), max(bottom for _, bottom in spans)
    outside = [k for k in np.flatnonzero(taken == 0)
               if not first <= page.lines[k].box[1] + page.lines[k].box[3] / 2 <= last]
    return {"page": row["page_image"], "true": len(row["lines"]), "lines": len(page.lines), "found": found,
            "extra": int(np.count_nonzero(taken == 0)), "outside": len(outside), "merged": int(np.count_nonzero(taken > 1)),
            "foreign": foreign / max(total, 1), "seconds": seconds, "native_seconds": native_seconds}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="../shared/data")
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/line_finding.json")
    args = parser.parse_args(argv)
    results = [score_page(row, image) for row, image in read_pages(args.data_dir)[: args.pages]]
    print_table([(r["page"], r["true"], r["lines"], r["found"], r["extra"], r["outside"], r["merged"],
                  100 * r["foreign"], r["seconds"], r["native_seconds"]) for r in results],
                ["page", "true", "lines", "found", "extra", "outside", "merged", "foreign %", "s", "s native"])
    true, found = sum(r["true"] for r in results), sum(r["found"] for r in results)
    summary = {
        "pages": len(results), "true_lines": true, "found": found, "found_share": found / true,
        "extra": sum(r["extra"] for r in results), "outside": sum(r["outside"] for r in results),
        "merged": sum(r["merged"] for r in results),
        "foreign_mean": float(np.mean([r["foreign"] for r in results])),
        "seconds_mean": float(np.mean([r["seconds"] for r in results])),
        "seconds_max": float(np.max([r["seconds"] for r in results])),
        "native_seconds_mean": float(np.mean([r["native_seconds"] for r in results])),
        "native_seconds_max": float(np.max([r["native_seconds"] for r in results])),
    }
    print(f"\nlines found {found}/{true} ({100 * found / true:.1f} %), extra {summary['extra']} "
          f"({summary['outside']} of them above or below all true lines: the printed note), merged {summary['merged']}, "
          f"foreign ink {100 * summary['foreign_mean']:.1f} %, find_lines {summary['seconds_mean']:.2f} s/page "
          f"(max {summary['seconds_max']:.2f}; native size {summary['native_seconds_mean']:.2f}, "
          f"max {summary['native_seconds_max']:.2f})")
    if args.save:
        print(save("line_finding", {"summary": summary, "pages": results}))


if __name__ == "__main__":
    main()
