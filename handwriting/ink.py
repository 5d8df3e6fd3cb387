"""From any picture of a letter (canvas drawing, scan, photo) to its EMNIST-style 28x28 frame.

One path for every input: orientation from EXIF, any Pillow mode flattened to grey with
transparency composited on white, automatic polarity, uneven lighting and coloured paper
removed, specks dropped, a stray accent or tilde over the letter dropped (`handwriting.diacritics`),
then `handwriting.frame.ink_to_frame`.
"""

import functools
import struct

import numpy as np
from PIL import ExifTags, Image, ImageFilter, ImageOps
from scipy import ndimage

from handwriting.diacritics import drop_diacritics
from handwriting.frame import ink_to_frame

WORK_SIDE = 384  # pictures are analysed at most this large
MIN_CONTRAST = 0.08  # weaker ink than this (0..1) is paper texture or noise, not a letter
SPECK_FRACTION = 0.03  # pieces smaller than this share of the largest piece are specks
SENT_SIZE = "sent_size"  # image.info key: the picture's size as sent, when it was decoded smaller
_HIGH_DEPTH_MODES = {"I", "F", "I;16", "I;16B", "I;16L", "I;16N"}
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
_EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)  # diagonal pixels touch


def _convertible(image):
    """The image in a mode Pillow converts to grey: LAB gives its lightness band, La becomes LA."""
    if image.mode == "LAB":
        return image.getchannel("L")
    if image.mode == "La":
        return image.convert("LA")
    return image


def _stretch(values):
    """High-depth samples stretched to [0, 1]; NaN and infinities count as paper."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    low = values.min(where=finite, initial=np.inf)
    high = values.max(where=finite, initial=-np.inf)
    if not high > low:
        return np.ones(values.shape, np.float32)
    return np.where(finite, (values - low) / (high - low), 1.0).astype(np.float32)


def _fit(image, max_side):
    """The image shrunk to fit in a `max_side` square, as a new image (never a full-size copy).

    Pillow's reduce() step, which makes shrinking a big picture fast, has no 16-bit modes: those
    are resized in one step.
    """
    scale = max_side / max(image.size)
    if scale >= 1:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    reducing_gap = None if image.mode.startswith("I;16") else 2.0
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=reducing_gap)


def _first_frame(image):
    """Turn an animation to its first frame; damage in a later frame leaves the first as it is."""
    try:
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)
    except (EOFError, OSError, IndexError, ValueError, struct.error):  # counting the frames reads them all
        pass


def _orientation(image):
    """The picture's EXIF orientation (1: upright); a damaged EXIF block counts as upright."""
    try:
        return image.getexif().get(ExifTags.Base.Orientation, 1)
    except (SyntaxError, OSError, ValueError):  # Pillow's ways of saying the block is not TIFF data
        return 1


def sent_size(image):
    """(width, height) of the picture as it was sent: its boxes are in these pixels, even when
    it was decoded smaller (a big JPEG). For a PDF page, the rendered page (image.info["dpi"])."""
    return image.info.get(SENT_SIZE, image.size)


def to_grey(image, max_side=WORK_SIDE):
    """Flatten any Pillow image to float32 grey in [0, 1] (white paper = 1), upright, at most
    `max_side` pixels on a side."""
    _first_frame(image)
    if _orientation(image) != 1:
        image = ImageOps.exif_transpose(image)  # a full-size copy: only for a picture to turn
    image = _fit(_convertible(image), max_side)
    if image.mode in _HIGH_DEPTH_MODES:
        return _stretch(image)
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            return _composite_on_paper(rgba)
        image = rgba  # opaque: the colours alone are the picture
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def _composite_on_paper(rgba):
    """Grey of a partly transparent picture laid on white paper."""
    page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    page.alpha_composite(rgba)
    grey = np.asarray(page.convert("L"), dtype=np.float32) / 255.0
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    if np.ptp(grey) < MIN_CONTRAST and np.ptp(alpha) >= MIN_CONTRAST:
        return 1.0 - alpha  # light ink on a transparent background: the shape is in alpha
    return grey


