"""Turn what a person sent (file bytes or a data: URL) into a Pillow image, or a clear InputError."""

import base64
import binascii
import contextlib
import ctypes
import ctypes.util
import io
import re
import threading
import warnings

from flask_babel import gettext as _
from PIL import Image

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
    image = _open_unloaded(data, limits, max_side)
    _load(image)
    return image


@contextlib.contextmanager
def sent_image(data, max_side=None):
    """`open_image` with the running app's limits, for what a request sent however it came.

    A large picture waits for this worker's budget of large pictures before it is decoded, and
    its memory is given back to the system once the block ends: use the image only inside it.
    """
    image = _open_unloaded(data, uploads.limits(), max_side)
    pixels = image.width * image.height
    try:
        with LARGE_PICTURES.hold(pixels):
            _load(image)
            yield image
    finally:
        image.close()  # frees the pixels now, whoever still holds the object
        if pixels >= LARGE_PICTURE_PIXELS:
            _give_memory_back()


def _open_unloaded(data, limits, max_side):
    """The picture's header read and checked against `limits`; its pixels not yet decoded."""
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
    except Exception:  # a crafted header can break a decoder in any way: that is the sender's problem
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
    return image


def _load(image):
    """Decode the pixels; any decoder failure is a damaged file."""
    try:
        image.load()
    except Exception:
        raise DamagedPicture(_("The picture file is damaged or truncated.")) from None


class PixelBudget:
    """At most `budget` pixels of large pictures (`large` pixels or more) decoded at once in this
    process; smaller pictures never wait. A picture over the budget waits until it runs alone."""

    def __init__(self, budget, large):
        self.budget, self.large, self.free = budget, large, budget
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, pixels):
        share = min(pixels, self.budget) if pixels >= self.large else 0
        with self._changed:
            self._changed.wait_for(lambda: self.free >= share)
            self.free -= share
        try:
            yield
        finally:
            with self._changed:
                self.free += share
                self._changed.notify_all()


# A 40 MP RGBA picture costs ~380 MB while it is decoded and shrunk: one at a time per worker.
LARGE_PICTURE_PIXELS = 4_000_000
LARGE_PICTURES = PixelBudget(uploads.DEFAULTS["MAX_IMAGE_PIXELS"], LARGE_PICTURE_PIXELS)


def _malloc_trim():
    """glibc's malloc_trim, or None elsewhere."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _give_memory_back():
    """Hand freed heap pages back to the system: after four 40 MP PNGs decoded one by one in one
    process, glibc kept 90-130 MB without this, 1 MB with it (measured)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
