"""Test-only pictures: lines, pages and Spanish marks drawn with Pillow, the fixture files, and
drawings sent as data: URLs. The letters tests and benchmarks both draw are in harness.pictures."""

import base64
import io
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from harness.pictures import STROKES

FIXTURES = Path(__file__).parent / "fixtures"


def data_url(data, mime="image/png"):
    """Picture bytes as a data: URL, the way a canvas drawing is sent."""
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


# More letters on the 280 px square of STROKES, for lines and pages; a stroke of one point is a dot.
PARTS = dict(STROKES, **{
    "i": [[(140, 110), (140, 235)], [(140, 62)]],
    "j": [[(160, 110), (160, 245), (100, 245)], [(160, 62)]],
    "l": [[(140, 40), (140, 130)], [(140, 146), (140, 235)]],  # a broken stroke
    "k": [[(90, 40), (90, 235)], [(185, 90), (112, 160), (185, 235)]],  # the arm does not touch
    "y": [[(80, 110), (140, 200)], [(200, 110), (110, 330)]],  # a descender
})
LINE_SCALE = 0.5  # letters are 140 px tall-ish boxes on a line
LINE_PEN = 10


def _draw_stroke(draw, points, width):
    """A polyline drawn dark; a stroke of one point is a dot."""
    if len(points) == 1:
        (x, y), r = points[0], width * 0.8
        draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    else:
        draw.line(points, fill=0, width=width, joint="curve")


def _draw_part(draw, letter, x, y):
    for stroke in PARTS[letter]:
        _draw_stroke(draw, [(x + px * LINE_SCALE, y + py * LINE_SCALE) for px, py in stroke], LINE_PEN)


def page_picture(lines, size=None):
    """Lines of letters drawn dark on white: `lines` is [(y, [(letter, x)])]. Returns the picture
    and, per line, each letter's own ink box (x, y, w, h)."""
    size = size or (max(x for _, line in lines for _, x in line) + 200, max(y for y, _ in lines) + 180)
    page = Image.new("L", size, 255)
    boxes = []
    for y, letters in lines:
        boxes.append([])
        for letter, x in letters:
            _draw_part(ImageDraw.Draw(page), letter, x, y)
            alone = Image.new("L", size, 255)
            _draw_part(ImageDraw.Draw(alone), letter, x, y)
            left, top, right, bottom = ImageOps.invert(alone).point(lambda v: 255 * (v > 127)).getbbox()
            boxes[-1].append((left, top, right - left, bottom - top))
    return page, boxes


def line_picture(letters, width=None):
    """One line of (letter, x) drawn dark on white, and each letter's own ink box (x, y, w, h)."""
    page, boxes = page_picture([(20, letters)], (width or max(x for _, x in letters) + 200, 180))
    return page, boxes[0]


def assert_boxes(found, expected, tolerance=3):
    """Boxes (x, y, w, h) found where the pictures above put the letters, each side within `tolerance` px."""
    assert len(found) == len(expected), (found, expected)
    for got, want in zip(found, expected):
        assert np.abs(np.subtract(got, want)).max() <= tolerance, (got, want)


def arc(cx, cy, rx, ry, start, end, n=24):
    """Points of an elliptic arc, angles in degrees (0 = right, 90 = down)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in (start + (end - start) * k / (n - 1) for k in range(n))]


# A small n and a small a on the 280 px square, and the marks Spanish writes over letters.
SMALL = {
    "n": [[(95, 120), (95, 235)], [(95, 165)] + arc(137, 165, 42, 40, 180, 360) + [(179, 235)]],
    "a": [arc(135, 185, 45, 48, -20, 340, 40), [(180, 140), (180, 235)]],
}
MARKS = {
    "tilde": [arc(118, 85, 22, 14, 180, 360, 12) + arc(162, 85, 22, 14, 180, 0, 12)],
    "acute": [[(125, 110), (160, 60)]],
    "grave": [[(145, 110), (110, 60)]],
}


def draw_strokes(strokes, width=14):
    """Polylines drawn dark on a white 280 px square; a stroke of one point is a dot."""
    image = Image.new("L", (280, 280), 255)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        _draw_stroke(draw, stroke, width)
    return image


def pdf_of(pictures, resolution=100):
    """A PDF with one page per Pillow picture (Pillow writes it)."""
    buffer = io.BytesIO()
    first, *rest = [picture.convert("RGB") for picture in pictures]
    first.save(buffer, "PDF", save_all=True, append_images=rest, resolution=resolution)
    return buffer.getvalue()
