"""Finding the lines of whole pages of joined handwriting: a synthetic ruled page, a page of 2,000
separate letters, and a real page of htr-lines-copiste."""

import gzip
import io
import json
import math
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from handwriting.frame import INK_THRESHOLD
from handwriting.ink import grey_to_ink, to_grey
from handwriting.lines import find_lines

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
READ_SIDE, SPECK_FRACTION = 1600, 0.003  # as the reader analyses a page
PITCH = 56  # pixels between ruled lines, and between lines of writing
CELL = 12  # pixels per joined letter
X_HEIGHT, ASCENDER, DESCENDER = 16, 20, 24  # an ascender rises, a descender drops, this far beyond the x-height
RISE = math.tan(math.radians(1.5))  # the writing climbs across the level ruled lines


def scribble_line(draw, left, baseline, kinds):
    """One line of joined scribble: a letter per CELL px ("o", "l" ascender, "g" descender, " " a
    gap between words), climbing by RISE."""
    stroke = []
    for n, kind in enumerate(kinds):
        x = left + n * CELL
        if kind == " ":
            if len(stroke) > 1:
                draw.line(stroke, fill=20, width=3, joint="curve")
            stroke = []
            continue
        top = {"l": X_HEIGHT + ASCENDER}.get(kind, X_HEIGHT)
        bottom = -DESCENDER if kind == "g" else 0
        for dx, dy in ((0, 0), (3, top), (6, bottom), (9, X_HEIGHT * 0.4), (CELL, 0)):
            stroke.append((x + dx, baseline - dy - RISE * (x + dx - left)))
    if len(stroke) > 1:
        draw.line(stroke, fill=20, width=3, joint="curve")


