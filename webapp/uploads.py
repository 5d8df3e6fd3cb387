"""What a person may send, defined once for every way in: picture formats and size limits.

The limits live in app.config (`MAX_UPLOAD_BYTES`, `MAX_IMAGE_PIXELS`, `MAX_FULL_SIZE_PIXELS`,
settable as `FLASK_*` environment variables); the forms, the error messages, the page text and
the upload script's JSON config all derive from them. `MAX_PDF_PAGES` and `PDF_DPI` are fixed.

A single letter is one picture; a page to read may also be a PDF, every page of it (`pages=True`
in the functions below).
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
    mime_types: tuple  # the first is the format's own


# Pillow's format name -> the format. What a scanner, camera, phone or browser canvas produces.
# HEIF is read by pillow-heif (webapp.images registers it).
PICTURE_FORMATS = {
    "PNG": PictureFormat("PNG", ("png",), ("image/png",)),
    "JPEG": PictureFormat("JPEG", ("jpg", "jpeg"), ("image/jpeg",)),
    "GIF": PictureFormat("GIF", ("gif",), ("image/gif",)),
    "BMP": PictureFormat("BMP", ("bmp",), ("image/bmp",)),
    "WEBP": PictureFormat("WebP", ("webp",), ("image/webp",)),
    "TIFF": PictureFormat("TIFF", ("tif", "tiff"), ("image/tiff",)),
    "HEIF": PictureFormat("HEIC", ("heic", "heif"), ("image/heic", "image/heif")),
}
# Documents of pages, read page by page (never a picture of one letter); rendered with pypdfium2.
PAGE_FORMATS = {
    "PDF": PictureFormat("PDF", ("pdf",), ("application/pdf",)),
}
PDF_MAGIC = b"%PDF-"
EXTENSIONS = tuple(ext for fmt in PICTURE_FORMATS.values() for ext in fmt.extensions)
PAGE_EXTENSIONS = EXTENSIONS + tuple(ext for fmt in PAGE_FORMATS.values() for ext in fmt.extensions)
DEFAULTS = {
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,  # the file, however it is sent: a 100 MP phone photo fits
    # Header size of any picture; bigger pictures are refused unopened. A baseline JPEG this big is
    # decoded at 1/2 to 1/8 scale, within MAX_FULL_SIZE_PIXELS.
    "MAX_IMAGE_PIXELS": 100_000_000,
    # Pictures decoded at full size (PNG, TIFF, GIF, BMP, WebP, HEIC, progressive JPEG): 50 MP in
    # RGBA costs ~430 MB while it is decoded and shrunk (a 100 MP RGB PNG ~530 MB), too much for a
    # worker that must stay under 700 MB.
    "MAX_FULL_SIZE_PIXELS": 50_000_000,
}
MAX_PDF_PAGES = 50  # pages of a PDF read at once
PDF_DPI = 200  # a PDF page is rendered this sharp, or less when its pages would not fit (images.py)
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
    max_full_size_pixels: int = DEFAULTS["MAX_FULL_SIZE_PIXELS"]
    max_pdf_pages: int = MAX_PDF_PAGES

    @property
    def full_size_pixels(self):
        """Pixels of a picture decoded at full size: never more than any picture may have."""
        return min(self.max_pixels, self.max_full_size_pixels)

    @property
    def size_text(self):
        """The file limit for people: "5 MB", "1.5 MB", "800 KB"."""
        return size_text(self.max_bytes)

    @property
    def megapixels_text(self):
        return megapixels_text(self.max_pixels)

    @property
    def full_size_megapixels_text(self):
        return megapixels_text(self.full_size_pixels)


DEFAULT_LIMITS = UploadLimits(DEFAULTS["MAX_UPLOAD_BYTES"], DEFAULTS["MAX_IMAGE_PIXELS"],
                              DEFAULTS["MAX_FULL_SIZE_PIXELS"])


def limits():
    """The running app's limits."""
    config = current_app.config
    return UploadLimits(config["MAX_UPLOAD_BYTES"], config["MAX_IMAGE_PIXELS"],
                        config["MAX_FULL_SIZE_PIXELS"])


def megapixels_text(pixels):
    return format_decimal(round(pixels / 1_000_000, 1))


def size_text(size):
    """A byte count for people, in the page's language."""
    if size >= 1024 * 1024:
        return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))
    if size >= 1024:
        return _("%(size)s KB", size=format_decimal(round(size / 1024)))
    return _("%(size)s bytes", size=format_decimal(size))


def accepted_formats(pages=False):
    """The formats taken: pictures, and with `pages` PDF too."""
    return {**PICTURE_FORMATS, **PAGE_FORMATS} if pages else PICTURE_FORMATS


def format_names(pages=False):
    """"PNG, JPEG, GIF, BMP, WebP, TIFF or HEIC" (with `pages`: "…, HEIC or PDF"), in the page's language."""
    names = [fmt.name for fmt in accepted_formats(pages).values()]
    return format_list(names, style="or", locale=get_locale())


def is_pdf(data):
    return data[: len(PDF_MAGIC)] == PDF_MAGIC


def wrong_type_message(pages=False):
    if pages:
        return _("Upload a %(formats)s file.", formats=format_names(pages=True))
    return _("Upload a %(formats)s picture.", formats=format_names())


def too_big_message(upload_limits):
    return _("The picture is larger than %(limit)s.", limit=upload_limits.size_text)


def hint_text(pages=False):
    if pages:
        return _("%(formats)s, up to %(limit)s; a PDF of up to %(pages)d pages.", formats=format_names(pages=True),
                 limit=limits().size_text, pages=MAX_PDF_PAGES)
    return _("%(formats)s, up to %(limit)s.", formats=format_names(), limit=limits().size_text)


def accept_attribute(pages=False):
    """The file input's `accept`: every picture type (so that a phone offers its camera and photo
    library), then each format's MIME types and extensions (some systems know no type for HEIC)."""
    formats = accepted_formats(pages).values()
    types = [mime for fmt in formats for mime in fmt.mime_types if not mime.startswith("image/")]
    extensions = [f".{ext}" for fmt in formats for ext in fmt.extensions]
    return ",".join(["image/*", *types, *extensions])


def client_config(pages=False):
    """What upload.js needs to check a file before sending it, with the same rules as the server."""
    return {
        "max_bytes": limits().max_bytes,
        "extensions": list(PAGE_EXTENSIONS if pages else EXTENSIONS),
        "accept": accept_attribute(pages),
        "messages": {
            "wrong_type": wrong_type_message(pages),
            "too_big": _("The picture is larger than %(limit)s (it is %%(size)s).", limit=limits().size_text),
        },
    }


def page_context(pages=False):
    """What a page with an upload form shows about the limits; `pages` for a form that reads PDFs too."""
    return {"upload_hint": hint_text(pages), "upload_config": client_config(pages)}
