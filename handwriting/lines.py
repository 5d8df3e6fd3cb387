"""Find the lines of a handwritten page, top to bottom.

`find_lines` works on an ink map (`grey_to_ink`) of separate print letters or joined handwriting,
on plain or ruled paper. A small rotation of the whole page is measured (the angle at which the
rows of ink are sharpest) and undone. Ruled, squared and margin lines (long straight runs of thin
ink) are removed, keeping the strokes that cross them. The lines of text are the ridges of the ink
density smoothed much more along the rows than across them, followed column by column, so a
baseline may slope gently and a line may have gaps. Each piece of ink joins the line that holds
its body (the ink near a line's centre); a piece holding the bodies of two lines (an ascender
touching the descender above) is cut between them. Small marks (the dots of i and j, accents, a
t's bar, commas) join the line of the ink they sit on or above. A line pitch clearly larger than
the usual one starts a paragraph. Each line comes out as an ink map of its own ink only.
"""

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage, signal

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
RULE_HEIGHTS = 4  # ...and this many median heights of the ink's pieces...
RULE_COVER = 0.5  # ...with at least this share of the run inked by thin ink
RULE_ROW = 0.25  # a row ruled along this share of its width is ruled all along (faint, broken rules)
NOISE_AREA = 9  # a page of more separate marks than max_letters allows, most smaller than this, is noise
SMALL = 0.5  # pieces less tall than this many median heights are marks (dots, bars)...
MARK_REACH = 0.6  # ...and join ink at most this many median heights beside them...
MARK_RANGE = 3.0  # ...or at most this many above or below
RIDGE_CELLS = 8  # the density is measured on cells this many times smaller than the median height
RIDGE_ROWS = 0.25  # the density is smoothed by this many median heights across the lines...
RIDGE_COLUMNS = 4.0  # ...and this many along them
RIDGE_FLOOR = 0.05  # ridges weaker than this share of the densest are not lines...
RIDGE_PROMINENCE = 0.15  # ...nor those that do not stand out by this share of their height
TRACK_REACH = 0.5  # a ridge moves at most this many median heights from one cell to the next...
TRACK_GAP = 8.0  # ...and may break off for at most this many
JOIN_REACH = 1.0  # broken pieces of a ridge this many median heights apart are one line
LINE_MARGIN = 3.0  # a line claims ink this many median heights beyond its ridge's ends
CORE = 0.25  # ink at most this many median heights from a line's centre is its body
SPLIT = 0.15  # a piece with this share of its body in a second line is cut between the two
PARAGRAPH_PITCH = 1.5  # a pitch this many times the usual one between two lines starts a paragraph...
PARAGRAPH_HEIGHTS = 3.5  # ...and, with too few lines for a usual pitch, this many median heights
MIN_PITCHES = 3  # fewer pitches than this give no usual pitch


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
    ink: np.ndarray  # the line's own ink (other lines' ink removed), rows top.. of the straightened page, all its columns
    top: int
    paragraph: bool  # it starts a paragraph (the first line does)
    box: tuple  # (x, y, w, h) around its own ink, in the straightened page's pixels


@dataclass
class Page:
    ink: np.ndarray  # the straightened ink map
    straightening: Straightening | None  # None when the page was not turned
    lines: list  # PageLines, top to bottom