def ruled_page(lines=8, letters=80, seed=0, squared=False):
    """A ruled page (or squared: PITCH / 2 squares) with a margin line and `lines` lines of joined
    scribble words that climb across the ruled lines; where a line has a descender the next line
    has an ascender every few letters, touching it. Returns the picture and each line's own ink
    mask."""
    rng = np.random.default_rng(seed)
    size, left = (140 + letters * CELL, 140 + lines * PITCH), 110
    kinds = [list(rng.choice(list("oooool g"), letters)) for _ in range(lines)]
    for line in range(lines - 1):
        for n in range(5 + line, letters, 9):  # touching: a descender over an ascender
            kinds[line][n], kinds[line + 1][n] = "g", "l"
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    for y in range(40 + PITCH, size[1], PITCH // 2 if squared else PITCH):
        draw.line([(0, y), (size[0], y)], fill=90, width=2)
    for x in range(10, size[0], PITCH // 2) if squared else []:
        draw.line([(x, 0), (x, size[1])], fill=90, width=2)
    draw.line([(90, 0), (90, size[1])], fill=70, width=2)
    truths = []
    for line, row in enumerate(kinds):
        baseline = 40 + PITCH * (line + 1) + 4
        scribble_line(draw, left, baseline, row)
        alone = Image.new("L", size, 255)
        scribble_line(ImageDraw.Draw(alone), left, baseline, row)
        truths.append(np.asarray(alone) < 128)
    return page, truths


def owners(page, shape):
    """Which found line owns each pixel of the picture (-1: none)."""
    straight = np.full(page.ink.shape, -1)
    for k, line in enumerate(page.lines):
        straight[line.top : line.top + len(line.ink)][line.ink > INK_THRESHOLD * line.ink.max()] = k
    ys, xs = np.indices(shape)
    if page.straightening is not None:
        a, b, c, d, e, f = page.straightening.matrix
        xs, ys = a * (xs + 0.5 - c) + d * (ys + 0.5 - f), b * (xs + 0.5 - c) + e * (ys + 0.5 - f)
    inside = (ys >= 0) & (ys < straight.shape[0]) & (xs >= 0) & (xs < straight.shape[1])
    owner = np.full(shape, -1)
    owner[inside] = straight[ys[inside].astype(int), xs[inside].astype(int)]
    return owner


@pytest.mark.parametrize("squared", [False, True])
def test_a_ruled_page_of_joined_writing_finds_each_line_once_and_no_ruled_line(squared):
    image, truths = ruled_page(squared=squared)
    page = find_lines(grey_to_ink(to_grey(image, max_side=READ_SIDE), SPECK_FRACTION))
    assert len(page.lines) == len(truths)
    owner = owners(page, truths[0].shape)
    for k, truth in enumerate(truths):
        held = np.bincount(owner[truth & (owner >= 0)], minlength=len(page.lines))
        assert np.argmax(held) == k and held[k] >= 0.85 * np.count_nonzero(truth), (k, held)
    near = [ndimage.binary_dilation(truth, iterations=2) for truth in truths]  # with the ink's faint edges
    for k in range(len(page.lines)):
        own = owner == k
        assert np.count_nonzero(own & ~np.any(near, axis=0)) <= 0.03 * np.count_nonzero(own)  # ruled lines
        others = np.any([n for j, n in enumerate(near) if j != k], axis=0) & ~near[k]
        assert np.count_nonzero(own & others) <= 0.04 * np.count_nonzero(own)  # other lines' ink


def test_a_page_of_2000_letters_is_not_refused():
    font = ImageFont.load_default(size=20)
    rng = np.random.default_rng(1)
    page = Image.new("L", (1240, 1750), 255)
    draw = ImageDraw.Draw(page)
    texts = [" ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), rng.integers(2, 9)))
                      for _ in range(20))[:100] for _ in range(26)]
    for line, text in enumerate(texts):
        draw.text((40, 50 + 64 * line), text, fill=0, font=font)
    assert sum(len(text.replace(" ", "")) for text in texts) >= 2000
    ink = grey_to_ink(to_grey(page, max_side=READ_SIDE), SPECK_FRACTION)
    assert len(find_lines(ink).lines) == len(texts)  # more separate marks than 1,600, as letters have


def copiste_page(name):
    """A whole page of htr-lines-copiste and its true lines (text and polygon, page pixels)."""
    folder = DATA / "htr-lines-copiste"
    if not (folder / "pages.tar").exists():
        pytest.skip("no ../shared/data/htr-lines-copiste")
    with gzip.open(folder / "index.jsonl.gz", "rt", encoding="utf-8") as file:
        row = next(row for row in map(json.loads, file) if row["kind"] == "page" and row["page_image"] == name)
    with tarfile.open(folder / "pages.tar") as tar:
        return Image.open(io.BytesIO(tar.extractfile(name).read())), row["lines"]


def test_a_real_ruled_page_of_tight_joined_writing():
    image, lines = copiste_page("imp_wikitexte_0122_1.jpg")  # descenders reach into the next line
    grey = to_grey(image, max_side=READ_SIDE)
    ink = grey_to_ink(grey, SPECK_FRACTION)
    page = find_lines(ink)
    owner = owners(page, ink.shape)
    inked = ink > INK_THRESHOLD * ink.max()
    best, found = [], 0
    for line in lines:
        polygon = Image.new("1", image.size, 0)
        ImageDraw.Draw(polygon).polygon([tuple(point) for point in line["polygon"]], fill=1)
        polygon = np.asarray(polygon.resize(grey.shape[::-1]))
        held = np.bincount(owner[polygon & inked & (owner >= 0)], minlength=len(page.lines))
        best.append((int(np.argmax(held)), held.max() / max(held.sum(), 1), np.flatnonzero(polygon.any(axis=1))))
    for k, share, rows in best:
        own = np.flatnonzero((owner == k).any(axis=1))
        overlap = min(own[-1], rows[-1]) - max(own[0], rows[0]) + 1
        iou = overlap / (max(own[-1], rows[-1]) - min(own[0], rows[0]) + 1)
        found += share >= 0.5 and iou >= 0.5 and [b[0] for b in best].count(k) == 1
    assert found >= 0.9 * len(lines), (found, len(lines))
