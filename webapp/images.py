"""Turn what a person sent (file bytes or a data: URL) into Pillow images, or a clear InputError.

`sent_image` gives the one picture of a letter; `sent_pages` the pages of a page to read: one
picture, or every page of a PDF (rendered with PDFium). HEIC/HEIF photos open through pillow-heif.
"""

import base64
import binascii
import contextlib
import ctypes
import ctypes.util
import io
import math
import re
import threading
import warnings

import pillow_heif
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from flask_babel import gettext as _
from PIL import Image, JpegImagePlugin

from handwriting.ink import SENT_SIZE, sent_size
from webapp import uploads
from webapp.input_errors import (DamagedPicture, EmptyPicture, MalformedRequest, PictureTooLarge,
                                 PictureTooSmall, UnsupportedPicture)

# HEIF as a Pillow format: only the primary picture (no thumbnails, depth maps or auxiliary
# pictures decoded), one decoding thread (a worker per core). libheif applies the photo's
# rotation and mirroring and resets its EXIF orientation to 1, so the pixels come upright.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False, decode_threads=1)

_DATA_URL = re.compile(r"data:(image/[\w.+-]+|application/pdf)?(;[\w=.+-]+)*;base64,(?P<data>.*)", re.DOTALL)
JPEG_SCALES = (1, 2, 4, 8)  # the reductions a JPEG decoder does for free


def decode_data_url(text):
    """Bytes of a `data:image/...;base64,...` URL (or `data:application/pdf;…`: what the bytes are
    is told by the bytes themselves)."""
    match = _DATA_URL.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise MalformedRequest(_("The image must be a data URL like data:image/png;base64,…."))
    try:
        return base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise MalformedRequest(_("The data URL's base64 payload is malformed.")) from None


def open_image(data, limits, max_side=None):
    """Open picture bytes with Pillow within `limits`, refusing empty, unknown, oversized and broken
    files (and PDFs: a letter is one picture).

    With `max_side`, a JPEG is decoded straight to grey at the smallest scale that still covers
    `max_side` (1/2 to 1/8), which opens a phone photo 3x faster; a JPEG over the full-size limit
    is decoded at the scale that fits it. `size` is then the decoded one (`sent_size` the sent one).
    """
    image = _open_unloaded(data, limits, max_side)
    _load(image)
    return image


@contextlib.contextmanager
def sent_image(data, max_side=None):
    """`open_image` with the running app's limits, for what a request sent however it came.

    A large picture waits for this worker's budget of large pictures before it is decoded, and
    its memory is given back to the system once the block ends: use the image only inside it.
    A PDF is refused (415): a letter is one picture; `sent_pages` reads PDFs.
    """
    with _sent_picture(data, max_side, pages=False) as image:
        yield image


@contextlib.contextmanager
def sent_pages(data, max_side=None):
    """The pages a request sent, as a list of Pillow images: one for a picture (as `sent_image`
    gives it), one per page for a PDF, in order. With `max_side`, no page is rendered (or a JPEG
    decoded) much larger than that. The same rules for memory and lifetime as `sent_image`: the
    images are closed when the block ends."""
    if uploads.is_pdf(data or b""):
        with _pdf_pages(data, uploads.limits(), max_side) as pages:
            yield pages
    else:
        with _sent_picture(data, max_side, pages=True) as image:
            yield [image]


def page_count(data):
    """How many pages `sent_pages` gives for `data`, checked against the running app's limits as it
    checks them (the same errors), without decoding the picture or rendering the pages."""
    if uploads.is_pdf(data or b""):
        document = _checked_pdf(data, uploads.limits())
        with _PDFIUM:
            count = len(document)
            document.close()
        return count
    _open_unloaded(data, uploads.limits(), None, pages=True).close()
    return 1


@contextlib.contextmanager
def _sent_picture(data, max_side, pages):
    image = _open_unloaded(data, uploads.limits(), max_side, pages)
    pixels = _decoding_pixels(image)
    try:
        with LARGE_PICTURES.hold(pixels):
            _load(image)
            yield image
    finally:
        image.close()  # frees the pixels now, whoever still holds the object
        if pixels >= LARGE_PICTURE_PIXELS:
            _give_memory_back()


