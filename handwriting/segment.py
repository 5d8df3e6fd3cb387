"""Cut a line of print-style letters into letters and words.

`segment` works on an ink map (`grey_to_ink`): the ink above a threshold falls into connected
components; components that overlap strongly in x are parts of one letter (the dot of an i or j,
a t's bar, a broken stroke); a mark far smaller than the letters is the dot of the letter below
it, or else a speck and dropped; a piece much wider than the usual letter with a clear low-ink
column is cut there. Pieces that sit close side by side may still be one letter (a k or a w
written in two strokes), so every run of up to three close pieces is a candidate letter too.
`Line.read` takes a confidence per candidate (how sure the recognizer is that it is one letter),
picks the most likely reading left to right, and starts a new word at each gap clearly wider
than the usual gap between letters; `Line.paths` offers the few best ways to cut one word into
letters, for a language decoder (`handwriting.language`) to choose among.
"""

import math
from dataclasses import dataclass

import numpy as np

from handwriting.frame import INK_THRESHOLD
from handwriting.ink import label_components

MAX_LETTERS = 400  # on a page
MAX_PATHS = 8  # ways to cut a word into letters offered to a language decoder
PARTS_PER_LETTER = 4  # more components than this per allowed letter is noise, not writing
MERGE_OVERLAP = 0.5  # share of the narrower piece's width two parts of one letter overlap by
SPECK = 0.25  # marks smaller than this many median letter heights both ways are dots or specks
LETTER_WIDTH = 0.6  # the usual letter width: the median width, or this many median heights if more
SPLIT_WIDTH = 1.8  # a piece this many usual letter widths wide may be two letters...
LOW_INK = 0.2  # ...if a column inside it has at most this share of its fullest column's ink
MIN_PIECE = 0.4  # neither side of a cut may be narrower than this many usual letter widths
JOIN_PIECES = 3  # a candidate letter is a run of at most this many pieces...
JOIN_GAP = 0.25  # ...at most this many median letter heights apart...
JOIN_WIDTH = 1.5  # ...and at most this many median letter heights wide
LETTER_BONUS = 0.75  # log-confidence each letter of a reading earns: else fewer, merged letters win
WORD_GAP = 0.5  # a word gap is wider than this many median letter heights...
GAP_RATIO = 2.0  # ...and than this many typical (median) gaps between letters
MIN_GAPS_FOR_MEDIAN = 3  # with fewer gaps the typical gap is unknown: letter height alone decides


class TooManyLetters(ValueError):
    """The picture holds more letters (or separate marks) than may be read at once (`limit`)."""

    def __init__(self, detail, limit):
        super().__init__(detail)
        self.limit = limit


@dataclass(frozen=True)
class Letter:
    box: tuple  # (x, y, width, height) in the ink map's pixels
    ink: np.ndarray  # the ink inside the box, other letters' ink removed


@dataclass(frozen=True)
class _Piece:
    """Components `labels` within columns [left, right); they lie within rows [top, bottom).
    `cut`: the piece's left edge is a cut through ink, not a gap."""

    labels: frozenset
    left: int
    right: int
    top: int
    bottom: int
    cut: bool = False

    @property
    def width(self):
        return self.right - self.left

    @property
    def height(self):
        return self.bottom - self.top

    def join(self, other):
        """Both pieces as one: for whole components, before any cut."""
        return _Piece(self.labels | other.labels, min(self.left, other.left), max(self.right, other.right),
                      min(self.top, other.top), max(self.bottom, other.bottom))


