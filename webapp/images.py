"""Turn what a person sent (file bytes or a data: URL) into a Pillow image, or a clear InputError."""

import base64
import binascii
import io
import re
import warnings

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from webapp import uploads
from webapp.input_errors import (DamagedPicture, EmptyPicture, MalformedRequest, PictureTooLarge,
                                 PictureTooSmall, UnsupportedPicture)

_DATA_URL = re.compile(r"data:(image/[\w.+-]+)?(;[\w=.+-]+)*;base64,(?P<data>.*)", re.DOTALL)


def decode_data_url(text):
    """Bytes of a `data:image/...;base64,...` URL."""
    match = _DATA_URL.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise MalformedRequest(_("The image must be a data URL like data:image/png;base64,…."))
    try:
        return base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedRequest(_("The data URL's base64 payload is malformed.")) from None


def open_image(data, limits, max_side=None):
    """Open picture bytes with Pillow within `limits`, refusing empty, unknown, oversized and broken files.

    With `max_side`, a JPEG is decoded straight to grey at the smallest scale that still covers
    `max_side` (1/2 to 1/8), which opens a phone photo 3x faster; `size` is then the decoded one.
    """
    if not data:
        raise EmptyPicture(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise PictureTooLarge(uploads.too_big_message(limits))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=tuple(uploads.PICTURE_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureTooLarge(_("The picture has far too many pixels to be a letter.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UnsupportedPicture(_("That is not a picture we can read: send a %(formats)s file.",
                                   formats=uploads.format_names())) from None
    width, height = image.size
    if width * height > limits.max_pixels:
        raise PictureTooLarge(_("The picture is %(width)d×%(height)d pixels; the limit is %(limit)s megapixels.",
                                width=width, height=height, limit=limits.megapixels_text))
    if min(width, height) < uploads.MIN_SIDE:
        raise PictureTooSmall(_("The picture is %(width)d×%(height)d pixels: too small to show a letter.",
                                width=width, height=height))
    if max_side:
        image.draft("L", (max_side, max_side))  # a no-op for formats other than JPEG
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError):
        raise DamagedPicture(_("The picture file is damaged or truncated.")) from None
    return image


def open_sent_image(data, max_side=None):
    """`open_image` with the running app's limits: for what a request sent, however it came."""
    return open_image(data, uploads.limits(), max_side)
