"""PDFs (every page), HEIC photos and big phone photos: read within the limits, or refused with a
clear 4xx (webapp.images.sent_pages / sent_image, webapp.uploads)."""

import io
import struct

import numpy as np
import pypdfium2 as pdfium
import pytest
from hostile import blank_png, letter_png
from pictures import data_url
from PIL import Image, ImageDraw
from reportlab.lib import pdfencrypt
from reportlab.pdfgen import canvas

from handwriting.ink import to_grey
from harness.pictures import draw_letter, encode
from webapp import create_app, uploads
from webapp.errors import describe
from handwriting.ink import sent_size
from webapp.images import LARGE_PICTURES, decode_data_url, sent_image, sent_pages
from webapp.input_errors import InputError

READ_SIDE = 1600  # handwriting.reader.READ_SIDE: what the page reader asks for


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield


def limited_context(**limits):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", **limits})
    return app.test_request_context()


def refusal(open_pages, data, **kwargs):
    """(status, code, message) of what opening `data` raises."""
    with pytest.raises(InputError) as raised, open_pages(data, **kwargs):
        pass
    return describe(raised.value)


# --- making files ------------------------------------------------------------------------------


def marked_page(number, size=(850, 1100)):
    """A white page with a black square whose place tells the page's number."""
    page = Image.new("L", size, 255)
    x = 60 + 150 * number
    ImageDraw.Draw(page).rectangle((x, 60, x + 99, 159), fill=0)
    return page


def pdf_of(pages, resolution=100):
    """A PDF of Pillow images, one per page, `resolution` pixels per inch (850x1100 at 100: US Letter)."""
    return encode(pages[0], "PDF", save_all=True, append_images=pages[1:], resolution=resolution)


def reportlab_pdf(**options):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, **options)
    page.drawString(100, 700, "hello")
    page.showPage()
    page.save()
    return buffer.getvalue()


def heic(image, **params):
    return encode(image, "HEIF", quality=90, **params)


def with_jpeg_size(data, width, height):
    """A JPEG whose frame header says width x height: refused (or not) before any decoding."""
    for marker in (b"\xff\xc0", b"\xff\xc2"):  # baseline, progressive
        at = data.find(marker)
        if at >= 0:
            return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]
    raise ValueError("no frame header")


# --- PDF: every page ------------------------------------------------------------------------------


def test_every_page_of_a_pdf_is_rendered_in_order_at_200_dpi(context):
    with sent_pages(pdf_of([marked_page(n) for n in range(3)])) as pages:
        assert len(pages) == 3
        for number, page in enumerate(pages):
            assert page.size == (1700, 2200)  # US Letter at 200 dpi
            assert page.mode == "L" and page.info["dpi"] == (200, 200)
            grey = np.asarray(page)
            x = 2 * (60 + 150 * number + 50)  # the middle of this page's square, at 200 dpi
            assert grey[2 * 110, x] < 64  # its own mark...
            assert all(grey[2 * 110, 2 * (60 + 150 * other + 50)] > 192 for other in range(3) if other != number)
            assert sent_size(page) == page.size


def test_pdf_pages_are_rendered_no_larger_than_the_reader_asks(context):
    with sent_pages(pdf_of([marked_page(0), marked_page(1, size=(1100, 850))]), max_side=READ_SIDE) as pages:
        assert [max(page.size) for page in pages] == [READ_SIDE, READ_SIDE]
        assert pages[0].size == (1237, READ_SIDE) and pages[1].size == (READ_SIDE, 1237)


def test_the_pages_of_a_pdf_share_the_memory_of_one_picture():
    """All the pages together cost at most what one full-size colour picture does (4 bytes a pixel):
    many pages are rendered less sharp."""
    with limited_context(MAX_FULL_SIZE_PIXELS=1_000_000), sent_pages(pdf_of([marked_page(n) for n in range(8)])) as pages:
        assert len(pages) == 8
        assert sum(page.width * page.height for page in pages) <= 4 * 1_000_000
        assert all(page.info["dpi"][0] < 200 for page in pages)


def test_a_huge_pdf_page_is_rendered_within_the_pixel_limit():
    page = pdf_of([Image.new("L", (300, 300), 255)], resolution=1)  # 300 x 300 inches
    with limited_context(MAX_IMAGE_PIXELS=2_000_000), sent_pages(page) as pages:
        assert pages[0].width * pages[0].height <= 2_000_000


