"""Find the lines of a handwritten page, top to bottom.

`find_lines` works on an ink map (`grey_to_ink`) of separate print letters or joined handwriting,
on plain or ruled paper. A small rotation of the whole page is measured (the angle at which the
rows of ink are sharpest) and undone. Ruled, squared and margin lines (long straight runs of thin
ink) are removed; strokes crossing them stay. The line pitch is the distance at which the rows of
ink repeat. The lines are the ridges of the ink's density, smoothed much more along the rows than
across them, followed from column to column, so a baseline may slope gently and a line may have
gaps; a ridge counts when it is the densest row within half a pitch or a clear valley parts it
from denser ones (unevenly spaced lines). Each piece of ink joins the line holding its body (its
ink near the line's centre); a piece with bodies in two lines (an ascender touching the descender
above it) is cut between them. Small marks (the dots of i and j, accents, commas) join the line of
the ink they sit on or above. A pitch clearly larger than the usual one starts a paragraph. Each
line comes out as an ink map of its own ink only. The work grows with the pixels, not with the
letters.
"""

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from handwriting.frame import INK_THRESHOLD
from handwriting.ink import label_components
from handwriting.segment import MAX_LETTERS, PARTS_PER_LETTER, TooManyLetters

MAX_SKEW = 6.0  # degrees: the page may be turned this much either way
SKEW_STEP = 0.25  # degrees between the angles tried
MIN_SKEW = 0.5  # smaller rotations are left alone
SKEW_BLUR = 0.5  # rows are blurred by this many median letter heights to measure the angle
SKEW_SIDE = 800  # the angle is measured on the ink shrunk to at most this many pixels
SKEW_POINTS = 30_000  # ...from at most this many ink pixels
RULE_THICKNESS = 4  # ruled lines are at most this many pixels thick...
RULE_SHARE = 1 / 8  # ...run straight along at least this share of the page's width (height)...
RULE_COVER = 0.5  # ...with at least this share of the run inked by thin ink
RULED_ROWS = 4  # fewer ruled lines than this must also be this many median heights long:
RULE_HEIGHTS = 4
RULE_ROW = 0.25  # a row ruled along this share of its width is ruled all along (faint, broken rules)
NOISE_AREA = 9  # more separate marks than max_letters allows, most smaller than this (pixels), are noise
SMALL = 0.5  # pieces less tall than this many median heights are marks (dots, bars)...
MARK_REACH = 0.6  # ...and join ink at most this many median heights beside them...
MARK_RANGE = 1.5  # ...or above or below them
PITCH_BAND = 20  # the pitch is measured on column bands this many median heights wide...
MAX_PITCH_BANDS = 8  # ...at most this many...
PITCH_LEVEL = 8  # ...each row's ink taken from its mean over this many median heights
PITCH_STRENGTH = 0.1  # lines repeat the rows' ink at least this well (a share of how it matches itself)...
PITCH_REPEAT = 0.5  # ...and the pitch is the first lag repeating it this well (a share of the best)
MIN_PITCH = 8  # pixels: lines are never closer
PITCH_HEIGHTS = 6  # the median height is taken as at least this share of the pitch, and at most one pitch
LONE_PITCH = 3.0  # a single line is taken as one of lines this many median heights apart
RIDGE_ROWS = 0.1  # the density is smoothed by this many pitches across the lines...
RIDGE_HEIGHTS = 0.5  # ...or this many median heights, if less...
RIDGE_COLUMNS = 1.0  # ...and by this many pitches along them,
RIDGE_ROW_CELLS = 2.4  # on cells this many times smaller than the smoothing across...
RIDGE_COLUMN_CELLS = 4  # ...and this many times narrower than the pitch
RIDGE_APART = 0.5  # a ridge is the densest row within this many pitches...
RIDGE_VALLEY = 0.7  # ...but for rows past a valley under this share of it...
RIDGE_FLOOR = 0.25  # ...and reaches this share of the densest row...
RIDGE_NEIGHBOURS = 1.5  # ...within this many pitches
RESPACE = 0.8  # ridges closer than this many pitches, as a rule, set the pitch (uneven lines)...
STRONG_RIDGE = 0.5  # ...counting those at least this share of their column's densest...
DEEP_VALLEY = 0.35  # ...and parted by a valley under this share of the lower one
TRACK_REACH = 0.2  # a ridge moves at most this many pitches (and one median height) per cell...
TRACK_GAP = 3.0  # ...and may break off for at most this many pitches
JOIN_REACH = 0.45  # broken pieces of a ridge this many pitches apart are one line...
JOIN_HEIGHTS = 2.0  # ...if at most this many median heights apart
FAINT_LINE = 0.1  # a ridge this much weaker than a line at most FAINT_APART pitches away is no line
FAINT_APART = 0.75  # (a capital's loop, a row of descenders between two lines)
LINE_MARGIN = 3.0  # a line claims ink this many median heights beyond its ridge's ends
CORE = 0.25  # ink at most this many median heights from a line's centre is its body
SPLIT = 0.15  # a piece with this share of its body in a second line is cut between the two
PARAGRAPH_PITCH = 1.5  # a pitch this many times the usual one between two lines starts a paragraph...
PARAGRAPH_HEIGHTS = 3.5  # ...and, with too few lines for a usual pitch, this many median heights
MIN_PITCHES = 3  # fewer pitches than this give no usual pitch
PICTURE_MARGIN = 4  # pixels of paper around a line's picture


