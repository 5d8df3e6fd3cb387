"""Find the lines of a handwritten page, top to bottom.

`find_lines` works on an ink map (`grey_to_ink`). A small rotation of the whole page is measured
(the angle at which the rows of ink are sharpest) and undone. The ink falls into connected
components; the letter-sized ones are grouped into lines by their vertical centres (a new line
starts where the sorted centres jump by a clear fraction of the letter height, so ascenders,
descenders and a drifting baseline stay in their line). Small marks (the dots of i and j, a t's
bar, commas) join the line of the letter they sit on or above. A line pitch clearly larger than
the usual one starts a paragraph. Each line comes out as an ink map of its own ink only, ready
for `handwriting.segment`.
"""

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from handwriting.frame import INK_THRESHOLD
from handwriting.ink import label_components
from handwriting.segment import PARTS_PER_LETTER, TooManyLetters

MAX_SKEW = 6.0  # degrees: the page may be turned this much either way
SKEW_STEP = 0.25  # degrees between the angles tried
MIN_SKEW = 0.5  # smaller rotations are left alone
SKEW_BLUR = 0.5  # rows are blurred by this many median letter heights to measure the angle
SKEW_SIDE = 800  # the angle is measured on the ink shrunk to at most this many pixels
SKEW_POINTS = 30_000  # ...from at most this many ink pixels
SMALL = 0.5  # components less tall than this many median heights are marks (dots, bars)...
MARK_REACH = 0.6  # ...and join a letter at most this many median heights beside them
LINE_GAP = 0.55  # sorted letter centres this many median heights apart are on different lines
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
    ink: np.ndarray  # the line's own ink (other lines' ink removed), rows top.. of the straightened page
    top: int
    paragraph: bool  # it starts a paragraph (the first line does)


@dataclass
class Page:
    ink: np.ndarray  # the straightened ink map
    straightening: Straightening | None  # None when the page was not turned
    lines: list  # PageLines, top to bottom


def find_lines(ink, max_letters):
    """The lines of an ink map, top to bottom (none when it is blank).

    Raises TooManyLetters when it holds more separate marks than `max_letters` letters can have.
    """
    angle = skew_angle(ink)
    straightening = Straightening(angle, ink.shape) if angle else None
    if straightening:
        ink = straightening.apply(ink)
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return Page(ink, straightening, [])
    labels, sizes = label_components(ink > INK_THRESHOLD * peak)
    if len(sizes) - 1 > PARTS_PER_LETTER * max_letters:
        raise TooManyLetters(f"more than {PARTS_PER_LETTER * max_letters} separate marks", max_letters)
    boxes = np.array([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in ndimage.find_objects(labels)])
    groups = _group(boxes, labels)
    return Page(ink, straightening, [_line_ink(ink, labels, boxes, group, paragraph)
                                     for group, paragraph in zip(groups, _paragraphs(boxes, groups))])


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


def _group(boxes, labels):
    """Component indices per line, top to bottom. `boxes`: rows of (left, top, right, bottom)."""
    heights = boxes[:, 3] - boxes[:, 1]
    height = float(np.median(heights))
    letters = np.flatnonzero(heights >= SMALL * height)
    centres = (boxes[letters, 1] + boxes[letters, 3]) / 2
    order = np.argsort(centres)
    breaks = np.flatnonzero(np.diff(centres[order]) > LINE_GAP * height) + 1
    groups = [list(letters[part]) for part in np.split(order, breaks)]
    line_of = {int(k): n for n, group in enumerate(groups) for k in group}
    for mark in np.flatnonzero(heights < SMALL * height):
        near = [int(k) for k in letters if _apart(boxes[k], boxes[mark]) <= MARK_REACH * height]
        if not near:  # a mark alone: the line of the nearest letter
            near = [int(letters[np.argmin([_apart(boxes[k], boxes[mark]) for k in letters])])]
        best = min(near, key=lambda k: _mark_distance(boxes[mark], boxes[k], labels, k + 1))
        groups[line_of[best]].append(int(mark))
    return groups


def _apart(box, other):
    """How far apart two (left, top, right, bottom) boxes are side to side (0 when they overlap)."""
    return max(0, box[0] - other[2], other[0] - box[2])


def _mark_distance(mark, letter, labels, label):
    """How far a mark (a dot, a bar) is from a letter's ink in the mark's columns, up or down; a
    mark under ink counts double (dots sit above their letter). Beside the letter: box to box."""
    left, top, right, bottom = mark
    centre = (top + bottom) / 2
    columns = slice(max(left, letter[0]), min(right, letter[2]))
    rows = np.flatnonzero((labels[letter[1] : letter[3], columns] == label).any(axis=1)) + letter[1]
    if rows.size == 0:
        rows = np.array([letter[1], letter[3] - 1])
    nearest = rows[np.argmin(np.abs(rows - centre))]
    return (nearest - centre) if nearest >= centre else 2 * (centre - nearest)


def _paragraphs(boxes, groups):
    """Whether each line starts a paragraph: the first does, and so does one after a pitch
    clearly larger than the usual one."""
    centres = [float(np.median((boxes[g, 1] + boxes[g, 3]) / 2)) for g in groups]
    pitches = np.diff(centres)
    heights = boxes[:, 3] - boxes[:, 1]
    if len(pitches) >= MIN_PITCHES:
        threshold = PARAGRAPH_PITCH * float(np.median(pitches))
    else:
        threshold = PARAGRAPH_HEIGHTS * float(np.median(heights))
    return [True] + [bool(pitch > threshold) for pitch in pitches]


def _line_ink(ink, labels, boxes, group, paragraph):
    """The ink of one line's components (and the faint edges around them), cut to its rows."""
    top, bottom = int(boxes[group, 1].min()), int(boxes[group, 3].max())
    own = np.isin(labels[top:bottom], np.asarray(group) + 1)
    own = ndimage.binary_dilation(own, np.ones((3, 3), bool))
    return PageLine(ink[top:bottom] * own, top, paragraph)