def _rank_filter(array, size, pick):
    """Pillow's MinFilter/MaxFilter(size) (edges repeated) on a 2-D array, as two 1-D passes.

    `pick` is np.minimum or np.maximum: a square min or max is separable, so this is exact and
    much faster than the generic rank filters of Pillow and scipy.
    """
    height, width = array.shape
    padded = np.pad(array, size // 2, mode="edge")
    rows = functools.reduce(pick, (padded[i : i + height] for i in range(size)))
    return functools.reduce(pick, (rows[:, i : i + width] for i in range(size)))


def _background(ink):
    """Estimate the (possibly uneven) background level under bright ink by a grey opening."""
    small_side = 64
    image = Image.fromarray(np.uint8(np.clip(ink, 0, 1) * 255))
    small = image.resize(
        (max(1, ink.shape[1] * small_side // max(ink.shape)), max(1, ink.shape[0] * small_side // max(ink.shape))),
        Image.Resampling.BOX,
    )
    opened = _rank_filter(_rank_filter(np.asarray(small), 9, np.minimum), 9, np.maximum)
    if opened.min() == opened.max():  # even paper (any clean scan or canvas): blurring changes nothing
        return np.float32(opened[0, 0] / 255.0)
    smooth = Image.fromarray(opened).filter(ImageFilter.GaussianBlur(4)).resize(image.size, Image.Resampling.BILINEAR)
    return np.asarray(smooth, dtype=np.float32) / 255.0


def _histogram(values):
    """256-bin histogram of a 2-D array of values in [0, 1]: quantiles and Otsu's threshold come
    from it, far faster than sorting the pixels."""
    levels = np.rint(np.clip(values, 0.0, 1.0) * 255.0).astype(np.uint8)
    return np.array(Image.fromarray(levels).histogram())


def _quantiles(histogram, fractions):
    """The values below which the given fractions of a histogram's samples lie (to 1/255)."""
    cumulative = np.cumsum(histogram)
    ranks = np.asarray(fractions) * (cumulative[-1] - 1)
    return np.searchsorted(cumulative, ranks, side="right") / 255.0


def _otsu(histogram):
    """Otsu's threshold (in [0, 1]) of a 256-bin histogram."""
    levels = np.arange(256) / 255.0
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * levels)
    total, total_mean = weights[-1], means[-1]
    between = (total_mean * weights - means * total) ** 2 / np.maximum(weights * (total - weights), 1)
    return float(levels[int(np.argmax(between))])


def label_components(mask):
    """8-connected components of a boolean mask: (labels, sizes), label 0 = background."""
    labels, count = ndimage.label(mask, structure=_EIGHT_NEIGHBOURS)
    if count <= 1:  # one piece or none (most single letters): no need to count pixel by pixel
        inked = np.count_nonzero(mask)
        return labels, np.array([mask.size - inked, inked][: count + 1])
    return labels, np.bincount(labels.ravel(), minlength=count + 1)


def grey_to_ink(grey, speck_fraction=SPECK_FRACTION):
    """Turn grey paper (any polarity, lighting, colour) into clean bright ink on black.

    Pieces smaller than `speck_fraction` of the largest are dropped as specks (a line of letters
    passes a smaller share, so the dot of an i survives next to a long stroke). Returns an
    all-zero map when the picture holds no ink.
    """
    low, median, high = _quantiles(_histogram(grey), [0.0005, 0.5, 0.9995])
    ink = 1.0 - grey if high - median < median - low else grey  # background is the majority
    ink = np.clip(ink - _background(ink), 0.0, None)
    peak = float(_quantiles(_histogram(ink), 0.999))
    if peak < MIN_CONTRAST:
        return np.zeros_like(ink)
    ink = np.clip(ink / peak, 0.0, 1.0)
    mask = ink > max(_otsu(_histogram(ink)), 0.25)
    labels, sizes = label_components(mask)
    sizes[0] = 0
    if sizes.max() == 0:
        return np.zeros_like(ink)
    keep = sizes >= speck_fraction * sizes.max()
    keep[0] = False
    kept = mask if keep[1:].all() else keep[labels]  # no speck: every labelled pixel stays
    return ink * _rank_filter(kept, 3, np.maximum)


def letter_ink(grey):
    """The ink of a grey picture (`to_grey`) of one letter, without a stray accent over it."""
    return drop_diacritics(grey_to_ink(grey))


def grey_to_frame(grey):
    """The 28x28 frame the model sees of a grey picture (`to_grey`), or None if it is blank."""
    return ink_to_frame(letter_ink(grey))


def image_to_frame(image):
    """Preprocess a Pillow image into the 28x28 frame the model sees, or None if it is blank."""
    return grey_to_frame(to_grey(image))