class Straightening:
    """The rotation that levels the lines: straightened pixel (u, v) is page pixel
    (a·u + b·v + c, d·u + e·v + f), the affine map Pillow's `Image.transform` takes."""

    def __init__(self, angle, shape):
        """`angle`: degrees the lines rise to the right on a page of `shape` (height, width)."""
        self.angle = angle
        t = math.radians(angle)
        cos, sin = math.cos(t), math.sin(t)
        height, width = shape
        corners = np.array([(0, 0), (width, 0), (0, height), (width, height)], float)
        us = corners[:, 0] * cos - corners[:, 1] * sin
        vs = corners[:, 0] * sin + corners[:, 1] * cos
        u0, v0 = us.min(), vs.min()
        self.size = (math.ceil(us.max() - u0), math.ceil(vs.max() - v0))  # (width, height)
        self.matrix = (cos, sin, cos * u0 + sin * v0, -sin, cos, -sin * u0 + cos * v0)

    def apply(self, ink):
        """An ink map of the page, straightened (no ink in the corners)."""
        image = Image.fromarray(np.asarray(ink, np.float32), mode="F")
        turned = image.transform(self.size, Image.Transform.AFFINE, self.matrix,
                                 resample=Image.Resampling.BILINEAR, fillcolor=0.0)
        return np.asarray(turned, np.float32)

    def to_page(self, box):
        """The (x, y, w, h) box around a straightened (x, y, w, h) box, in page pixels."""
        x, y, w, h = box
        a, b, c, d, e, f = self.matrix
        us, vs = np.array([x, x + w, x, x + w]), np.array([y, y, y + h, y + h])
        xs, ys = a * us + b * vs + c, d * us + e * vs + f
        left, top = math.floor(xs.min()), math.floor(ys.min())
        return (left, top, math.ceil(xs.max()) - left, math.ceil(ys.max()) - top)


@dataclass(frozen=True)
class PageLine:
    ink: np.ndarray  # its own ink only, rows top.. of the straightened page (all its columns)
    top: int
    paragraph: bool  # it starts a paragraph (the first line does)
    box: tuple  # (x, y, w, h) around its own ink, in the straightened page's pixels

    @property
    def picture(self):
        """The line as cut from the page: its own ink only, cropped to its box with a margin of
        PICTURE_MARGIN pixels, as grey uint8 (ink 0, paper 255: a quarter of float32's memory)."""
        x, _, w, _ = self.box
        ink = np.pad(self.ink[:, x : x + w], PICTURE_MARGIN)
        return np.uint8(np.rint(255 * (1.0 - np.clip(ink, 0.0, 1.0))))


@dataclass
class Page:
    ink: np.ndarray  # the straightened ink map
    straightening: Straightening | None  # None when the page was not turned
    lines: list  # PageLines, top to bottom