def test_a_pdf_of_too_many_pages_is_413_with_the_limit(context):
    too_many = pdf_of([Image.new("L", (100, 100), 255)] * (uploads.MAX_PDF_PAGES + 1))
    assert refusal(sent_pages, too_many) == (413, "too_large", "The PDF has 51 pages; the limit is 50 pages.")


def test_a_pdf_page_holding_too_big_a_picture_is_413():
    """PDFium decodes a page's pictures at full size however small it renders the page."""
    with limited_context(MAX_IMAGE_PIXELS=1_000_000):
        status, code, message = refusal(sent_pages, pdf_of([marked_page(0), Image.new("L", (1200, 1000), 255)]))
    assert (status, code) == (413, "too_large")
    assert message == "Page 2 of the PDF holds pictures of 1.2 megapixels; the limit is 1 megapixels."


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8, "The PDF file is damaged or truncated.", id="garbage"),
        pytest.param(lambda: pdf_of([marked_page(0)] * 2)[:2000], "The PDF file is damaged or truncated.", id="truncated"),
        pytest.param(lambda: reportlab_pdf(encrypt=pdfencrypt.StandardEncryption("secret")),
                     "The PDF is protected by a password: send it without one.", id="password"),
    ],
)
def test_a_damaged_or_locked_pdf_is_400_damaged(context, make, message):
    assert refusal(sent_pages, make()) == (400, "damaged", message)


def test_a_pdf_of_no_pages_is_400_damaged(context):
    buffer = io.BytesIO()
    pdfium.PdfDocument.new().save(buffer)
    no_pages = buffer.getvalue()
    assert refusal(sent_pages, no_pages) == (400, "damaged", "The PDF has no pages.")
    # PDFium keeps its last error: a locked PDF before must not make this one "locked"
    refusal(sent_pages, reportlab_pdf(encrypt=pdfencrypt.StandardEncryption("secret")))
    assert refusal(sent_pages, no_pages) == (400, "damaged", "The PDF has no pages.")


def test_a_pdf_with_only_an_owner_password_is_read(context):
    """Permissions-only encryption (no password to open it) is what many scanners and offices send."""
    with sent_pages(reportlab_pdf(encrypt=pdfencrypt.StandardEncryption("", ownerPassword="owner"))) as pages:
        assert len(pages) == 1 and np.asarray(pages[0]).min() < 128  # the text is there


def test_a_pdf_page_too_small_for_a_letter_is_400(context):
    tiny = pdf_of([Image.new("L", (8, 8), 255)], resolution=300)  # 2 points a side
    assert refusal(sent_pages, tiny) == (400, "too_small", "Page 1 of the PDF is too small to show a letter.")


def test_a_pdf_over_the_file_limit_is_413():
    data = pdf_of([marked_page(0)])
    with limited_context(MAX_UPLOAD_BYTES=len(data) - 1):
        assert refusal(sent_pages, data)[:2] == (413, "too_large")


def test_a_pdf_is_not_a_picture_of_one_letter(context):
    status, code, message = refusal(sent_image, pdf_of([draw_letter("a")]))
    assert (status, code) == (415, "unsupported_type")
    assert message.startswith("A PDF is not a picture we can read here")


def test_the_letter_api_refuses_a_pdf_with_415(client):
    response = client.post("/api/predict", data={"image": (io.BytesIO(pdf_of([draw_letter("a")])), "a.pdf")})
    assert response.status_code == 415 and "The page reader reads PDFs." in response.get_json()["error"]


def test_a_pdf_may_come_as_a_data_url(context):
    data = pdf_of([marked_page(0)])
    assert decode_data_url(data_url(data, "application/pdf")) == data
    with sent_pages(decode_data_url(data_url(data, "application/pdf"))) as pages:
        assert len(pages) == 1


def test_pdf_pages_are_freed_when_the_block_ends(context):
    with sent_pages(pdf_of([marked_page(0), marked_page(1)])) as pages:
        assert pages[0].getpixel((0, 0)) == 255
    with pytest.raises(ValueError):
        pages[0].getpixel((0, 0))
    assert LARGE_PICTURES.free == LARGE_PICTURES.budget


def test_a_picture_is_one_page(context):
    with sent_pages(letter_png("a")) as pages:
        assert len(pages) == 1 and pages[0].size == (280, 280)
    assert refusal(sent_pages, b"just text")[:2] == (415, "unsupported_type")
    assert "or PDF file" in refusal(sent_pages, b"just text")[2]


