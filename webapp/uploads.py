"""What a person may send, defined once for every way in: picture formats and size limits.

The limits live in app.config (`MAX_UPLOAD_BYTES`, `MAX_IMAGE_PIXELS`, settable as `FLASK_*`
environment variables); the forms, the error messages, the page text and the upload script's
JSON config all derive from them.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

from babel.lists import format_list
from flask import current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _


class PictureFormat(NamedTuple):
    name: str  # as people know it
    extensions: tuple
    mime_type: str


# Pillow's format name -> the format. What a scanner, camera, phone or browser canvas produces.
PICTURE_FORMATS = {
    "PNG": PictureFormat("PNG", ("png",), "image/png"),
    "JPEG": PictureFormat("JPEG", ("jpg", "jpeg"), "image/jpeg"),
    "GIF": PictureFormat("GIF", ("gif",), "image/gif"),
    "BMP": PictureFormat("BMP", ("bmp",), "image/bmp"),
    "WEBP": PictureFormat("WebP", ("webp",), "image/webp"),
    "TIFF": PictureFormat("TIFF", ("tif", "tiff"), "image/tiff"),
}
EXTENSIONS = tuple(ext for fmt in PICTURE_FORMATS.values() for ext in fmt.extensions)
DEFAULTS = {
    "MAX_UPLOAD_BYTES": 5 * 1024 * 1024,  # the picture file, however it is sent
    "MAX_IMAGE_PIXELS": 40_000_000,  # decoded size; bigger pictures are refused unopened
}
MIN_SIDE = 8  # pixels; anything smaller cannot show a letter
FORM_OVERHEAD = 64 * 1024  # bytes of form fields and multipart headers around the picture


def init_app(app):
    """Bound every request body by the picture limit: the file as base64 plus the form around it."""
    body = math.ceil(app.config["MAX_UPLOAD_BYTES"] * 4 / 3) + FORM_OVERHEAD
    app.config["MAX_CONTENT_LENGTH"] = body
    app.config["MAX_FORM_MEMORY_SIZE"] = body  # a canvas drawing arrives as a data: URL field


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_pixels: int

    @property
    def size_text(self):
        """The file limit for people: "5 MB", "1.5 MB", "800 KB"."""
        return size_text(self.max_bytes)

    @property
    def megapixels_text(self):
        return format_decimal(round(self.max_pixels / 1_000_000, 1))


DEFAULT_LIMITS = UploadLimits(DEFAULTS["MAX_UPLOAD_BYTES"], DEFAULTS["MAX_IMAGE_PIXELS"])


def limits():
    """The running app's limits."""
    config = current_app.config
    return UploadLimits(config["MAX_UPLOAD_BYTES"], config["MAX_IMAGE_PIXELS"])


def size_text(size):
    """A byte count for people, in the page's language."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))
    if size >= 1024:
        return _("%(size)s KB", size=format_decimal(round(size / 1024)))
    return _("%(size)s bytes", size=format_decimal(size))


def format_names():
    """"PNG, JPEG, GIF, BMP, WebP or TIFF", in the page's language."""
    return format_list([fmt.name for fmt in PICTURE_FORMATS.values()], style="or", locale=get_locale())


def wrong_type_message():
    return _("Upload a %(formats)s picture.", formats=format_names())


def too_big_message(upload_limits):
    return _("The picture is larger than %(limit)s.", limit=upload_limits.size_text)


def hint_text():
    return _("%(formats)s, up to %(limit)s.", formats=format_names(), limit=limits().size_text)


def client_config():
    """What upload.js needs to check a file before sending it, with the same rules as the server."""
    return {
        "max_bytes": limits().max_bytes,
        "extensions": list(EXTENSIONS),
        "accept": ",".join(fmt.mime_type for fmt in PICTURE_FORMATS.values()),
        "messages": {
            "wrong_type": wrong_type_message(),
            "too_big": _("The picture is larger than %(limit)s (it is %%(size)s).", limit=limits().size_text),
        },
    }


def page_context():
    """What a page with an upload form shows about the limits."""
    return {"upload_hint": hint_text(), "upload_config": client_config()}
