"""From any picture of a letter (canvas drawing, scan, photo) to its EMNIST-style 28x28 frame.

One path for every input: orientation from EXIF, any Pillow mode flattened to grey with
transparency composited on white, automatic polarity, uneven lighting and coloured paper
removed, specks dropped, then `handwriting.frame.ink_to_frame`.
"""

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from handwriting.frame import ink_to_frame

WORK_SIDE = 384  # pictures are analysed at most this large
MIN_CONTRAST = 0.08  # weaker ink than this (0..1) is paper texture or noise, not a letter
SPECK_FRACTION = 0.03  # pieces smaller than this share of the largest piece are specks
_HIGH_DEPTH_MODES = {"I", "F", "I;16", "I;16B", "I;16L", "I;16N"}


def to_grey(image):
    """Flatten any Pillow image to float32 grey in [0, 1] (white paper = 1), upright, small."""
    image = ImageOps.exif_transpose(image)
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.LANCZOS)
    if image.mode in _HIGH_DEPTH_MODES:
        grey = np.asarray(image, dtype=np.float32)
        low, high = float(grey.min()), float(grey.max())
        return (grey - low) / (high - low) if high > low else np.ones_like(grey)
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        page.alpha_composite(rgba)
        grey = np.asarray(page.convert("L"), dtype=np.float32) / 255.0
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        if np.ptp(grey) < MIN_CONTRAST and np.ptp(alpha) >= MIN_CONTRAST:
            return 1.0 - alpha  # light ink on a transparent background: the shape is in alpha
        return grey
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def _background(ink):
    """Estimate the (possibly uneven) background level under bright ink by a grey opening."""
    small_side = 64
    image = Image.fromarray(np.uint8(np.clip(ink, 0, 1) * 255))
    small = image.resize(
        (max(1, ink.shape[1] * small_side // max(ink.shape)), max(1, ink.shape[0] * small_side // max(ink.shape))),
        Image.Resampling.BOX,
    )
    opened = small.filter(ImageFilter.MinFilter(9)).filter(ImageFilter.MaxFilter(9))
    smooth = opened.filter(ImageFilter.GaussianBlur(4)).resize(image.size, Image.Resampling.BILINEAR)
    return np.asarray(smooth, dtype=np.float32) / 255.0


def _otsu(values):
    hist, edges = np.histogram(values, bins=64, range=(0.0, 1.0))
    weights = np.cumsum(hist)
    means = np.cumsum(hist * edges[:-1])
    total, total_mean = weights[-1], means[-1]
    between = (total_mean * weights - means * total) ** 2 / np.maximum(weights * (total - weights), 1)
    return float(edges[int(np.argmax(between)) + 1])


def label_components(mask):
    """8-connected components of a boolean mask: (labels, sizes), label 0 = background.

    Works on horizontal runs joined with union-find, so it is fast for ink masks.
    """
    parent = []

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    runs, previous = [], []
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    for row, line in enumerate(np.diff(padded, axis=1)):
        current = []
        for start, end in zip(np.flatnonzero(line == 1).tolist(), np.flatnonzero(line == -1).tolist()):
            run = len(parent)
            parent.append(run)
            for p_start, p_end, p_run in previous:
                if p_start <= end and p_end >= start:  # touching, diagonals included
                    root_a, root_b = find(run), find(p_run)
                    parent[max(root_a, root_b)] = min(root_a, root_b)
            current.append((start, end, run))
            runs.append((row, start, end, run))
        previous = current
    labels = np.zeros(mask.shape, dtype=np.int32)
    roots = {}
    for row, start, end, run in runs:
        labels[row, start:end] = roots.setdefault(find(run), len(roots) + 1)
    sizes = np.bincount(labels.ravel(), minlength=len(roots) + 1)
    return labels, sizes


def grey_to_ink(grey):
    """Turn grey paper (any polarity, lighting, colour) into clean bright ink on black.

    Returns an all-zero map when the picture holds no ink.
    """
    low, median, high = np.percentile(grey, [0.05, 50, 99.95])
    ink = 1.0 - grey if high - median < median - low else grey  # background is the majority
    ink = np.clip(ink - _background(ink), 0.0, None)
    peak = float(np.percentile(ink, 99.9))
    if peak < MIN_CONTRAST:
        return np.zeros_like(ink)
    ink = np.clip(ink / peak, 0.0, 1.0)
    mask = ink > max(_otsu(ink), 0.25)
    labels, sizes = label_components(mask)
    sizes[0] = 0
    if sizes.max() == 0:
        return np.zeros_like(ink)
    keep = sizes >= SPECK_FRACTION * sizes.max()
    keep[0] = False
    letter = Image.fromarray(np.uint8(keep[labels]) * 255).filter(ImageFilter.MaxFilter(3))
    return ink * (np.asarray(letter) > 0)


def image_to_frame(image):
    """Preprocess a Pillow image into the 28x28 frame the model sees, or None if it is blank."""
    return ink_to_frame(grey_to_ink(to_grey(image)))
