"""Accents and tildes over a letter: the model reads base letters (a–z), so a written á or ñ must be
read as a or n, not as a letter that the extra stroke makes it look like (á → d, ñ → a).

A diacritic is a short stroke standing apart above the letter's body, over it and no wider than
the body's top (the arch of n, the bowl of a). What stands above a thin top is kept: the dot or
dash of i and j, and the detached top bar of E, F, I, J or T, are all wider than the stem below
them. The two dots of ü are specks that the ink step drops already.
"""

import numpy as np
from scipy import ndimage

from handwriting.frame import INK_THRESHOLD, stroke_width

MIN_LENGTH = 2.5  # a mark's long side, in stroke widths, from which it is a stroke, not a dot
MAX_HEIGHT = 0.7  # of the body's height
MAX_SIZE = 0.5  # of the body's ink
MAX_WIDTH = 1.3  # of the width of the body's top
TOP = 0.15  # of the body's height: the band whose width a mark is compared with
MIN_TOP_WIDTH = 0.7  # of the body's width: a narrower top is a stem (i, j, E, F), whose mark stays


def drop_diacritics(ink):
    """The ink map (bright ink on dark) without the accents or tilde standing above its letter."""
    if not ink.size or ink.max() <= 0:
        return ink
    mask = ink >= INK_THRESHOLD * ink.max()
    inked_rows = np.flatnonzero(mask.any(axis=1))
    if np.all(np.diff(inked_rows) == 1):
        return ink  # no blank row between two pieces: nothing stands apart above (most letters)
    labels, _count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    sizes = np.bincount(labels.ravel())[1:]
    boxes = ndimage.find_objects(labels)
    body = int(np.argmax(sizes))
    rows, cols = boxes[body]
    body_height = rows.stop - rows.start
    top_band = labels[rows.start:rows.start + max(1, round(TOP * body_height))] == body + 1
    top_columns = np.flatnonzero(top_band.any(axis=0))
    top_width = top_columns[-1] - top_columns[0] + 1
    if top_width < MIN_TOP_WIDTH * (cols.stop - cols.start):
        return ink
    stroke = stroke_width(mask)
    marks = []
    for index, (mark_rows, mark_cols) in enumerate(boxes):
        height, width = mark_rows.stop - mark_rows.start, mark_cols.stop - mark_cols.start
        centre = (mark_cols.start + mark_cols.stop) / 2
        if (index != body
                and mark_rows.stop <= rows.start
                and cols.start <= centre <= cols.stop
                and max(height, width) >= MIN_LENGTH * stroke
                and height <= MAX_HEIGHT * body_height
                and width <= MAX_WIDTH * top_width
                and sizes[index] <= MAX_SIZE * sizes[body]):
            marks.append(index + 1)
    if not marks:
        return ink
    halo = ndimage.binary_dilation(np.isin(labels, marks), iterations=2)  # the faint edge of the stroke too
    return np.where(halo, 0, ink).astype(ink.dtype)
