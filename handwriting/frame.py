"""The one definition of an EMNIST-style 28x28 letter frame.

EMNIST made its letters from 128x128 NIST scans: Gaussian blur, crop to the ink, centre in a
square keeping the aspect ratio, a 2 px border, bicubic downsampling to 28x28, intensities
scaled to the full range. `ink_to_frame` does the same to any ink map (bright ink on a dark
background), at a fixed working scale so pens and markers of any size come out with an
EMNIST-like stroke weight. Training renders, canvas drawings and uploads all go through it.
"""

import numpy as np
from PIL import Image, ImageFilter

FRAME_SIZE = 28
WORK_SIZE = 4 * FRAME_SIZE  # working canvas: the letter is normalised at 112 px
# Long side of the letter on the working canvas: 22.5 px of 28, the size EMNIST letters have once
# its blur halo and 2 px border are counted in.
LETTER_SIZE = 90
INK_THRESHOLD = 0.25  # fraction of the ink maximum that counts as ink for the bounding box
STROKE_MIN, STROKE_MAX = 8.0, 17.0  # EMNIST-like pen width on the working canvas, px
BLUR_SIGMA = 1.5  # EMNIST's blur, expressed at working scale


def ink_bbox(ink, threshold=INK_THRESHOLD):
    """Return (top, left, bottom, right) of pixels above threshold*max, or None if blank."""
    peak = float(ink.max()) if ink.size else 0.0
    if peak <= 0:
        return None
    rows = np.flatnonzero((ink >= threshold * peak).any(axis=1))
    cols = np.flatnonzero((ink >= threshold * peak).any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def stroke_width(mask):
    """Estimate the mean stroke width of a binary ink mask, in pixels.

    A stroke of length L and width w covers about L*w pixels and has about 2*L edge pixels,
    so w is about 2 * area / edge pixels.
    """
    area = int(mask.sum())
    if area == 0:
        return 0.0
    padded = np.pad(mask, 1)
    interior = (
        padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & mask
    )
    edge = area - int(interior.sum())
    return 2.0 * area / max(edge, 1)


def _normalise_stroke(letter, stroke_min, stroke_max):
    """Thicken thin pens and thin thick markers into the EMNIST-like range."""
    width = stroke_width(letter >= 0.5 * letter.max())
    if width <= 0 or stroke_min <= width <= stroke_max:
        return letter
    image = Image.fromarray(np.uint8(np.clip(letter, 0, 1) * 255))
    if width < stroke_min:
        size = 2 * int(round((stroke_min - width) / 2)) + 1
        image = image.filter(ImageFilter.MaxFilter(size))
    else:
        size = 2 * int(round((width - stroke_max) / 2)) + 1
        image = image.filter(ImageFilter.MinFilter(size))
    return np.asarray(image, dtype=np.float32) / 255.0


def ink_to_frame(ink, blur_sigma=BLUR_SIGMA, stroke_range=(STROKE_MIN, STROKE_MAX)):
    """Turn an ink map (2-D, bright ink on dark, any size) into a 28x28 float32 frame in [0, 1].

    Returns None when there is no ink. `blur_sigma` and `stroke_range` are there so training can
    vary them; serving uses the defaults.
    """
    ink = np.asarray(ink, dtype=np.float32)
    box = ink_bbox(ink)
    if box is None:
        return None
    top, left, bottom, right = box
    crop = ink[top:bottom, left:right] / ink.max()
    height, width = crop.shape
    scale = LETTER_SIZE / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    letter = Image.fromarray(crop).resize(new_size, Image.Resampling.LANCZOS)
    letter = np.clip(np.asarray(letter, dtype=np.float32), 0.0, 1.0)
    letter = _normalise_stroke(letter, *stroke_range)

    canvas = np.zeros((WORK_SIZE, WORK_SIZE), dtype=np.float32)
    y = (WORK_SIZE - letter.shape[0]) // 2
    x = (WORK_SIZE - letter.shape[1]) // 2
    canvas[y : y + letter.shape[0], x : x + letter.shape[1]] = letter
    image = Image.fromarray(np.uint8(canvas * 255))
    if blur_sigma > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur_sigma))
    small = image.resize((FRAME_SIZE, FRAME_SIZE), Image.Resampling.BICUBIC)
    frame = np.asarray(small, dtype=np.float32)
    peak = frame.max()
    return frame / peak if peak > 0 else None
