"""Phone photos of handwritten pages: finding the sheet, flattening it, turning it upright.

    python -m benchmarks.photos [--photos 40] [--save] [--show DIR]

Each page is lines of English or Spanish words written with the evaluation-only UJI pen strokes
(`training.synthetic_lines.stroke_page`: black, blue or pencil ink, plain, ruled, squared or Seyès
paper) or, for a third of the pages, lines of handwriting fonts (`font_line`), laid on a white
A4 or Letter sheet. The sheet is then photographed synthetically (`photograph`): turned by 0, 90,
180 or 270 degrees, tilted up to 15 degrees out of the camera's plane (perspective) and turned up
to 10 degrees in it, laid on a wooden, grey, dark or light desk, sometimes with a hand over an
edge, under a light gradient, vignetting and often a soft shadow, with its ink coloured, blurred,
noisy, a 12-megapixel JPEG of quality about 75.

Reported (`handwriting.photo.clean_photo` on each JPEG's bytes, as the app would get them):
- sheet found: the share of photos whose sheet was found with every corner within 3 % of the
  sheet's shorter side of the truth; the median and worst corner error;
- quarter turns right: the share of photos turned upright (and of those turned 90 or 270 degrees,
  and 180 degrees);
- seconds per 12-megapixel photo for `clean_photo` (decoding included): the first run's median,
  and the best of 3 runs (what the code costs when the machine's other work leaves it alone);
- the paper left around the flattened page: the darkest of its four 1 % border bands (paper ~1.0);
- lines found: the share of photos whose lines the reader's line finder
  (`handwriting.reader.find_page_lines`) counts exactly, on the photo as sent and on the cleaned
  page (no recognizer needed).

`--show DIR` writes each photo (shrunk) and its cleaned page as PNG, to look at.
The UJI letters are evaluation-only: this benchmark never tunes anything on them.
"""

import argparse
import io
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from benchmarks.common import print_table, save
from handwriting.photo import clean_photo, homography
from training.paths import DEFAULT_DATA_DIR

# training.synthetic_lines (and TensorFlow with it) is imported only where pages are written, so
# that the tests can use `photograph` alone.

EVALUATION_STROKES = "uji-penchars-v1-letters"  # evaluation only: never trained or tuned on
PHOTO_SIZE = (4000, 3000)
CORNER_TOLERANCE = 0.03  # of the sheet's shorter side
SHEETS = {"A4": 297 / 210, "Letter": 11 / 8.5}
INKS = {"black": ((10, 10, 10), (60, 60, 70)), "blue": ((10, 30, 120), (60, 90, 210)),
        "pencil": ((70, 70, 70), (120, 120, 120))}
DESKS = ("wood", "grey", "dark", "light")


# ---- pages ----------------------------------------------------------------------------------------

def _darkness(grey):
    """Ink (0 paper .. 1 the darkest ink) of a grey picture of paper (~1.0) with dark ink: the
    picture's own ink colour is left to `photograph`."""
    paper = float(np.median(grey))
    darkness = np.clip((1 - grey / max(paper, 1e-3) - 0.04) / 0.96, 0, 1)  # the paper's own unevenness dropped
    inked = darkness[darkness > 0.1]
    return np.clip(darkness / max(np.quantile(inked, 0.95) if inked.size else 1.0, 0.2), 0, 1)


def stroke_sheet(letters, rng, lines=None):
    """A sheet (ink darkness in [0, 1], sheet-shaped) of 2 to 8 lines of stroke-letter words, and
    the texts of its lines."""
    from training.synthetic_lines import stroke_page, strokes_can_write, texts

    n = int(rng.integers(2, 9)) if lines is None else lines
    language = ("en", "es")[rng.integers(2)]
    chosen = []
    while len(chosen) < n:
        (text,) = texts(language, rng, 1, numbers=False)
        if strokes_can_write(text, letters):
            chosen.append(text)
    grey, _ = stroke_page(chosen, letters, rng, joined=rng.random() < 0.5)
    return _on_sheet([_darkness(grey)], rng), chosen