@dataclass
class Line:
    """The candidate letters of a line: candidate k is pieces spans[k] = (first, end) as one letter."""

    candidates: list  # Letters: every piece alone first, left to right, then the runs of pieces
    spans: list
    cuts: list  # per piece: whether its left edge is a cut through ink

    def bonus(self, k):
        """What candidate k earns for being a letter: LETTER_BONUS, unless it starts at a cut."""
        return 0.0 if self.cuts[self.spans[k][0]] else LETTER_BONUS

    def read(self, confidence):
        """The most likely reading, as words of candidate indices, left to right.

        `confidence[k]` (0..1) is how sure the recognizer is that candidate k is one letter; the
        reading maximises the sum of log confidence + `bonus` over its letters: a cut stands only
        if the recognizer is surer of the two halves than of the whole. With confidences of 1,
        every piece is a letter.
        """
        return _words(list(self.paths(0, len(self.cuts), confidence, 1)[0][0]) if self.cuts else [],
                      self.candidates)

    def paths(self, first, end, confidence, limit=MAX_PATHS):
        """The `limit` best ways to read pieces first..end-1 as letters, best first by the score
        of `read`: [(candidate indices, the sum of their bonuses)]."""
        best = {first: [(0.0, 0.0, ())]}  # piece -> [(score, bonuses, candidates)] of paths ending there
        inside = [k for k, (a, b) in enumerate(self.spans) if first <= a and b <= end]
        for k in sorted(inside, key=lambda k: self.spans[k][1]):
            a, b = self.spans[k]
            gain = math.log(max(float(confidence[k]), 1e-12)) + self.bonus(k)
            extended = [(score + gain, bonuses + self.bonus(k), path + (k,)) for score, bonuses, path in best.get(a, [])]
            best[b] = sorted(best.get(b, []) + extended, key=lambda p: -p[0])[:limit]
        return [(path, bonuses) for _, bonuses, path in best.get(end, [])]


def segment(ink, max_letters=MAX_LETTERS):
    """The candidate letters of the line in an ink map (none when it is blank).

    Raises TooManyLetters past `max_letters` letters.
    """
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return Line([], [], [])
    labels, sizes = label_components(ink > INK_THRESHOLD * peak)
    count = len(sizes) - 1
    if count > PARTS_PER_LETTER * max_letters:
        raise TooManyLetters(f"more than {PARTS_PER_LETTER * max_letters} separate marks", max_letters)
    pieces = _split_wide(_attach_dots(_merge(_components(labels, count))), labels)
    if len(pieces) > max_letters:
        raise TooManyLetters(f"{len(pieces)} letters", max_letters)
    pieces.sort(key=lambda p: p.left + p.right)
    spans = [(i, i + 1) for i in range(len(pieces))] + _runs(pieces)
    candidates = [_letter(pieces[first:end], labels, ink) for first, end in spans]
    return Line(candidates, spans, [p.cut for p in pieces])


def _components(labels, count):
    """A piece per component, with its bounding box."""
    ys, xs = np.nonzero(labels)
    which = labels[ys, xs]
    box = np.zeros((4, count + 1), int)  # left, right, top, bottom of each label
    box[0], box[2] = labels.shape[1], labels.shape[0]
    np.minimum.at(box[0], which, xs)
    np.maximum.at(box[1], which, xs + 1)
    np.minimum.at(box[2], which, ys)
    np.maximum.at(box[3], which, ys + 1)
    return [_Piece(frozenset([i]), *map(int, box[:, i])) for i in range(1, count + 1)]


def _merge(pieces):
    """Join pieces that overlap strongly in x: sweep them in order of their left edge."""
    merged = []
    for piece in sorted(pieces, key=lambda p: p.left):
        if merged:
            last = merged[-1]
            overlap = min(last.right, piece.right) - max(last.left, piece.left)
            if overlap >= MERGE_OVERLAP * min(last.width, piece.width):
                merged[-1] = last.join(piece)
                continue
        merged.append(piece)
    return merged


def _attach_dots(pieces):
    """Marks far smaller than the median letter both ways are not letters: each joins the nearest
    letter as its dot if it lies above that letter's middle, within reach; specks, full stops and
    stray marks are left out."""
    if not pieces:
        return pieces
    reach = SPECK * float(np.median([p.height for p in pieces]))
    letters = [p for p in pieces if max(p.width, p.height) >= reach]
    for dot in (p for p in pieces if max(p.width, p.height) < reach):
        gaps = [max(0, max(p.left, dot.left) - min(p.right, dot.right)) for p in letters]
        near = letters[int(np.argmin(gaps))] if letters else None
        if near is not None and min(gaps) <= reach and 2 * dot.bottom <= near.top + near.bottom:
            letters[letters.index(near)] = near.join(dot)
    return letters