def find_lines(ink, max_letters=MAX_LETTERS):
    """The lines of an ink map, top to bottom (none when it is blank).

    The work grows with the pixels, not with the letters. Raises TooManyLetters for noise: more
    separate marks than `max_letters` letters can have, most of them specks.
    """
    angle = skew_angle(ink)
    straightening = Straightening(angle, ink.shape) if angle else None
    if straightening:
        ink = straightening.apply(ink)
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return Page(ink, straightening, [])
    mask = ink > INK_THRESHOLD * peak
    text = mask & ~ruled_lines(mask)
    labels, sizes = label_components(text)
    count = len(sizes) - 1
    if count > PARTS_PER_LETTER * max_letters and np.median(sizes[1:]) < NOISE_AREA:
        raise TooManyLetters(f"more than {PARTS_PER_LETTER * max_letters} separate marks", max_letters)
    if count == 0:
        return Page(ink, straightening, [])
    slices = ndimage.find_objects(labels)
    boxes = np.array([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in slices])
    height = float(np.median(boxes[:, 3] - boxes[:, 1]))
    centres, present = line_centres(text, height)
    owner = _assign(text, labels, boxes, centres, present, height)
    found = ndimage.find_objects(owner + 1)
    kept = [k for k, rows in enumerate(found) if rows is not None]
    middles = [float(np.median(centres[k][present[k]])) for k in kept]
    lines = [_line_ink(ink, owner, k, found[k], paragraph)
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


def ruled_lines(mask):
    """The pixels of a (straightened) ink mask that belong to ruled, squared or margin lines: long
    straight runs of thin ink, level or upright. Where a stroke crosses one, the stroke stays."""
    labels, _ = label_components(mask)
    height = float(np.median([s[0].stop - s[0].start for s in ndimage.find_objects(labels)] or [0]))
    return _rules_along(mask, height) | _rules_along(mask.T, height).T


def _rules_along(mask, height):
    """The level ruled lines of a mask (rows of thin ink, see `ruled_lines`)."""
    length = max(round(RULE_SHARE * mask.shape[1]), round(RULE_HEIGHTS * height), 1)
    if length > mask.shape[1]:
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


def line_centres(text, height):
    """The centre row of each line of a text mask, per column, and where the line is: (centres,
    present), both (lines, width), top line first. Beyond its ends a line's centre stays level."""
    step = max(1, int(height // RIDGE_CELLS))
    rows, columns = -(-text.shape[0] // step), -(-text.shape[1] // step)
    cells = np.zeros((rows * step, columns * step), np.float32)
    cells[: text.shape[0], : text.shape[1]] = text
    cells = cells.reshape(rows, step, columns, step).mean(axis=(1, 3))
    scale = height / step
    density = ndimage.gaussian_filter(cells, (RIDGE_ROWS * scale, RIDGE_COLUMNS * scale))
    ridge = _ridges(density)
    tracks = _follow(ridge, TRACK_REACH * scale, TRACK_GAP * scale)
    lines = _join(tracks, JOIN_REACH * scale)
    xs = (np.arange(text.shape[1]) + 0.5) / step - 0.5
    centres, present = [], []
    for line in lines:
        cols = np.concatenate([t[0] for t in line])
        order = np.argsort(cols)
        cols, ys = cols[order], np.concatenate([t[1] for t in line])[order]
        centres.append((np.interp(xs, cols, ys) + 0.5) * step - 0.5)
        margin = LINE_MARGIN * scale
        present.append(np.any([(xs >= t[0][0] - margin) & (xs <= t[0][-1] + margin) for t in line], axis=0))
    if not centres:
        return np.zeros((0, text.shape[1])), np.zeros((0, text.shape[1]), bool)
    order = np.argsort([np.median(c[p]) for c, p in zip(centres, present)])
    return np.array(centres)[order], np.array(present)[order]


def _ridges(density):
    """Where each column of a density peaks clearly: a peak counts when it rises above the floor
    and stands out from the valleys on both sides towards any higher peak."""
    ridge = np.zeros(density.shape, bool)
    floor = RIDGE_FLOOR * density.max()
    for column, values in enumerate(density.T):
        peaks, _ = signal.find_peaks(values, height=floor)
        if peaks.size:
            prominences = signal.peak_prominences(values, peaks)[0]
            ridge[peaks[prominences >= RIDGE_PROMINENCE * values[peaks]], column] = True
    return ridge


def _follow(ridge, reach, gap):
    """Ridges followed column by column: [(columns, rows)] as arrays. A ridge point continues the
    nearest track last seen at most `gap` columns back and `reach` rows away per column."""
    tracks, active = [], []  # active: indices of tracks that may continue
    columns, rows = np.nonzero(ridge.T)
    starts = np.flatnonzero(np.diff(columns)) + 1
    for column, peaks in zip(columns[np.r_[0, starts]] if columns.size else [], np.split(rows, starts)):
        active = [t for t in active if column - tracks[t][0][-1] <= gap]
        pairs = []
        for i, row in enumerate(peaks):
            for t in active:
                last_column, last_row = tracks[t][0][-1], tracks[t][1][-1]
                distance = abs(row - last_row)
                if distance <= reach * max(1.0, math.sqrt(column - last_column)):
                    pairs.append((distance, i, t))
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
    """Tracks side by side with their near ends at most `reach` rows apart joined into lines,
    longest first: [[(columns, rows)]]."""
    lines = []
    for track in sorted(tracks, key=lambda t: -len(t[0])):
        best, best_distance = None, reach
        for line in lines:
            if any(min(t[0][-1], track[0][-1]) - max(t[0][0], track[0][0]) >= 0 for t in line):
                continue  # they overlap side to side: two lines
            near = min(line, key=lambda t: min(abs(t[0][0] - track[0][-1]), abs(t[0][-1] - track[0][0])))
            distance = abs(near[1][0] - track[1][-1]) if near[0][0] > track[0][-1] else abs(near[1][-1] - track[1][0])
            if distance <= best_distance:
                best, best_distance = line, distance
        if best is None:
            lines.append([track])
        else:
            best.append(track)
    return lines


def _assign(text, labels, boxes, centres, present, height):
    """The line of every text pixel (-1 for none): (height, width) int array. A piece whose body
    lies in one line joins it whole; one with bodies in two lines is cut at the nearest centre;
    marks and pieces with no body join the line of the ink they sit on (`_mark_lines`)."""
    owner = np.full(text.shape, -1, np.int32)
    if not len(centres):
        return owner
    ys, xs = np.nonzero(text)
    pieces = labels[ys, xs]
    far = np.abs(ys[None, :] - centres[:, xs]) + np.where(present[:, xs], 0, text.shape[0] + text.shape[1])
    nearest = np.argmin(far, axis=0)
    body = far[nearest, np.arange(ys.size)] <= CORE * height
    count, lines = len(boxes), len(centres)
    bodies = np.bincount(pieces[body] * lines + nearest[body], minlength=(count + 1) * lines).reshape(count + 1, lines)
    order = np.sort(bodies, axis=1)
    first, second = order[:, -1], order[:, -2] if lines > 1 else np.zeros(count + 1)
    heights = np.concatenate([[0], boxes[:, 3] - boxes[:, 1]])
    mark = (first == 0) | (heights < SMALL * height)
    split = ~mark & (second >= SPLIT * first)
    line_of = np.argmax(bodies, axis=1)
    owner[ys, xs] = np.where(split[pieces], nearest, np.where(mark[pieces], -1, line_of[pieces]))
    _mark_lines(owner, labels, boxes, np.flatnonzero(mark[1:]), centres, height)
    return owner


def _mark_lines(owner, labels, boxes, marks, centres, height):
    """Give each mark (a piece index) the line of the nearest ink up or down in its columns, or
    beside it within reach; ink over the mark counts at twice its distance (dots sit above their
    letter). A mark with no ink near joins the nearest line centre."""
    reach, span = round(MARK_REACH * height), round(MARK_RANGE * height)
    for mark in marks:
        left, top, right, bottom = boxes[mark]
        rows = slice(max(0, top - span), bottom + span)
        columns = slice(max(0, left - reach), right + reach)
        window = owner[rows, columns]
        ys, xs = np.nonzero(window >= 0)
        if ys.size:
            pieces = labels[rows, columns][ys, xs]
            inside = (xs + columns.start >= left) & (xs + columns.start < right)
            ys, xs = ys[inside | ~np.isin(pieces, pieces[inside])], xs[inside | ~np.isin(pieces, pieces[inside])]
        centre = (top + bottom - 1) / 2 - rows.start
        if ys.size:
            distance = np.where(ys >= centre, ys - centre, 2 * (centre - ys))
            line = window[ys[np.argmin(distance)], xs[np.argmin(distance)]]
        else:
            line = int(np.argmin(np.abs(centres[:, (left + right) // 2] - (top + bottom) / 2)))
        piece = labels[top:bottom, left:right] == mark + 1
        owner[top:bottom, left:right][piece] = line


def _paragraphs(middles, height):
    """Whether each line (its centre rows, top to bottom) starts a paragraph: the first does, and
    so does one after a pitch clearly larger than the usual one."""
    pitches = np.diff(middles)
    if len(pitches) >= MIN_PITCHES:
        threshold = PARAGRAPH_PITCH * float(np.median(pitches))
    else:
        threshold = PARAGRAPH_HEIGHTS * height
    return [True] + [bool(pitch > threshold) for pitch in pitches]


def _line_ink(ink, owner, line, rows, paragraph):
    """The ink of one line's pixels (and the faint edges around them), cut to its rows."""
    rows, columns = rows
    own = owner[rows] == line
    box = (columns.start, rows.start, columns.stop - columns.start, rows.stop - rows.start)
    own = ndimage.binary_dilation(own, np.ones((3, 3), bool))
    return PageLine(ink[rows] * own, rows.start, paragraph, box)
