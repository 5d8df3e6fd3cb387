"""Turn what a user sent (file bytes or a data: URL) into a Pillow image, or a clear error."""

import base64
import binascii
import io
import re
import warnings

from flask import current_app
from PIL import Image, UnidentifiedImageError

# Formats a scanner, camera, phone or browser canvas produces.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
FORMAT_NAMES = "PNG, JPEG, GIF, BMP, WebP or TIFF"
MIN_SIDE = 8  # pixels; anything smaller cannot show a letter
_DATA_URL = re.compile(r"data:(image/[\w.+-]+)?(;[\w=.+-]+)*;base64,(?P<data>.*)", re.DOTALL)


class InputError(Exception):
    """Bad input, with the HTTP status to answer it with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def decode_data_url(text):
    """Bytes of a `data:image/...;base64,...` URL."""
    match = _DATA_URL.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InputError("The image must be a data URL like data:image/png;base64,….")
    try:
        return base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InputError("The data URL's base64 payload is malformed.") from None


def open_image(data, max_pixels, max_side=None):
    """Open image bytes with Pillow, refusing empty, unknown, oversized and broken files.

    With `max_side`, a JPEG is decoded straight to grey at the smallest scale that still covers
    `max_side` (1/2 to 1/8), which opens a phone photo 3x faster; `size` is then the decoded one.
    """
    if not data:
        raise InputError("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError("The picture has far too many pixels to be a letter.", 413) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InputError(f"That is not a picture we can read: send a {FORMAT_NAMES} file.", 415) from None
    width, height = image.size
    if width * height > max_pixels:
        raise InputError(
            f"The picture is {width}×{height} pixels; the limit is {max_pixels // 1_000_000} megapixels.",
            413,
        )
    if min(width, height) < MIN_SIDE:
        raise InputError(f"The picture is {width}×{height} pixels: too small to show a letter.")
    if max_side:
        image.draft("L", (max_side, max_side))  # a no-op for formats other than JPEG
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InputError("The picture file is damaged or truncated.") from None
    return image


def open_sent_image(data, max_side=None):
    """`open_image` with the running app's pixel limit: for what a request sent."""
    return open_image(data, current_app.config["MAX_IMAGE_PIXELS"], max_side)
