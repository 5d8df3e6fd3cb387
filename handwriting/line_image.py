"""One text line's ink as the line recognizer sees it: cropped to its ink, scaled to a fixed height.

The same function serves training (real line crops, synthetic lines) and reading (the lines a
page was cut into), so the recognizer always sees lines made the same way.
"""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from handwriting.frame import INK_THRESHOLD

LINE_HEIGHT = 40  # pixels: the recognizer's input height
PAD = 2  # black pixels around the ink, on every side
WIDTH_STEP = 4  # the recognizer gives one column of output per this many input columns
MAX_WIDTH = 4096  # a line scaled wider than this is squeezed to it
MIN_HEIGHT = 6  # ink less tall than this many pixels is a rule, a stroke or a speck, not a line of text


@dataclass
class LineInput:
    """The recognizer's input for one line, and where its columns lie in the line's ink map."""

    pixels: np.ndarray  # (LINE_HEIGHT, width) float32 in [0, 1], width a multiple of WIDTH_STEP
    left: int  # the ink map's first inked column
    top: int  # ...and row
    scale: float  # input pixels per ink-map pixel

    def ink_x(self, column):
        """The ink map's x of an input column (the recognizer's output column k is input column
        WIDTH_STEP·k)."""
        return self.left + (column - PAD) / self.scale


def line_input(ink):
    """A line's ink map (bright ink on black, [0, 1]) as the recognizer's LineInput; None when it
    holds no ink, or too little height of it to be text."""
    inked = ink > INK_THRESHOLD * max(float(ink.max()), 1e-6)
    rows, columns = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    if not rows.size or float(ink.max()) <= 0 or rows[-1] - rows[0] + 1 < MIN_HEIGHT:
        return None
    crop = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    height = LINE_HEIGHT - 2 * PAD
    width = int(np.clip(round(crop.shape[1] * height / crop.shape[0]), 1, MAX_WIDTH - 2 * PAD))
    image = Image.fromarray(np.uint8(np.clip(crop, 0, 1) * 255))
    scaled = np.asarray(image.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=2.0), np.float32) / 255
    padded_width = -(-(width + 2 * PAD) // WIDTH_STEP) * WIDTH_STEP
    line = np.zeros((LINE_HEIGHT, padded_width), np.float32)
    line[PAD : PAD + height, PAD : PAD + width] = scaled
    return LineInput(line, int(columns[0]), int(rows[0]), width / crop.shape[1])