def _split_wide(pieces, labels):
    """Cut pieces much wider than the usual letter at a clear low-ink column, recursively.

    The usual width is the median, but no less than LETTER_WIDTH median heights: a line of narrow
    letters (i, l, j) does not make a T or an m look like two letters.
    """
    if len(pieces) < 2:
        return pieces  # one piece is its own median: nothing is much wider
    widths, heights = [p.width for p in pieces], [p.height for p in pieces]
    usual = max(float(np.median(widths)), LETTER_WIDTH * float(np.median(heights)))
    result, todo = [], list(pieces)
    while todo:
        piece = todo.pop()
        cut = _cut_column(piece, labels, usual) if piece.width > SPLIT_WIDTH * usual else None
        if cut is None:
            result.append(piece)
        else:
            todo += [_Piece(piece.labels, piece.left, cut, piece.top, piece.bottom, piece.cut),
                     _Piece(piece.labels, cut, piece.right, piece.top, piece.bottom, True)]
    return result


def _cut_column(piece, labels, usual):
    """The column to cut a piece at, or None when no column inside is clearly low in ink."""
    own = np.isin(labels[:, piece.left : piece.right], list(piece.labels))
    profile = own.sum(axis=0)
    margin = max(1, int(MIN_PIECE * usual))
    if piece.width <= 2 * margin:
        return None
    inner = profile[margin : piece.width - margin]
    column = int(np.argmin(inner))
    if inner[column] > LOW_INK * profile.max():
        return None
    return piece.left + margin + column


def _runs(pieces):
    """(first, end) of every run of 2..JOIN_PIECES neighbouring pieces close enough to be one letter."""
    if not pieces:
        return []
    height = float(np.median([p.height for p in pieces]))
    runs = []
    for first in range(len(pieces)):
        for end in range(first + 2, min(first + JOIN_PIECES, len(pieces)) + 1):
            a, b = pieces[end - 2], pieces[end - 1]
            left = min(p.left for p in pieces[first:end])
            right = max(p.right for p in pieces[first:end])
            if b.left - a.right > JOIN_GAP * height or right - left > JOIN_WIDTH * height:
                break
            runs.append((first, end))
    return runs


def _letter(pieces, labels, ink):
    """The pieces' bounding box and their ink as one letter (every other letter's ink blanked out)."""
    left, right = min(p.left for p in pieces), max(p.right for p in pieces)
    strip = labels[:, left:right]
    columns = np.arange(left, right)
    own = np.zeros(strip.shape, bool)
    for p in pieces:
        own |= np.isin(strip, list(p.labels)) & ((columns >= p.left) & (columns < p.right))
    rows = np.nonzero(own.any(axis=1))[0]
    cols = np.nonzero(own.any(axis=0))[0]
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    mine = own[top:bottom, x0:x1] | (strip[top:bottom, x0:x1] == 0)
    return Letter((left + x0, top, x1 - x0, bottom - top), ink[top:bottom, left + x0 : left + x1] * mine)


def _words(chosen, candidates):
    """Group the chosen candidates (left to right) into words at gaps clearly wider than between letters."""
    if not chosen:
        return []
    boxes = [candidates[k].box for k in chosen]
    gaps = [max(0, b[0] - (a[0] + a[2])) for a, b in zip(boxes, boxes[1:])]
    threshold = WORD_GAP * float(np.median([box[3] for box in boxes]))
    if len(gaps) >= MIN_GAPS_FOR_MEDIAN:
        threshold = max(threshold, GAP_RATIO * float(np.median(gaps)))
    words = [[chosen[0]]]
    for gap, k in zip(gaps, chosen[1:]):
        if gap > threshold:
            words.append([])
        words[-1].append(k)
    return words