def _open_unloaded(data, limits, max_side, pages=False):
    """The picture's header read and checked against `limits`; its pixels not yet decoded."""
    if not data:
        raise EmptyPicture(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise PictureTooLarge(uploads.too_big_message(limits))
    if uploads.is_pdf(data):
        raise UnsupportedPicture(_("A PDF is not a picture we can read here: send a %(formats)s picture of "
                                   "one letter. The page reader reads PDFs.", formats=uploads.format_names()))
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 MP on; our own limits below refuse what is too big before any
            # decoding. Its error (from 179 MP) still stands: such a file is a bomb, not a photo.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=tuple(uploads.PICTURE_FORMATS))
    except Image.DecompressionBombError:
        raise PictureTooLarge(_("The picture has far too many pixels to be a letter.")) from None
    except Exception:  # a crafted header can break a decoder in any way: that is the sender's problem
        raise UnsupportedPicture(_("That is not a picture we can read: send a %(formats)s file.",
                                   formats=uploads.format_names(pages))) from None
    width, height = image.size
    if width * height > limits.max_pixels:
        raise PictureTooLarge(_("The picture is %(width)d×%(height)d pixels; the limit is %(limit)s megapixels.",
                                width=width, height=height, limit=limits.megapixels_text))
    if min(width, height) < uploads.MIN_SIDE:
        raise PictureTooSmall(_("The picture is %(width)d×%(height)d pixels: too small to show a letter.",
                                width=width, height=height))
    _reduce(image, limits, max_side)
    return image


def _is_jpeg(image):
    return isinstance(image, JpegImagePlugin.JpegImageFile) and len(image.tile) == 1


def _is_progressive(image):
    """A progressive JPEG keeps every coefficient of the whole picture while it is decoded,
    however small the output: it costs as much memory as a picture decoded at full size."""
    return bool(image.info.get("progressive") or image.info.get("progression"))


def _reduce(image, limits, max_side):
    """Decode a JPEG smaller where that is enough: at the smallest scale (1/2 to 1/8) that still
    covers `max_side` (in grey), and at least small enough to be within the full-size limit.
    Refuse a picture that must be decoded at full size and is over that limit."""
    width, height = image.size
    full_size = limits.full_size_pixels
    if not _is_jpeg(image) or (_is_progressive(image) and width * height > full_size):
        if width * height > full_size:
            raise PictureTooLarge(_full_size_message(image, limits))
        return
    fitting = [s for s in JPEG_SCALES if math.ceil(width / s) * math.ceil(height / s) <= full_size]
    covering = [s for s in JPEG_SCALES if max_side and min(width, height) // s >= max_side]
    if not fitting:  # only with a full-size limit under 1/64 of the pixel limit
        raise PictureTooLarge(_("The picture is %(width)d×%(height)d pixels; the limit is %(limit)s megapixels.",
                                width=width, height=height, limit=limits.full_size_megapixels_text))
    scale = max(fitting[0], covering[-1] if covering else 1)
    if max_side or scale > 1:
        image.draft("L" if max_side else None, (width // scale, height // scale))
    if image.size != (width, height):
        image.info[SENT_SIZE] = (width, height)


def _full_size_message(image, limits):
    width, height = image.size
    if _is_jpeg(image):  # a progressive one
        return _("The picture is %(width)d×%(height)d pixels; the limit is %(limit)s megapixels for a "
                 "progressive JPEG (%(jpeg_limit)s for a standard one).", width=width, height=height,
                 limit=limits.full_size_megapixels_text, jpeg_limit=limits.megapixels_text)
    fmt = uploads.PICTURE_FORMATS.get(image.format)
    return _("The picture is %(width)d×%(height)d pixels; the limit is %(limit)s megapixels for a %(format)s "
             "picture (%(jpeg_limit)s for a JPEG).", width=width, height=height, format=fmt.name if fmt else image.format,
             limit=limits.full_size_megapixels_text, jpeg_limit=limits.megapixels_text)


def _decoding_pixels(image):
    """The pixels that decoding costs memory for: those decoded, or all of a progressive JPEG."""
    if _is_jpeg(image) and _is_progressive(image):
        return math.prod(sent_size(image))
    return image.width * image.height


def _load(image):
    """Decode the pixels; any decoder failure is a damaged file."""
    try:
        image.load()
    except Exception:
        raise DamagedPicture(_("The picture file is damaged or truncated.")) from None


# --- PDF -------------------------------------------------------------------------------------------

# PDFium is not thread-safe: one call into it at a time per process (gunicorn's gthread workers
# run requests in threads).
_PDFIUM = threading.Lock()
# All the pages of one PDF together take at most the memory of one full-size colour picture:
# pages are rendered in grey, one byte a pixel, against four for a colour picture.
GREY_PER_COLOUR_PIXEL = 4


@contextlib.contextmanager
def _pdf_pages(data, limits, max_side):
    document = _checked_pdf(data, limits)
    pages = []
    try:
        with _PDFIUM:
            sizes = [_page_size(document, n, limits) for n in range(len(document))]
        scales = _page_scales(sizes, limits, max_side)
        pixels = sum(math.ceil(w * s) * math.ceil(h * s) for (w, h), s in zip(sizes, scales))
        with LARGE_PICTURES.hold(pixels // GREY_PER_COLOUR_PIXEL):
            for number, scale in enumerate(scales):
                pages.append(_render_page(document, number, scale))
            yield pages
    finally:
        rendered = sum(page.width * page.height for page in pages)
        for page in pages:
            page.close()
        with _PDFIUM:
            document.close()
        if rendered >= LARGE_PICTURE_PIXELS:
            _give_memory_back()


def _checked_pdf(data, limits):
    if len(data) > limits.max_bytes:
        raise PictureTooLarge(_("The PDF is larger than %(limit)s.", limit=limits.size_text))
    return _open_pdf(data, limits)


def _open_pdf(data, limits):
    """The PDFium document of `data`, with between one page and the page limit."""
    with _PDFIUM:
        # PDFium's last error is kept from call to call, and a PDF of no pages is refused without
        # one: set it to FPDF_ERR_FILE first (which opening bytes never sets), so that a stale
        # "password" from an earlier PDF is never the answer to this one.
        pdfium_raw.FPDF_LoadDocument(b"", None)
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if error.err_code in (pdfium_raw.FPDF_ERR_PASSWORD, pdfium_raw.FPDF_ERR_SECURITY):
                raise DamagedPicture(_("The PDF is protected by a password: send it without one.")) from None
            if error.err_code == pdfium_raw.FPDF_ERR_FILE:  # refused without a reason: no pages
                raise DamagedPicture(_("The PDF has no pages.")) from None
            raise DamagedPicture(_("The PDF file is damaged or truncated.")) from None
        except Exception:
            raise DamagedPicture(_("The PDF file is damaged or truncated.")) from None
        count = len(document)
        if count < 1 or count > limits.max_pdf_pages:
            document.close()
    if count < 1:
        raise DamagedPicture(_("The PDF has no pages."))
    if count > limits.max_pdf_pages:
        raise PictureTooLarge(_("The PDF has %(count)d pages; the limit is %(limit)d pages.",
                                count=count, limit=limits.max_pdf_pages))
    return document


def _page_size(document, number, limits):
    """(width, height) of a page in points (1/72 inch), as it shows (its rotation applied).

    PDFium decodes each picture on a page at full size, however small the page is rendered (an
    88 MP scan on one page costs ~300 MB): the pictures of a page may have at most the pixel limit.
    """
    try:
        page = document[number]
        try:
            width, height = page.get_size()
            pictures = sum(math.prod(picture.get_px_size()) for picture in
                           page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]))
        finally:
            page.close()
    except Exception:
        raise DamagedPicture(_("The PDF file is damaged or truncated.")) from None
    if not (math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0):
        raise DamagedPicture(_("The PDF file is damaged or truncated."))
    if pictures > limits.max_pixels:
        raise PictureTooLarge(_("Page %(page)d of the PDF holds pictures of %(pixels)s megapixels; the limit is "
                                "%(limit)s megapixels.", page=number + 1, pixels=uploads.megapixels_text(pictures),
                                limit=limits.megapixels_text))
    return width, height


def _page_scales(sizes, limits, max_side):
    """Pixels per point for each page: PDF_DPI, or less where `max_side` says it is enough, where
    the page would be over the pixel limit, or where the pages together would be over the memory
    of one full-size colour picture (each page gets an equal share)."""
    most = min(limits.full_size_pixels * GREY_PER_COLOUR_PIXEL // len(sizes), limits.max_pixels)
    longest = max_side or math.inf
    scales = []
    for number, (width, height) in enumerate(sizes, start=1):
        scale = min(uploads.PDF_DPI / 72, math.sqrt(most / (width * height)), longest / max(width, height))
        while math.ceil(width * scale) * math.ceil(height * scale) > most or math.ceil(max(width, height) * scale) > longest:
            scale *= 0.999  # the bitmap's sides are rounded up
        if min(width, height) * scale < uploads.MIN_SIDE:
            raise PictureTooSmall(_("Page %(page)d of the PDF is too small to show a letter.", page=number))
        scales.append(scale)
    return scales


def _render_page(document, number, scale):
    """Page `number` rendered in grey on white at `scale` pixels per point, as a Pillow image."""
    with _PDFIUM:
        try:
            page = document[number]
            try:
                bitmap = page.render(scale=scale, grayscale=True, limit_image_cache=True)
            finally:
                page.close()
            try:
                image = bitmap.to_pil().copy()  # to_pil shares PDFium's buffer: a copy of our own
            finally:
                bitmap.close()
        except Exception:
            raise DamagedPicture(_("Page %(page)d of the PDF is damaged.", page=number + 1)) from None
    dpi = round(scale * 72, 1)
    image.info["dpi"] = (dpi, dpi)
    return image


# --- memory -------------------------------------------------------------------------------------


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


# A 50 MP RGBA picture costs ~430 MB while it is decoded and shrunk: one at a time per worker.
# The pixels counted are those decoded (a big JPEG decoded at 1/8 scale is small; a progressive
# one counts in full), and a quarter of each grey PDF page pixel.
LARGE_PICTURE_PIXELS = 4_000_000
LARGE_PICTURES = PixelBudget(uploads.DEFAULTS["MAX_FULL_SIZE_PIXELS"], LARGE_PICTURE_PIXELS)


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