def find_lines(ink, max_letters=MAX_LETTERS):
    """The lines of an ink map, top to bottom (none when it is blank).

    Raises TooManyLetters for noise: more separate marks than `max_letters` letters can have, most
    of them specks (a page of many letters is read: its marks are letter-sized).
    """
    angle = skew_angle(ink)
    straightening = Straightening(angle, ink.shape) if angle else None
    if straightening:
        ink = straightening.apply(ink)
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return Page(ink, straightening, [])
    mask = ink > INK_THRESHOLD * peak
    labels, sizes = label_components(mask)
    if len(sizes) - 1 > PARTS_PER_LETTER * max_letters and np.median(sizes[1:]) < NOISE_AREA:
        raise TooManyLetters(f"more than {PARTS_PER_LETTER * max_letters} separate marks", max_letters)
    text = mask & ~_ruled_lines(mask, _boxes(labels))
    labels, _ = label_components(text)
    boxes = _boxes(labels)
    if not len(boxes):
        return Page(ink, straightening, [])
    height = float(np.median(boxes[:, 3] - boxes[:, 1]))
    pitch = _line_pitch(text, height)
    if pitch:  # pieces may be mostly specks, or whole lines joined together
        height = float(np.clip(height, pitch / PITCH_HEIGHTS, pitch))
    centres, present = _line_centres(text, height, pitch or LONE_PITCH * height)
    owner = _assign(text, labels, boxes, centres, present, height)
    found = ndimage.find_objects(owner + 1)
    kept = [k for k, rows in enumerate(found) if rows is not None]
    middles = [float(np.median(centres[k][present[k]])) for k in kept]
    lines = [_line_ink(ink, mask, owner, k, found[k], paragraph)
             for k, paragraph in zip(kept, _paragraphs(middles, height))]
    return Page(ink, straightening, lines)


def skew_angle(ink):
    """The angle (degrees, counter-clockwise) the lines of ink rise at, or 0 when about level: the
    angle at which the rows of ink, blurred by half a letter height, are most concentrated."""
    step = max(1, math.ceil(max(ink.shape) / SKEW_SIDE))
    small = ink[::step, ::step]
    mask = small > INK_THRESHOLD * max(float(small.max(initial=0)), 1e-6)
    ys, xs = np.nonzero(mask)
    if ys.size < 2:
        return 0.0
    labels, _ = label_components(mask)
    blur = SKEW_BLUR * float(np.median([s[0].stop - s[0].start for s in ndimage.find_objects(labels)]))
    pick = np.random.default_rng(0).permutation(ys.size)[:SKEW_POINTS]
    ys, xs = ys[pick].astype(float), xs[pick].astype(float)
    angles = np.arange(-MAX_SKEW, MAX_SKEW + SKEW_STEP / 2, SKEW_STEP)
    sharpness = [_row_sharpness(ys + xs * math.tan(math.radians(a)), blur) for a in angles]
    best = float(angles[int(np.argmax(sharpness))])
    return best if abs(best) >= MIN_SKEW else 0.0


def _row_sharpness(rows, blur):
    """How concentrated points are in rows: the sum of squared row counts, blurred."""
    counts = np.bincount(np.round(rows - rows.min()).astype(int)).astype(float)
    counts = ndimage.gaussian_filter1d(counts, max(blur, 0.5))
    return float(np.dot(counts, counts))


def _boxes(labels):
    """The (left, top, right, bottom) box of each labelled piece: (pieces, 4) array."""
    slices = ndimage.find_objects(labels)
    return np.array([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in slices]).reshape(len(slices), 4)


def _ruled_lines(mask, boxes):
    """The pixels of a (straightened) ink mask, cut into pieces `boxes`, that belong to ruled,
    squared or margin lines: long straight runs of thin ink, level or upright. Where a stroke
    crosses one, the stroke stays (it is not thin there)."""
    height = float(np.median(boxes[:, 3] - boxes[:, 1])) if len(boxes) else 0.0
    return _rules_along(mask, height) | _rules_along(mask.T, height).T