def font_sheet(rng, lines=None):
    """A sheet of 2 to 8 lines written in handwriting fonts (one font per sheet), and the texts of
    its lines."""
    from training.synthetic_lines import FONTS, font_line, fonts_for, texts

    n = int(rng.integers(2, 9)) if lines is None else lines
    language = ("en", "es")[rng.integers(2)]
    blocks, written = [], []
    package = None
    while len(blocks) < n:
        (text,) = texts(language, rng, 1)
        packages = fonts_for(text)
        if package is None and packages:
            package = packages[rng.integers(len(packages))]
        if package in packages:
            blocks.append(_darkness(font_line(text, FONTS[package][0], rng)))
            written.append(text)
    height = np.median([block.shape[0] for block in blocks])  # one writer: one size of writing
    blocks = [np.asarray(Image.fromarray(block).resize(
        (max(1, round(block.shape[1] * height / block.shape[0])), round(height)), Image.Resampling.BILINEAR))
        for block in blocks]
    return _on_sheet(blocks, rng), written


def _on_sheet(blocks, rng):
    """Blocks of ink stacked top-left on a sheet of A4 or Letter shape, with margins."""
    aspect = SHEETS[("A4", "Letter")[rng.integers(2)]]
    width = max(block.shape[1] for block in blocks)
    height = sum(block.shape[0] for block in blocks)
    sheet_width = int(max(width / rng.uniform(0.7, 0.85), height / aspect / rng.uniform(0.5, 0.85)))
    sheet = np.zeros((int(sheet_width * aspect), sheet_width), np.float32)
    top = int(rng.uniform(0.06, 0.12) * sheet.shape[0])
    left = int(rng.uniform(0.06, 0.12) * sheet_width)
    for block in blocks:
        indent = left + int(rng.uniform(0, 0.03) * sheet_width)
        h, w = block.shape
        sheet[top : top + h, indent : indent + w] = np.maximum(sheet[top : top + h, indent : indent + w], block)
        top += h
    return sheet


# ---- photographs ----------------------------------------------------------------------------------

def _smooth_noise(shape, rng, cells):
    """Smooth random field in about [-1, 1] with about `cells` bumps across the longer side."""
    height, width = shape
    small = rng.normal(0, 1, (max(2, round(cells * height / max(shape))), max(2, round(cells * width / max(shape)))))
    image = Image.fromarray(np.float32(small), "F").resize((width, height), Image.Resampling.BICUBIC)
    field = np.asarray(image, np.float32)
    return field / max(1e-6, float(np.abs(field).max()))


def _desk(kind, shape, rng):
    """An RGB desk (float32, 0..255) at `shape` (rows, columns)."""
    height, width = shape
    if kind == "wood":
        base = np.array([rng.uniform(120, 175), rng.uniform(75, 120), rng.uniform(35, 75)], np.float32)
        rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
        angle = rng.uniform(0, np.pi)
        along = columns * np.cos(angle) + rows * np.sin(angle)
        period = rng.uniform(0.01, 0.03) * max(shape)
        grain = np.sin(2 * np.pi * along / period + 6 * _smooth_noise(shape, rng, 3))
        field = 1 + 0.12 * grain + 0.08 * _smooth_noise(shape, rng, 8)
    else:
        level = {"grey": rng.uniform(90, 150), "dark": rng.uniform(25, 70), "light": rng.uniform(150, 185)}[kind]
        base = np.float32(level) * np.array([1, rng.uniform(0.97, 1.03), rng.uniform(0.93, 1.05)], np.float32)
        field = 1 + 0.06 * _smooth_noise(shape, rng, 6) + 0.03 * _smooth_noise(shape, rng, 40)
    return field[..., None] * base


def _placed_corners(aspect, photo_size, rng, tilt, turn, share):
    """The sheet's corners (top-left, top-right, bottom-right, bottom-left of the sheet as laid,
    width 1 and height `aspect`) in photo pixels: tilted up to `tilt` degrees about two axes,
    turned `turn` degrees in the image plane, covering about `share` of the photo."""
    ax, ay = np.radians(rng.uniform(-tilt, tilt, 2))
    rz = np.radians(turn)
    rot_x = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    rot_y = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rot_z = np.array([[np.cos(rz), -np.sin(rz), 0], [np.sin(rz), np.cos(rz), 0], [0, 0, 1]])
    flat = np.array([[-0.5, -aspect / 2, 0], [0.5, -aspect / 2, 0], [0.5, aspect / 2, 0], [-0.5, aspect / 2, 0]])
    world = flat @ (rot_z @ rot_y @ rot_x).T
    distance = 1.6 * max(1, aspect)
    points = world[:, :2] / (distance + world[:, 2:3])
    area = 0.5 * abs(np.dot(points[:, 0], np.roll(points[:, 1], 1)) - np.dot(points[:, 1], np.roll(points[:, 0], 1)))
    width, height = photo_size
    points *= np.sqrt(share * width * height / area)
    span = points.max(axis=0) - points.min(axis=0)
    fit = min(1.0, float(np.min(np.array([width, height]) * 0.96 / span)))  # the whole sheet in the picture
    points *= fit
    span *= fit
    room = np.maximum(np.array([width, height]) * 0.96 - span, 0)
    offset = rng.uniform(-0.5, 0.5, 2) * room
    return points - (points.max(axis=0) + points.min(axis=0)) / 2 + np.array([width, height]) / 2 + offset