# --- HEIC / HEIF photos --------------------------------------------------------------------------


def test_a_heic_photo_is_read_upright_by_its_exif_orientation(context):
    upright = Image.new("RGB", (600, 400), "white")
    ImageDraw.Draw(upright).rectangle((20, 20, 119, 119), fill="black")  # ink at the top left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned, "rotate 90° clockwise to view", as a phone held upright does
    data = heic(upright.rotate(90, expand=True), exif=exif.tobytes())
    for opened in (sent_image, sent_pages):
        with opened(data) as image:
            image = image[0] if isinstance(image, list) else image
            assert image.format == "HEIF"
            grey = to_grey(image, max_side=600)
            assert grey.shape == (400, 600)  # upright: as wide as it was drawn
            assert grey[70, 70] < 0.25 and grey[330, 530] > 0.75


def test_the_letter_api_reads_a_heic_letter_like_a_png(client):
    def best(data, name):
        response = client.post("/api/predict", data={"image": (io.BytesIO(data), name)})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["predictions"][0]["letter"]

    assert best(heic(draw_letter("t").convert("RGB")), "t.heic") == best(letter_png("t"), "t.png")


def test_a_truncated_heic_is_400_damaged(context):
    data = heic(draw_letter("a").convert("RGB"))
    assert refusal(sent_image, data[:-20]) == (400, "damaged", "The picture file is damaged or truncated.")


def test_the_upload_form_takes_heic(client):
    response = client.post("/upload", data={"image": (io.BytesIO(heic(draw_letter("a").convert("RGB"))), "IMG_0001.HEIC")},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


# --- big phone photos -----------------------------------------------------------------------------


def test_a_60_mp_jpeg_is_accepted_and_decoded_reduced(context):
    data = encode(Image.new("L", (9000, 6667), 255), "JPEG", quality=50)  # plain: a small file
    with sent_pages(data, max_side=READ_SIDE) as pages:
        (page,) = pages
        assert page.size == (2250, 1667)  # 1/4 scale: the smallest still covering the reader's side
        assert sent_size(page) == (9000, 6667)  # what boxes are measured in
    with sent_image(data) as image:
        assert image.size == (4500, 3334)  # no side asked for: 1/2, within the full-size limit
        assert sent_size(image) == (9000, 6667)


def test_the_api_reads_a_60_mp_jpeg(client):
    data = encode(Image.new("L", (9000, 6667), 255), "JPEG", quality=50)
    response = client.post("/api/predict", data={"image": (io.BytesIO(data), "photo.jpg")})
    assert response.status_code == 200 and response.get_json()["blank"] is True


def test_a_jpeg_header_of_100_mp_passes_and_101_mp_is_413(context):
    small = encode(Image.new("L", (64, 64), 255), "JPEG")
    status, code, message = refusal(sent_image, with_jpeg_size(small, 10050, 10050))
    assert (status, code) == (413, "too_large")
    assert message == "The picture is 10050×10050 pixels; the limit is 100 megapixels."
    with sent_pages(with_jpeg_size(small, 12240, 8160), max_side=READ_SIDE) as pages:  # 99.9 MP passes
        assert pages[0].size == (3060, 2040) and sent_size(pages[0]) == (12240, 8160)


def test_a_101_mp_png_is_413(context):
    assert refusal(sent_pages, blank_png(10050, 10050)) == (
        413, "too_large", "The picture is 10050×10050 pixels; the limit is 100 megapixels.")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: blank_png(10000, 6000),
                     "The picture is 10000×6000 pixels; the limit is 50 megapixels for a PNG picture (100 for a JPEG).",
                     id="png"),
        pytest.param(lambda: with_jpeg_size(encode(Image.new("L", (64, 64), 255), "JPEG", progressive=True), 10000, 6000),
                     "The picture is 10000×6000 pixels; the limit is 50 megapixels for a progressive JPEG "
                     "(100 for a standard one).", id="progressive-jpeg"),
    ],
)
def test_pictures_decoded_at_full_size_have_a_lower_limit(context, make, message):
    """A PNG or a progressive JPEG cannot be decoded smaller: 50 MP in RGBA costs ~430 MB."""
    assert refusal(sent_pages, make()) == (413, "too_large", message)


def test_the_decompression_bomb_guard_stands(context):
    assert refusal(sent_pages, blank_png(30000, 30000)) == (
        413, "too_large", "The picture has far too many pixels to be a letter.")