def _rules_along(mask, height):
    """The level ruled lines of a mask (rows of thin ink, see `_ruled_lines`). Fewer than
    RULED_ROWS of them must also be longer than RULE_HEIGHTS median heights (the bars of a big E)."""
    rules = _thin_runs(mask, round(RULE_SHARE * mask.shape[1]))
    rows = np.flatnonzero(rules.any(axis=1))
    if rows.size and np.count_nonzero(np.diff(rows) > 2) + 1 < RULED_ROWS:
        rules = _thin_runs(mask, max(round(RULE_SHARE * mask.shape[1]), round(RULE_HEIGHTS * height)))
    return rules


def _thin_runs(mask, length):
    """The pixels of a mask in rows of thin ink at least `length` long (see `_ruled_lines`)."""
    if not 0 < length <= mask.shape[1]:
        return np.zeros_like(mask)
    inked = mask.view(np.uint8)
    across = RULE_THICKNESS + 1
    thick = ndimage.maximum_filter1d(ndimage.minimum_filter1d(inked, across, axis=0), across, axis=0)
    thin = mask & (thick == 0)
    near = ndimage.maximum_filter1d(thin.view(np.uint8), 3, axis=0).astype(np.float32)  # a rule may drift a row
    covered = ndimage.uniform_filter1d(near, length, axis=1) >= RULE_COVER
    rules = thin & ndimage.maximum_filter1d(covered.view(np.uint8), length, axis=1).astype(bool)
    ruled_rows = np.count_nonzero(rules, axis=1) >= RULE_ROW * mask.shape[1]
    ruled_rows = ndimage.maximum_filter1d(ruled_rows.view(np.uint8), 3).astype(bool)
    return rules | (thin & ruled_rows[:, None])