def _hand(photo_size, corners, rng):
    """A soft mask (float32 0..1) of a hand (palm and thumb) over one edge of the sheet."""
    width, height = photo_size
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    side = rng.integers(4)
    a, b = corners[side], corners[(side + 1) % 4]
    at = a + rng.uniform(0.25, 0.75) * (b - a)
    centre = np.array([width, height]) / 2
    out = at - centre
    out /= np.linalg.norm(out)
    size = rng.uniform(0.12, 0.2) * min(width, height)
    palm = at + out * size * 0.9
    draw.ellipse([palm[0] - size, palm[1] - size * 0.8, palm[0] + size, palm[1] + size * 0.8], fill=255)
    for k in range(4):  # fingers reaching onto the sheet
        spread = (k - 1.5) * 0.35 * size
        normal = np.array([-out[1], out[0]])
        base = palm + normal * spread
        tip = base - out * size * rng.uniform(1.1, 1.5)
        draw.line([tuple(base), tuple(tip)], fill=255, width=int(size * 0.28))
        r = size * 0.14
        draw.ellipse([tip[0] - r, tip[1] - r, tip[0] + r, tip[1] + r], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(3))
    return np.asarray(mask, np.float32) / 255


def _lighting(shape, rng, shadow):
    """A multiplicative light field: a gradient, vignetting and maybe a soft shadow."""
    height, width = shape
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float32)
    x, y = columns / width - 0.5, rows / height - 0.5
    direction = rng.uniform(0, 2 * np.pi)
    light = 1 - rng.uniform(0.05, 0.35) * (0.5 + x * np.cos(direction) + y * np.sin(direction))
    light *= 1 - rng.uniform(0.05, 0.25) * (x**2 + y**2) * 2
    if shadow:  # a soft shadow (a head, a phone, an arm) falling across part of the picture
        mask = Image.new("L", (width // 8, height // 8), 0)
        draw = ImageDraw.Draw(mask)
        cx, cy = rng.uniform(0, width // 8), rng.uniform(0, height // 8)
        r = rng.uniform(0.2, 0.5) * max(width, height) // 8
        draw.ellipse([cx - r, cy - r * rng.uniform(0.5, 1.5), cx + r, cy + r], fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(rng.uniform(2, 10)))
        mask = mask.resize((width, height), Image.Resampling.BILINEAR)
        light *= 1 - rng.uniform(0.2, 0.45) * np.asarray(mask, np.float32) / 255
    return light


def photograph(sheet, rng, photo_size=PHOTO_SIZE, quarter_turns=0, desk="wood", ink="blue", tilt=15.0,
               turn=None, share=None, hand=False, shadow=False, quality=75):
    """A JPEG phone photo of a sheet (ink darkness in [0, 1], upright) and the truth about it.

    The sheet is turned `quarter_turns` times a quarter turn counter-clockwise (np.rot90), laid
    on `desk` with `ink` of that colour, tilted, turned `turn` degrees (default: up to 10 either
    way), covering `share` of the photo (default 30-70 %), with a hand over an edge and a shadow if
    asked. Returns (JPEG bytes, corners), corners: (4, 2) photo pixels of the turned sheet's
    top-left, top-right, bottom-right and bottom-left as it lies (before any quarter turn back).
    """
    width, height = photo_size
    turned = np.rot90(sheet, quarter_turns)
    aspect = turned.shape[0] / turned.shape[1]
    turn = rng.uniform(-10, 10) if turn is None else turn
    share = rng.uniform(0.3, 0.7) if share is None else share
    corners = _placed_corners(aspect, photo_size, rng, tilt, turn, share)
    low, high = INKS[ink]
    ink_rgb = rng.uniform(low, high).astype(np.float32)
    paper_rgb = np.array([rng.uniform(238, 252), rng.uniform(235, 250), rng.uniform(220, 245)], np.float32)
    darkness = turned * (rng.uniform(0.6, 0.85) if ink == "pencil" else 1.0)
    page = paper_rgb - darkness[..., None] * (paper_rgb - ink_rgb)
    page_image = Image.fromarray(np.uint8(np.clip(page, 0, 255)), "RGB")
    source = [(0, 0), (turned.shape[1], 0), (turned.shape[1], turned.shape[0]), (0, turned.shape[0])]
    inverse = homography(corners, source)
    coefficients = tuple((inverse / inverse[2, 2]).ravel()[:8])
    warped = np.asarray(page_image.transform(photo_size, Image.Transform.PERSPECTIVE, coefficients,
                                             Image.Resampling.BILINEAR), np.float32)
    mask = Image.new("L", turned.shape[::-1], 255).transform(photo_size, Image.Transform.PERSPECTIVE, coefficients,
                                                              Image.Resampling.BILINEAR)
    alpha = np.asarray(mask, np.float32)[..., None] / 255
    photo = _desk(desk, (height, width), rng) * (1 - alpha) + warped * alpha
    del warped
    if hand:
        skin = np.array([rng.uniform(190, 235), rng.uniform(140, 185), rng.uniform(110, 155)], np.float32)
        cover = _hand(photo_size, corners, rng)[..., None]
        photo = photo * (1 - cover) + skin * (0.9 + 0.1 * _smooth_noise((height, width), rng, 4)[..., None]) * cover
    photo *= _lighting((height, width), rng, shadow)[..., None]
    image = Image.fromarray(np.uint8(np.clip(photo, 0, 255)), "RGB")
    del photo
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    noisy = np.asarray(image, np.int16) + rng.integers(-4, 5, (height, width, 1), dtype=np.int16)
    buffer = io.BytesIO()
    Image.fromarray(np.uint8(np.clip(noisy, 0, 255)), "RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue(), corners


# ---- measuring ------------------------------------------------------------------------------------

def corner_error(found, truth):
    """The largest distance between found and true corners (best cyclic match, either direction),
    as a share of the true quadrilateral's shorter side."""
    truth = np.asarray(truth, np.float64)
    found = np.asarray(found, np.float64)
    sides = np.linalg.norm(truth - np.roll(truth, -1, axis=0), axis=1)
    short = min((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2)
    candidates = [np.roll(order, shift, axis=0) for order in (found, found[::-1]) for shift in range(4)]
    return min(np.linalg.norm(c - truth, axis=1).max() for c in candidates) / short


def border_paper(grey):
    """The darkest of the four border bands (1 % of each side) of a cleaned page, as the mean of
    its darkest tenth of pixels: ~1.0 when the desk is gone."""
    h, w = grey.shape
    band = max(2, round(0.01 * min(h, w)))
    bands = [grey[:band], grey[-band:], grey[:, :band], grey[:, -band:]]
    return min(float(np.sort(b.ravel())[: max(1, b.size // 10)].mean()) for b in bands)


def photo_cases(n, rng, letters):
    """n synthetic photo cases: (name, sheet, the texts of its lines, photograph options)."""
    cases = []
    for i in range(n):
        sheet, lines = font_sheet(rng) if i % 3 == 2 else stroke_sheet(letters, rng)
        options = {
            "quarter_turns": i % 4,
            "desk": DESKS[(i // 4) % len(DESKS)],
            "ink": tuple(INKS)[i % len(INKS)],
            "hand": rng.random() < 0.25,
            "shadow": rng.random() < 0.5,
            "photo_size": PHOTO_SIZE if rng.random() < 0.5 else PHOTO_SIZE[::-1],
        }
        cases.append((f"photo{i:02d}", sheet, lines, options))
    return cases


def uncleaned_lines(image):
    """The lines the reader would find in a picture without cleaning it first."""
    from handwriting.ink import grey_to_ink, to_grey
    from handwriting.lines import find_lines
    from handwriting.reader import READ_SIDE, SPECK_FRACTION

    return find_lines(grey_to_ink(to_grey(image, READ_SIDE), SPECK_FRACTION)).lines


def run(n, data_dir, show=None, seed=0, timing_runs=3):
    from benchmarks.lines import folded_letters, models
    from handwriting.letter_recognizer import LetterRecognizer
    from handwriting.line_recognizer import LineRecognizer
    from handwriting.reader import Readers, find_page_lines, read_page
    from handwriting.text_errors import character_error_rate
    from training.synthetic_lines import stroke_letters

    line_model, letter_model = models()
    readers = Readers(LetterRecognizer(letter_model), LineRecognizer(line_model))
    truths, read_photo, read_scan = [], [], []

    rng = np.random.default_rng(seed)
    letters = stroke_letters(data_dir, EVALUATION_STROKES)
    rows, errors, turns_right, seconds, best_seconds, borders = [], [], [], [], [], []
    lines_raw, lines_clean = [], []
    by_turn = {0: [], 1: [], 2: [], 3: []}
    for name, sheet, texts, options in photo_cases(n, rng, letters):
        lines = len(texts)
        data, corners = photograph(sheet, rng, **options)
        scan = Image.fromarray(np.uint8(np.clip(1 - sheet, 0, 1) * 255))  # the same page, a clean scan
        truths.append(folded_letters("".join(texts)))
        read_scan.append(folded_letters(read_page(scan, readers, "none").text))
        read_photo.append(folded_letters(read_page(Image.open(io.BytesIO(data)), readers, "none").text))
        durations = []
        for _ in range(timing_runs):
            start = time.perf_counter()
            result = clean_photo(Image.open(io.BytesIO(data)))
            durations.append(time.perf_counter() - start)
        seconds.append(durations[0])
        best_seconds.append(min(durations))
        error = corner_error(result.sheet, corners) if result.sheet is not None else float("inf")
        errors.append(error)
        right = result.quarter_turns == (-options["quarter_turns"]) % 4
        turns_right.append(right)
        by_turn[options["quarter_turns"]].append(right)
        grey = np.asarray(result.image.convert("L"), np.float32) / 255
        borders.append(border_paper(grey) if result.sheet is not None else float("nan"))
        # the reader's line finder on the photo as sent, and on the cleaned page
        found_raw = len(uncleaned_lines(Image.open(io.BytesIO(data))))
        found_clean = len(find_page_lines(Image.open(io.BytesIO(data))).lines)  # the reader: cleaned first
        lines_raw.append(found_raw == lines)
        lines_clean.append(found_clean == lines)
        rows.append([name, options["desk"], options["ink"], "hand" if options["hand"] else "",
                     "shadow" if options["shadow"] else "", options["quarter_turns"], f"{error:.3f}",
                     result.quarter_turns, f"{borders[-1]:.2f}", lines, found_raw, found_clean,
                     f"{best_seconds[-1]:.2f}"])
        if show:
            folder = Path(show)
            folder.mkdir(parents=True, exist_ok=True)
            photo = Image.open(io.BytesIO(data))
            photo.thumbnail((800, 800))
            photo.save(folder / f"{name}-photo.png")
            page = result.image.copy()
            page.thumbnail((800, 800))
            page.save(folder / f"{name}-clean.png")
    print_table(rows, ["photo", "desk", "ink", "hand", "shadow", "turns", "corner err", "turned", "border",
                       "lines", "found (photo)", "found (clean)", "s"])
    errors = np.asarray(errors)
    found = np.isfinite(errors)
    result = {
        "photos": n,
        "sheet_found_within_3pc": float(np.mean(errors <= CORNER_TOLERANCE)),
        "sheet_found_any": float(np.mean(found)),
        "corner_error_median": float(np.median(errors)),
        "corner_error_worst_found": float(errors[found].max()) if found.any() else None,
        "quarter_turns_right": float(np.mean(turns_right)),
        "quarter_turns_right_0": float(np.mean(by_turn[0])),
        "quarter_turns_right_90_270": float(np.mean(by_turn[1] + by_turn[3])),
        "quarter_turns_right_180": float(np.mean(by_turn[2])),
        "lines_found_exactly_photo": float(np.mean(lines_raw)),
        "lines_found_exactly_cleaned": float(np.mean(lines_clean)),
        "letters_right_scan": 1 - character_error_rate(truths, read_scan),
        "letters_right_photo": 1 - character_error_rate(truths, read_photo),
        "seconds_per_photo_median": statistics.median(seconds),
        "seconds_per_photo_best_of_runs_median": statistics.median(best_seconds),
        "seconds_per_photo_best_of_runs_max": max(best_seconds),
        "border_paper_min": float(np.nanmin(borders)),
        "border_paper_median": float(np.nanmedian(borders)),
    }
    for key, value in result.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/photos.json")
    parser.add_argument("--show", help="write the photos and cleaned pages as PNG to this folder")
    args = parser.parse_args()
    result = run(args.photos, args.data_dir, args.show, args.seed)
    if args.save:
        print("saved", save("photos", result))


if __name__ == "__main__":
    main()
