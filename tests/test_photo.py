"""Cleaning a phone photo of a page (handwriting.photo): the sheet found on a desk and flattened,
the light evened, the page turned upright; scans and drawings left alone."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from benchmarks.photos import border_paper, corner_error, photograph
from handwriting import photo
from handwriting.ink import SENT_SIZE
from handwriting.photo import clean_photo, even_light, find_sheet, flatten, orientation, sheet_size, upright

A4 = 297 / 210


def scribbled_sheet(rng, lines=7, width=700):
    """An A4 sheet (ink darkness in [0, 1]) of text-like scribbles: lines of words of small loops
    (x-height 14 px), a third of the letters rising above it and a tenth dropping below,
    lines starting at a common left margin and ending ragged."""
    height = int(width * A4)
    image = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(image)
    x_height, pitch = 14, 48
    for row in range(lines):
        baseline = 90 + row * pitch
        x = 60 + rng.integers(0, 4)
        end = width - 60 - rng.integers(0, 320)
        while x < end:
            for _ in range(rng.integers(2, 7)):  # a word
                kind = rng.random()
                top = baseline - x_height * (2.0 if kind < 0.35 else 1.0)
                bottom = baseline + (x_height * 0.8 if kind > 0.9 else 0)
                draw.ellipse((x, baseline - x_height, x + 10, baseline), outline=255, width=3)
                draw.line((x + 10, top, x + 10, bottom), fill=255, width=3)
                x += 14
            x += 16
    return np.asarray(image, np.float32) / 255


def page_grey(sheet):
    """The sheet as a clean grey page (paper 1.0, ink 0.15)."""
    return 1.0 - 0.85 * sheet


def open_jpeg(data):
    return Image.open(io.BytesIO(data))


@pytest.fixture(scope="module")
def desk_photo():
    """A 1200x900 JPEG photo of the scribbled sheet tilted 12 degrees on a wooden desk, blue ink,
    a light gradient and a soft shadow; and its true corners."""
    rng = np.random.default_rng(3)
    sheet = scribbled_sheet(rng)
    data, corners = photograph(sheet, rng, photo_size=(1200, 900), desk="wood", ink="blue", tilt=12, turn=6,
                               share=0.45, shadow=True)
    return sheet, data, corners


def test_the_sheet_is_found_on_a_desk(desk_photo):
    _, data, corners = desk_photo
    image = open_jpeg(data)
    grey = photo.ink_grey(image.convert("RGB"))
    quad = find_sheet(grey)
    assert quad is not None
    assert corner_error(quad, corners) < 0.03
    assert (np.diff(quad[[0, 1], 0]) > 0) and (np.diff(quad[[1, 2], 1]) > 0)  # clockwise from top-left


def test_a_photo_is_flattened_to_the_sheet_with_no_desk_left(desk_photo):
    sheet, data, corners = desk_photo
    result = clean_photo(open_jpeg(data))
    assert result.sheet is not None and result.changed
    assert corner_error(result.sheet, corners) < 0.03
    assert result.quarter_turns == 0
    assert result.image.mode == "L"
    width, height = result.image.size
    assert height / width == pytest.approx(sheet.shape[0] / sheet.shape[1], rel=0.05)
    grey = np.asarray(result.image, np.float32) / 255
    assert border_paper(grey) > 0.85  # the desk is gone: the border is paper
    assert np.median(grey) > 0.95  # even paper, though half of it lay in shadow
    assert np.quantile(grey, 0.005) < 0.5  # the blue ink is still dark


def test_the_transform_maps_the_page_back_onto_the_photo(desk_photo):
    _, data, corners = desk_photo
    result = clean_photo(open_jpeg(data))
    # the page's corners are the sheet's, a hair inside
    assert corner_error(result.transform.sheet_in_photo(), corners) < 0.03
    x, y, w, h = result.transform.box_to_photo((0, 0, *result.image.size))
    low, high = np.min(corners, axis=0), np.max(corners, axis=0)
    assert x == pytest.approx(low[0], abs=0.03 * 900) and x + w == pytest.approx(high[0], abs=0.03 * 900)
    assert y == pytest.approx(low[1], abs=0.03 * 900) and y + h == pytest.approx(high[1], abs=0.03 * 900)


def test_a_photo_is_read_upright_by_its_exif_orientation(desk_photo):
    sheet, data, corners = desk_photo
    stored = open_jpeg(data).transpose(Image.Transpose.ROTATE_90)  # the pixels as the camera stored them
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90 degrees clockwise to show
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=90, exif=exif.tobytes())
    result = clean_photo(open_jpeg(buffer.getvalue()))
    assert corner_error(result.sheet, corners) < 0.03  # in the upright photo's pixels
    assert result.quarter_turns == 0
    width, height = result.image.size
    assert height / width == pytest.approx(sheet.shape[0] / sheet.shape[1], rel=0.05)


def test_a_photo_the_app_decoded_smaller_in_grey(desk_photo):
    _, data, corners = desk_photo
    image = open_jpeg(data)
    image.draft("L", (600, 450))  # as webapp.images does with max_side
    image.load()
    image.info[SENT_SIZE] = (1200, 900)
    result = clean_photo(image)
    assert image.size == (600, 450)
    assert corner_error(result.sheet, corners) < 0.03  # in the pixels of the photo as sent


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_quarter_turns_map_back(turns):
    page = np.zeros((40, 60))
    page[7, 11] = 1  # pixel (row 7, column 11): centre (11.5, 7.5)
    turned = np.rot90(page, turns)
    row, column = np.argwhere(turned)[0]
    matrix = photo._unturn(turns, turned.shape[::-1])
    x, y, w = matrix @ [column + 0.5, row + 0.5, 1]
    assert (x / w, y / w) == pytest.approx((11.5, 7.5))


@pytest.mark.parametrize("quarter_turns", [1, 3])
def test_a_photo_turned_a_quarter_comes_back_upright(quarter_turns):
    rng = np.random.default_rng(10 + quarter_turns)
    sheet = scribbled_sheet(rng)
    data, _ = photograph(sheet, rng, photo_size=(1200, 900), quarter_turns=quarter_turns, desk="grey", ink="black",
                         tilt=10, share=0.5)
    result = clean_photo(open_jpeg(data))
    assert result.sheet is not None
    assert result.quarter_turns == (-quarter_turns) % 4
    width, height = result.image.size
    assert height > width  # the A4 sheet stands upright again


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
def test_orientation_of_a_clean_page(turns):
    grey = page_grey(scribbled_sheet(np.random.default_rng(turns)))
    found = orientation(np.rot90(grey, turns))
    assert found.quarter_turns == (-turns) % 4
    assert found.lines == 7
    turned, applied = upright(np.rot90(grey, turns))
    assert applied == (-turns) % 4 and turned.shape == grey.shape


def test_a_blank_page_is_not_turned():
    found = orientation(np.ones((300, 200), np.float32))
    assert found.quarter_turns == 0 and found.lines == 0


def test_a_scan_without_border_is_untouched():
    grey = page_grey(scribbled_sheet(np.random.default_rng(5)))
    assert find_sheet(grey) is None
    scan = Image.fromarray(np.uint8(grey * 255)).convert("RGB")
    result = clean_photo(scan)
    assert result.image is scan and result.sheet is None and result.quarter_turns == 0 and not result.changed


def test_a_canvas_drawing_is_untouched():
    drawing = Image.new("RGBA", (400, 300), (255, 255, 255, 0))
    ImageDraw.Draw(drawing).line((50, 150, 350, 160), fill=(0, 0, 0, 255), width=8)
    assert clean_photo(drawing).image is drawing
    opaque = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(opaque).line((200, 20, 205, 280), fill="black", width=8)  # one tall stroke: no page to turn
    assert clean_photo(opaque).image is opaque


def test_a_picture_without_a_sheet_is_read_as_sent_even_sideways():
    grey = page_grey(scribbled_sheet(np.random.default_rng(6)))
    scan = Image.fromarray(np.uint8(np.rot90(grey) * 255))
    result = clean_photo(scan)  # its boxes stay in its own pixels: no turn without a sheet
    assert result.sheet is None and result.quarter_turns == 0 and not result.changed
    assert np.array_equal(np.asarray(result.image), np.uint8(np.rot90(grey) * 255))


def test_even_light_flattens_a_gradient_and_keeps_ink_dark():
    sheet = scribbled_sheet(np.random.default_rng(7))
    height, width = sheet.shape
    columns = np.linspace(0, 1, width, dtype=np.float32)
    rows = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    light = 0.45 + 0.5 * columns * (0.6 + 0.4 * rows)  # 0.45 .. 0.95 across the page
    grey = light * page_grey(sheet)
    flat = even_light(grey)
    paper, ink = flat[sheet == 0], flat[sheet > 0.9]
    assert np.ptp(np.quantile(grey[sheet == 0], [0.05, 0.95])) > 0.3  # the light really was uneven
    assert paper.std() < 0.03 and paper.mean() > 0.97
    assert ink.mean() < 0.3  # ink keeps its contrast against its own paper


def test_flatten_undoes_a_perspective():
    sheet = scribbled_sheet(np.random.default_rng(8), width=400)
    page = Image.fromarray(np.uint8(page_grey(sheet) * 255))
    # the sheet seen from an angle: its top narrower than its bottom
    quad = np.array([(130, 40), (470, 60), (560, 560), (40, 540)], np.float64)
    source = np.array([(0, 0), (page.width, 0), (page.width, page.height), (0, page.height)], np.float64)
    inverse = photo.homography(quad, source)
    seen = page.transform((600, 600), Image.Transform.PERSPECTIVE, tuple(inverse.ravel()[:8]),
                          Image.Resampling.BILINEAR, fillcolor=60)
    grey = np.asarray(seen, np.float32) / 255
    assert corner_error(find_sheet(grey), quad) < 0.03
    flat, transform = flatten(grey, quad)
    width, height = sheet_size(quad)
    assert flat.shape == (round(height), round(width))
    assert border_paper(flat) > 0.9
    assert transform.to_photo([(0, 0)])[0] == pytest.approx(quad[0], abs=0.01 * width)