def _line_pitch(text, height):
    """The usual distance between the lines of a text mask: the first lag at which the rows' ink
    repeats nearly as well as it does at best, beyond one median height and past the lags at which
    the rows of one line still match (summed over column bands, so sloping lines still repeat);
    None when it does not clearly repeat (a single line)."""
    bands = int(np.clip(text.shape[1] // (PITCH_BAND * height), 1, MAX_PITCH_BANDS))
    width = text.shape[1] // bands
    profiles = text[:, : bands * width].reshape(text.shape[0], bands, width).sum(axis=2, dtype=np.float64)
    profiles -= ndimage.uniform_filter1d(profiles, round(PITCH_LEVEL * height), axis=0)  # blank margins aside
    spectrum = np.fft.rfft(profiles, n=2 * text.shape[0], axis=0)
    repeat = np.fft.irfft(np.abs(spectrum) ** 2, axis=0)[: text.shape[0]].sum(axis=1)
    apart = np.flatnonzero(repeat <= 0)  # past the first gap between lines: no lag within one line
    lags = np.flatnonzero((repeat[1:-1] > repeat[:-2]) & (repeat[1:-1] >= repeat[2:])) + 1
    lags = lags[(lags >= max(height, MIN_PITCH, apart[0] if apart.size else np.inf))
                & (repeat[lags] >= PITCH_STRENGTH * repeat[0])]
    return float(lags[repeat[lags] >= PITCH_REPEAT * repeat[lags].max()][0]) if lags.size else None


def _line_centres(text, height, pitch):
    """The centre row of each line of a text mask, per column, and where the line is: (centres,
    present), both (lines, width), top line first. Beyond its ends a line's centre stays level.
    `height`: the median height of its pieces; `pitch`: the usual distance between lines, as far as
    the rows' ink repeats (on a few unevenly spaced lines, its ridges tell it better)."""
    density, ridge, down, across = _ridge_map(text, height, pitch)
    spacing = _spacing(density, ridge) * down
    if spacing < RESPACE * pitch:
        pitch = spacing
        density, ridge, down, across = _ridge_map(text, height, pitch)
    tracks = _follow(ridge, min(TRACK_REACH * pitch, height) / down, TRACK_GAP * pitch / across)
    lines = _join(tracks, min(JOIN_REACH * pitch, JOIN_HEIGHTS * height) / down)
    xs = (np.arange(text.shape[1]) + 0.5) / across - 0.5
    centres, present, strengths = [], [], []
    for line in lines:
        cols = np.concatenate([t[0] for t in line])
        order = np.argsort(cols)
        cols, ys = cols[order], np.concatenate([t[1] for t in line])[order]
        centres.append((np.interp(xs, cols, ys) + 0.5) * down - 0.5)
        margin = LINE_MARGIN * height / across
        present.append(np.any([(xs >= t[0][0] - margin) & (xs <= t[0][-1] + margin) for t in line], axis=0))
        strengths.append(float(density[ys.astype(int), cols.astype(int)].sum()))
    if not centres:
        return np.zeros((0, text.shape[1])), np.zeros((0, text.shape[1]), bool)
    order = np.argsort([np.median(c[p]) for c, p in zip(centres, present)])
    centres, present, strengths = np.array(centres)[order], np.array(present)[order], np.array(strengths)[order]
    keep = [not _beside_stronger(k, centres, present, strengths, FAINT_APART * pitch) for k in range(len(centres))]
    return centres[keep], present[keep]


def _beside_stronger(k, centres, present, strengths, apart):
    """Whether line k is a faint ridge (a capital's loop, a row of accents) beside a much stronger
    line above or below, at most `apart` rows from it."""
    for other in (k - 1, k + 1):
        if 0 <= other < len(centres) and strengths[k] < FAINT_LINE * strengths[other]:
            shared = present[k] & present[other]
            if shared.any() and np.median(np.abs(centres[k][shared] - centres[other][shared])) <= apart:
                return True
    return False


def _ridge_map(text, height, pitch):
    """The density of a text mask on cells, smoothed much more along the lines than across, where
    it peaks as lines do (`_ridges`), and the cells' height and width in pixels."""
    blur = min(RIDGE_ROWS * pitch, RIDGE_HEIGHTS * height)
    down, across = max(1, round(blur / RIDGE_ROW_CELLS)), max(1, round(pitch / RIDGE_COLUMN_CELLS))
    rows, columns = -(-text.shape[0] // down), -(-text.shape[1] // across)
    cells = np.zeros((rows * down, columns * across), np.float32)
    cells[: text.shape[0], : text.shape[1]] = text
    cells = cells.reshape(rows, down, columns, across).mean(axis=(1, 3))
    density = ndimage.gaussian_filter(cells, (blur / down, RIDGE_COLUMNS * pitch / across))
    ridge = _ridges(density, RIDGE_APART * pitch / down, round(RIDGE_NEIGHBOURS * pitch / down))
    return density, ridge, down, across


def _spacing(density, ridge):
    """The median distance, in cells, between a ridge and the next one down its column, both
    strong there (at least STRONG_RIDGE of the column's densest) and parted by a deep valley (under
    DEEP_VALLEY of the lower one); infinite without such pairs."""
    columns, rows = np.nonzero(ridge.T)
    values = density[rows, columns]
    strong = values >= STRONG_RIDGE * density.max(axis=0)[columns]
    columns, rows, values = columns[strong], rows[strong], values[strong]
    gaps = [row_below - row for n, (column, row, row_below) in enumerate(zip(columns, rows, rows[1:]))
            if columns[n + 1] == column
            and density[row:row_below, column].min() < DEEP_VALLEY * min(values[n], values[n + 1])]
    return float(np.median(gaps)) if gaps else np.inf


def _ridges(density, apart, neighbours):
    """Where the columns of a density peak as lines do: at rows denser than RIDGE_FLOOR of the
    densest within `neighbours` rows, and than every row within `apart` rows that no clear valley
    (under RIDGE_VALLEY of the peak) parts from them."""
    near = ndimage.maximum_filter1d(density, 2 * neighbours + 1, axis=0)
    padded = np.pad(density, ((1, 1), (0, 0)))  # no ink beyond the page: a line may peak at its edge
    peaks = (density > padded[:-2]) & (density >= padded[2:])
    rows, columns = np.nonzero(peaks & (density > RIDGE_FLOOR * near))
    values = density[rows, columns]
    lower = np.zeros(rows.size, bool)
    for step in (-1, 1):  # walk away from each peak until the density rises above it
        valley, walking = values.copy(), np.ones(rows.size, bool)
        for distance in range(1, int(apart) + 1):
            at = rows + step * distance
            walking &= (at >= 0) & (at < density.shape[0])
            seen = density[np.clip(at, 0, density.shape[0] - 1), columns]
            valley = np.where(walking, np.minimum(valley, seen), valley)
            higher = walking & (seen > values)
            lower |= higher & (valley >= RIDGE_VALLEY * values)
            walking &= ~higher
    ridge = np.zeros(density.shape, bool)
    ridge[rows[~lower], columns[~lower]] = True
    return ridge


def _follow(ridge, reach, gap):
    """Ridges followed column by column: [(columns, rows)] as arrays. A ridge point continues the
    nearest track last seen at most `gap` columns back and `reach` rows away per column."""
    tracks, active = [], []  # active: indices of tracks that may continue
    columns, rows = np.nonzero(ridge.T)
    starts = np.flatnonzero(np.diff(columns)) + 1
    for column, peaks in zip(columns[np.r_[0, starts]] if columns.size else [], np.split(rows, starts)):
        active = sorted((t for t in active if column - tracks[t][0][-1] <= gap), key=lambda t: tracks[t][1][-1])
        pairs = []
        if active:
            last = np.array([tracks[t][1][-1] for t in active])
            allowed = reach * np.sqrt(np.maximum(1, column - np.array([tracks[t][0][-1] for t in active])))
            after = np.searchsorted(last, peaks)
            for i, row in enumerate(peaks):  # the nearest tracks are just above and just below
                for j in (after[i] - 1, after[i]):
                    if 0 <= j < len(active) and abs(row - last[j]) <= allowed[j]:
                        pairs.append((abs(row - last[j]), i, active[j]))
        taken_rows, taken_tracks = set(), set()
        for _, i, t in sorted(pairs):
            if i not in taken_rows and t not in taken_tracks:
                tracks[t][0].append(column)
                tracks[t][1].append(float(peaks[i]))
                taken_rows.add(i)
                taken_tracks.add(t)
        for i, row in enumerate(peaks):
            if i not in taken_rows:
                tracks.append(([column], [float(row)]))
                active.append(len(tracks) - 1)
    return [(np.array(c, float), np.array(r, float)) for c, r in tracks]


def _join(tracks, reach):
    """Tracks joined into lines, longest first: [[(columns, rows)]]. A track joins the line whose
    rows, where both run or else at their near ends, are at most `reach` away."""
    lines, spans = [], []  # spans: each line's lowest and highest row
    for track in sorted(tracks, key=lambda t: -len(t[0])):
        low, high = track[1].min() - reach, track[1].max() + reach
        best, best_distance = None, reach
        for n in (n for n, (top, bottom) in enumerate(spans) if bottom >= low and top <= high):
            distance = min(_apart_rows(track, other) for other in lines[n])
            if distance <= best_distance:
                best, best_distance = n, distance
        if best is None:
            lines.append([track])
            spans.append((track[1].min(), track[1].max()))
        else:
            lines[best].append(track)
            spans[best] = (min(spans[best][0], track[1].min()), max(spans[best][1], track[1].max()))
    return lines


def _apart_rows(track, other):
    """How many rows apart two tracks run: the median gap over the columns they share, or the gap
    between their near ends."""
    (columns, rows), (other_columns, other_rows) = track, other
    shared = (columns >= other_columns[0]) & (columns <= other_columns[-1])
    if shared.any():
        return float(np.median(np.abs(rows[shared] - np.interp(columns[shared], other_columns, other_rows))))
    return abs(other_rows[0] - rows[-1]) if other_columns[0] > columns[-1] else abs(other_rows[-1] - rows[0])


def _assign(text, labels, boxes, centres, present, height):
    """The line of every text pixel (-1 for none): (height, width) int array. A piece whose body
    lies in one line joins it whole; one with bodies in two lines is cut at the nearest centre;
    marks and pieces with no body join the line of the ink they sit on (`_mark_lines`)."""
    owner = np.full(text.shape, -1, np.int32)
    if not len(centres):
        return owner
    ys, xs = np.nonzero(text)
    nearest, distance = _nearest_line(ys, xs, centres, present)
    pieces = labels[ys, xs]
    body = distance <= CORE * height
    count, lines = len(boxes), len(centres)
    bodies = np.bincount(pieces[body] * lines + nearest[body], minlength=(count + 1) * lines).reshape(count + 1, lines)
    order = np.sort(bodies, axis=1)
    first, second = order[:, -1], order[:, -2] if lines > 1 else np.zeros(count + 1)
    heights = np.concatenate([[0], boxes[:, 3] - boxes[:, 1]])
    mark = (first == 0) | (heights < SMALL * height)
    split = ~mark & (second >= SPLIT * first)
    line_of = np.argmax(bodies, axis=1)
    owner[ys, xs] = np.where(split[pieces], nearest, np.where(mark[pieces], -1, line_of[pieces]))
    _mark_lines(owner, labels, boxes, np.flatnonzero(mark[1:]), height)
    return owner


def _nearest_line(ys, xs, centres, present):
    """The line whose centre is nearest each pixel (ys, xs) among the lines present in its column
    (all lines where none is), and how far it is."""
    used = present | ~present.any(axis=0)
    columns, lines = np.nonzero(used.T)
    rows = centres[lines, columns]
    order = np.lexsort((rows, columns))
    columns, lines, rows = columns[order], lines[order], rows[order]
    stride = 4.0 * (np.abs(rows).max() + ys.max() + 1)  # one sorted key for every column's centres
    keys = columns * stride + rows
    wanted = xs * stride + ys
    after = np.searchsorted(keys, wanted)
    below, above = np.minimum(after, keys.size - 1), np.maximum(after - 1, 0)
    down = np.where((columns[below] == xs) & (after < keys.size), keys[below] - wanted, np.inf)
    up = np.where((columns[above] == xs) & (after > 0), wanted - keys[above], np.inf)
    return np.where(up <= down, lines[above], lines[below]), np.minimum(up, down)


def _mark_lines(owner, labels, boxes, marks, height):
    """Give each mark (a piece index) the line of the nearest ink up or down in its columns, or
    beside it within reach; ink over the mark counts at twice its distance (dots sit above their
    letter). A mark with no ink that near (a speck, a scrap of a ruled line) joins no line."""
    reach, span = round(MARK_REACH * height), round(MARK_RANGE * height)
    lines = owner.copy()
    for mark in marks:
        left, top, right, bottom = boxes[mark]
        rows = slice(max(0, top - span), bottom + span)
        columns = slice(max(0, left - reach), right + reach)
        window = lines[rows, columns]
        ys, xs = np.nonzero(window >= 0)
        if not ys.size:
            continue
        pieces = labels[rows, columns][ys, xs]
        inside = (xs + columns.start >= left) & (xs + columns.start < right)
        chosen = inside | ~np.isin(pieces, pieces[inside])  # a piece in the mark's columns counts there only
        ys, xs = ys[chosen], xs[chosen]
        centre = (top + bottom - 1) / 2 - rows.start
        nearest = np.argmin(np.where(ys >= centre, ys - centre, 2 * (centre - ys)))
        piece = labels[top:bottom, left:right] == mark + 1
        owner[top:bottom, left:right][piece] = window[ys[nearest], xs[nearest]]


def _paragraphs(middles, height):
    """Whether each line (its centre rows, top to bottom) starts a paragraph: the first does, and
    so does one after a pitch clearly larger than the usual one."""
    pitches = np.diff(middles)
    if len(pitches) >= MIN_PITCHES:
        threshold = PARAGRAPH_PITCH * float(np.median(pitches))
    else:
        threshold = PARAGRAPH_HEIGHTS * height
    return [True] + [bool(pitch > threshold) for pitch in pitches]


def _line_ink(ink, mask, owner, line, rows, paragraph):
    """The ink of one line's pixels, and the faint edges around them, cut to its rows."""
    rows, columns = rows
    own = owner[rows] == line
    box = (columns.start, rows.start, columns.stop - columns.start, rows.stop - rows.start)
    own |= ndimage.binary_dilation(own, np.ones((3, 3), bool)) & ~mask[rows]
    return PageLine(ink[rows] * own, rows.start, paragraph, box)
